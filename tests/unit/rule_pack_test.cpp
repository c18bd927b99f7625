// Rule packs: the shipped packs load and answer for their libraries; matching rules;
// every kind of bad input is refused with "FILE: JSON-PATH: problem".
#include "config/rule_pack.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace lockcheck;

namespace {

const std::string kRulesDir = LOCKCHECK_SOURCE_RULES_DIR;
const std::string kPacksData = std::string(LOCKCHECK_TEST_DATA) + "/packs";

// The error for one pack text, "" if it loads.
std::string loadError(const std::string &text) {
  RulePacks packs;
  std::string error;
  return packs.loadText(text, "rules/t.json", error) ? "" : error;
}

std::string pack(const std::string &body) { return R"({"lockcheck_pack": 1, "name": "t", )" + body + "}"; }

class ShippedPacks : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    std::string error;
    ASSERT_TRUE(packs_.loadPath(kRulesDir, error)) << error;
  }
  static RulePacks packs_;
};
RulePacks ShippedPacks::packs_;

} // namespace

TEST_F(ShippedPacks, EveryPackLoads) {
  std::vector<std::string> names;
  for (const auto &p : packs_.packs()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"asio", "crypto", "curl", "filesystem", "posix", "pqxx", "results", "sqlite3",
                                             "std"}));
  for (const auto &entry : std::filesystem::directory_iterator(kRulesDir)) {
    RulePacks one;
    std::string error;
    EXPECT_TRUE(one.loadPath(entry.path().string(), error)) << error;
  }
}

TEST_F(ShippedPacks, Std) {
  ASSERT_NE(packs_.blocking("std::this_thread::sleep_for"), nullptr);
  EXPECT_EQ(packs_.blocking("std::this_thread::sleep_for")->category, Category::Sleep);
  EXPECT_EQ(packs_.blocking("std::thread::join")->category, Category::Sync);
  EXPECT_NE(packs_.blocking("std::__basic_future::wait"), nullptr); // libstdc++'s home of future::wait
  EXPECT_EQ(packs_.blocking("std::system")->category, Category::Process);
  ASSERT_NE(packs_.blockingType("std::basic_ifstream"), nullptr);
  EXPECT_EQ(packs_.blockingType("std::basic_ifstream")->category, Category::Io);
  EXPECT_EQ(packs_.blockingType("std::basic_istringstream"), nullptr);
  EXPECT_TRUE(packs_.nonblocking("std::basic_istringstream::basic_istringstream"));
  EXPECT_TRUE(packs_.nonblocking("std::basic_istringstream::str"));
  EXPECT_TRUE(packs_.nonblocking("std::thread::thread"));
  EXPECT_FALSE(packs_.nonblocking("std::thread::join"));
  ASSERT_NE(packs_.wait("std::condition_variable_any::wait"), nullptr);
  EXPECT_EQ(packs_.wait("std::condition_variable::wait_for")->releasesArg, 0u);
  ASSERT_NE(packs_.lockType("std::recursive_mutex"), nullptr);
  EXPECT_TRUE(packs_.lockType("std::recursive_mutex")->recursive);
  EXPECT_FALSE(packs_.lockType("std::mutex")->recursive);
  const LockTypeEntry *shared = packs_.lockType("std::shared_timed_mutex");
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(shared->tryAcquireShared,
            (std::vector<std::string>{"try_lock_shared", "try_lock_shared_for", "try_lock_shared_until"}));
  EXPECT_EQ(shared->releaseShared, std::vector<std::string>{"unlock_shared"});
  ASSERT_NE(packs_.guardType("std::unique_lock"), nullptr);
  EXPECT_TRUE(packs_.guardType("std::unique_lock")->movable);
  EXPECT_FALSE(packs_.guardType("std::scoped_lock")->movable);
  EXPECT_TRUE(packs_.guardType("std::shared_lock")->shared);
  EXPECT_EQ(packs_.lockFunction("std::lock")->arg, -1);
  EXPECT_EQ(packs_.lockFunction("std::try_lock")->success, TrySuccess::MinusOne);
  EXPECT_TRUE(packs_.invokesCallable("std::invoke"));
  EXPECT_TRUE(packs_.invokesCallable("std::ranges::__for_each_fn::operator()"));
  EXPECT_FALSE(packs_.invokesCallable("std::async"));
}

TEST_F(ShippedPacks, Filesystem) {
  EXPECT_EQ(packs_.blocking("std::filesystem::exists")->category, Category::Io);
  EXPECT_NE(packs_.blocking("std::filesystem::directory_iterator::operator++"), nullptr);
  EXPECT_EQ(packs_.blocking("std::filesystem::directory_iterator::operator*"), nullptr); // escaped star: literal
  EXPECT_EQ(packs_.blocking("std::filesystem::path::filename"), nullptr);
  EXPECT_TRUE(packs_.nonblocking("std::filesystem::path::path"));
}

TEST_F(ShippedPacks, Posix) {
  EXPECT_EQ(packs_.blocking("fsync")->category, Category::Io);
  EXPECT_EQ(packs_.blocking("usleep")->category, Category::Sleep);
  EXPECT_EQ(packs_.blocking("recv")->category, Category::Net);
  EXPECT_EQ(packs_.blocking("popen")->category, Category::Process);
  EXPECT_EQ(packs_.blocking("printf"), nullptr); // logging is deliberately not flagged
  EXPECT_EQ(packs_.blocking("close"), nullptr);
  const LockFunctionEntry *trylock = packs_.lockFunction("pthread_mutex_trylock");
  ASSERT_NE(trylock, nullptr);
  EXPECT_EQ(trylock->op, LockOp::TryAcquire);
  EXPECT_EQ(trylock->success, TrySuccess::Zero);
  EXPECT_EQ(packs_.lockFunction("pthread_rwlock_rdlock")->op, LockOp::AcquireShared);
  EXPECT_EQ(packs_.lockFunction("pthread_rwlock_unlock")->op, LockOp::Release);
  // A non-zero result of a blocking lock reports failure: nothing is held on that branch.
  EXPECT_TRUE(packs_.lockFunction("pthread_mutex_lock")->reportsFailure);
  EXPECT_EQ(packs_.lockFunction("pthread_mutex_lock")->success, TrySuccess::Zero);
  EXPECT_TRUE(packs_.lockFunction("pthread_rwlock_wrlock")->reportsFailure);
  EXPECT_FALSE(trylock->reportsFailure);
  EXPECT_EQ(packs_.wait("pthread_cond_timedwait")->releasesArg, 1u);
}

// docs/spec.md §3 "What is reported": the console, non-blocking descriptors, error results.
TEST_F(ShippedPacks, ConsoleDescriptorsAndResults) {
  EXPECT_TRUE(packs_.consoleStream("stderr"));
  EXPECT_TRUE(packs_.consoleStream("std::clog"));
  EXPECT_FALSE(packs_.consoleStream("stdin"));
  EXPECT_TRUE(packs_.consoleDescriptor(1));
  EXPECT_TRUE(packs_.consoleDescriptor(2));
  EXPECT_FALSE(packs_.consoleDescriptor(0));
  const StreamCallEntry *fwrite = packs_.streamCall("fwrite");
  ASSERT_NE(fwrite, nullptr);
  EXPECT_EQ(fwrite->streamArg, 3);
  EXPECT_TRUE(fwrite->quietOnConsole);
  EXPECT_FALSE(fwrite->quietOnNonblocking);
  const StreamCallEntry *read = packs_.streamCall("read");
  ASSERT_NE(read, nullptr);
  EXPECT_FALSE(read->quietOnConsole); // stdin is not the console
  EXPECT_TRUE(read->quietOnNonblocking);
  EXPECT_EQ(packs_.streamCall("std::basic_ostream::write")->streamArg, -1);
  EXPECT_EQ(packs_.streamCall("fsync"), nullptr); // O_NONBLOCK does not shorten a disk wait
  const NonblockingDescriptorEntry *pipe2 = packs_.nonblockingDescriptor("pipe2");
  ASSERT_NE(pipe2, nullptr);
  EXPECT_EQ(pipe2->fillsArg, 0);
  EXPECT_EQ(pipe2->flags, std::vector<std::string>{"O_NONBLOCK"});
  const NonblockingDescriptorEntry *fcntl = packs_.nonblockingDescriptor("fcntl");
  ASSERT_NE(fcntl, nullptr);
  EXPECT_EQ(fcntl->setsArg, 0);
  EXPECT_EQ(fcntl->commandArg, 1);
  EXPECT_EQ(fcntl->commands, std::vector<std::string>{"F_SETFL"});
  EXPECT_EQ(packs_.nonblockingDescriptor("eventfd")->flagsArg, 1u);
  EXPECT_TRUE(packs_.successTest("leveldb::Status::ok"));
  EXPECT_TRUE(packs_.failureTest("std::basic_ios::fail"));
  EXPECT_TRUE(packs_.failureResult("leveldb::Status::IOError"));
  EXPECT_TRUE(packs_.failureResult("leveldb::Status::Corruption"));
  EXPECT_FALSE(packs_.failureResult("leveldb::Status::OK"));
}

TEST(RulePacksErrors, ReportingKeys) {
  EXPECT_EQ(loadError(pack(R"("stream_calls": [{"name": "w", "stream_arg": "first"}])")),
            "rules/t.json: /stream_calls/0/stream_arg: expected an argument index (0, 1, ...) or \"object\", found 'first'");
  EXPECT_EQ(loadError(pack(R"("stream_calls": [{"name": "w"}])")), "rules/t.json: /stream_calls/0: missing required key 'stream_arg'");
  EXPECT_EQ(loadError(pack(R"("stream_calls": [{"name": "w", "stream_arg": 0, "quiet_on": ["terminal"]}])")),
            "rules/t.json: /stream_calls/0/quiet_on/0: expected \"console\" or \"nonblocking\", found \"terminal\"");
  EXPECT_EQ(loadError(pack(R"("console_descriptors": ["1"])")),
            "rules/t.json: /console_descriptors/0: expected a descriptor number, found a string");
  EXPECT_EQ(loadError(pack(R"("nonblocking_descriptors": [{"name": "e", "flags_arg": 1, "flags": ["EFD-NONBLOCK"]}])")),
            "rules/t.json: /nonblocking_descriptors/0/flags/0: 'EFD-NONBLOCK': an identifier as the headers spell it, such "
            "as 'O_NONBLOCK'");
  EXPECT_EQ(loadError(pack(R"("nonblocking_descriptors": [{"name": "e", "flags_arg": 1}])")),
            "rules/t.json: /nonblocking_descriptors/0: missing required key 'flags'");
  EXPECT_EQ(loadError(pack(R"("nonblocking_descriptors": [{"name": "f", "flags_arg": 2, "flags": ["O_NONBLOCK"], "sets_arg": 0,
      "command_arg": 1}])")),
            "rules/t.json: /nonblocking_descriptors/0: 'command_arg' and 'commands' go together");
  EXPECT_EQ(loadError(pack(R"("nonblocking_descriptors": [{"name": "f", "flags_arg": 2, "flags": ["O_NONBLOCK"], "sets_arg": 0,
      "fills_arg": 1}])")),
            "rules/t.json: /nonblocking_descriptors/0: 'fills_arg' and 'sets_arg' exclude each other");
  EXPECT_EQ(loadError(pack(R"("success_tests": ["::ok"])")),
            "rules/t.json: /success_tests/0: write 'ok' without the leading '::'");
  EXPECT_EQ(loadError(pack(R"("stream_calls": [{"name": "w", "stream_arg": 0, "quiet_on": ["console", "nonblocking"]}],
      "console_streams": ["out"], "console_descriptors": [1], "success_tests": ["*::ok"], "failure_tests": ["f"],
      "failure_results": ["*Error"])")),
            "");
}

TEST_F(ShippedPacks, CryptoDbNet) {
  ASSERT_NE(packs_.blocking("crypt_r"), nullptr);
  EXPECT_EQ(packs_.blocking("crypt_r")->category, Category::Crypto);
  EXPECT_EQ(packs_.blocking("bcrypt_checkpw")->category, Category::Crypto);
  EXPECT_EQ(packs_.blocking("argon2id_hash_encoded")->category, Category::Crypto);
  EXPECT_EQ(packs_.blocking("crypto_pwhash_str_verify")->category, Category::Crypto);
  EXPECT_EQ(packs_.blocking("crypto_pwhash_saltbytes"), nullptr);
  EXPECT_EQ(packs_.blocking("pqxx::transaction_base::exec_params")->category, Category::Db);
  EXPECT_NE(packs_.blocking("pqxx::transaction::transaction"), nullptr);
  EXPECT_EQ(packs_.blocking("pqxx::connection_base::prepare"), nullptr); // lazy in 6.4
  EXPECT_EQ(packs_.blocking("PQconnectPoll"), nullptr);
  EXPECT_EQ(packs_.blocking("boost::asio::write")->category, Category::Net);
  EXPECT_EQ(packs_.blocking("boost::asio::async_write"), nullptr);
  EXPECT_NE(packs_.blocking("boost::beast::websocket::stream::handshake"), nullptr);
  EXPECT_TRUE(packs_.lockType("boost::recursive_mutex")->recursive);
  EXPECT_TRUE(packs_.guardType("boost::shared_lock")->shared);
  EXPECT_EQ(packs_.blocking("curl_easy_perform")->category, Category::Net);
  EXPECT_EQ(packs_.blocking("sqlite3_step")->category, Category::Db);
}

TEST(NamePattern, ExactAndWildcards) {
  EXPECT_TRUE(NamePattern("crypt_r").isExact());
  EXPECT_TRUE(NamePattern("crypt_r").matches("crypt_r"));
  EXPECT_FALSE(NamePattern("crypt_r").matches("crypt_rn"));
  NamePattern members("std::basic_ifstream::*");
  EXPECT_FALSE(members.isExact());
  EXPECT_TRUE(members.matches("std::basic_ifstream::open"));
  EXPECT_TRUE(members.matches("std::basic_ifstream::x::y")); // '*' spans "::"
  EXPECT_FALSE(members.matches("std::basic_ifstreamx::open"));
  NamePattern family("argon2*_hash_*");
  EXPECT_TRUE(family.matches("argon2id_hash_raw"));
  EXPECT_TRUE(family.matches("argon2_hash_"));
  EXPECT_FALSE(family.matches("argon2_verify"));
  EXPECT_TRUE(NamePattern("*").matches(""));
  EXPECT_TRUE(NamePattern("a*a").matches("aa"));
  EXPECT_FALSE(NamePattern("a*a").matches("a"));
  NamePattern deref("It::operator\\*");
  EXPECT_TRUE(deref.isExact());
  EXPECT_TRUE(deref.matches("It::operator*"));
  EXPECT_FALSE(deref.matches("It::operator++"));
}

TEST(RulePacks, ExactBeatsPatternFirstPatternWinsNonblockingBeatsBlocking) {
  RulePacks packs;
  std::string error;
  ASSERT_TRUE(packs.loadText(pack(R"("blocking": [{"name": "ns::*", "category": "io"},
      {"name": "ns::a::*", "category": "net"}, {"name": "ns::a::exact", "category": "db"},
      {"name": "ns::a::fast", "category": "db"}], "nonblocking": ["ns::a::fast", "ns::quick*"])"),
                             "t.json", error))
      << error;
  EXPECT_EQ(packs.blocking("ns::a::exact")->category, Category::Db);
  EXPECT_EQ(packs.blocking("ns::a::other")->category, Category::Io); // the first pattern loaded wins
  EXPECT_EQ(packs.blocking("ns::a::fast"), nullptr);
  EXPECT_EQ(packs.blocking("ns::quickly"), nullptr);
  EXPECT_EQ(packs.blocking("other::f"), nullptr);
  EXPECT_EQ(packs.blocking("ns::a::exact")->origin, "t: /blocking/2");
}

TEST(RulePacks, DirectoryLoadsJsonInSortedOrderAndFileLoadsOne) {
  RulePacks packs;
  std::string error;
  ASSERT_TRUE(packs.loadPath(kPacksData, error)) << error;
  ASSERT_EQ(packs.packs().size(), 2u);
  EXPECT_EQ(packs.packs()[0].name, "a");
  EXPECT_EQ(packs.blocking("a::slow")->category, Category::Io); // a.json before b.json
  EXPECT_EQ(packs.blocking("b::x")->category, Category::Db);
  EXPECT_FALSE(packs.nonblocking("a::slow"));
  RulePacks one;
  ASSERT_TRUE(one.loadPath(kPacksData + "/b.json", error)) << error;
  EXPECT_EQ(one.blocking("a::slow")->category, Category::Net);
}

TEST(RulePacks, FingerprintIsStableAndFollowsContent) {
  RulePacks a, b, c;
  std::string error;
  ASSERT_TRUE(a.loadPath(kPacksData, error));
  ASSERT_TRUE(b.loadPath(kPacksData, error));
  EXPECT_EQ(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(a.fingerprint().size(), 16u);
  ASSERT_TRUE(c.loadPath(kPacksData + "/a.json", error));
  EXPECT_NE(a.fingerprint(), c.fingerprint());
  std::string before = a.fingerprint();
  a.addHandlerPattern("api::*");
  EXPECT_NE(a.fingerprint(), before);
  EXPECT_TRUE(a.handler("api::login"));
}

TEST(RulePacks, AFailedLoadLeavesNothingBehind) {
  RulePacks packs;
  std::string error;
  EXPECT_FALSE(packs.loadText(pack(R"("blocking": [{"name": "f", "category": "io"}, {"name": "g"}])"), "t.json", error));
  EXPECT_EQ(packs.blocking("f"), nullptr);
  EXPECT_TRUE(packs.packs().empty());
  EXPECT_TRUE(packs.loadText(pack(R"("blocking": [{"name": "f", "category": "io"}])"), "t.json", error)) << error;
}

TEST(RulePacksErrors, NameFilePathAndProblem) {
  EXPECT_EQ(loadError(pack(R"("blocking": [{"name": "a", "category": "io"}, {"name": "b", "category": "io"},
      {"name": "c", "category": "io"}, {"name": "d", "category": "slep"}])")),
            "rules/t.json: /blocking/3/category: unknown category 'slep' (expected one of io, sleep, crypto, db, net, "
            "sync, process)");
  EXPECT_EQ(loadError(pack(R"("blockng": [])")).rfind("rules/t.json: /blockng: unknown key 'blockng' (allowed: ", 0), 0u);
  EXPECT_EQ(loadError(pack(R"("guard_types": [{"type": "g", "moveable": true}])")).rfind(
                "rules/t.json: /guard_types/0/moveable: unknown key 'moveable'", 0),
            0u);
  EXPECT_EQ(loadError(pack(R"("blocking": {"name": "f"})")), "rules/t.json: /blocking: expected an array, found an object");
  EXPECT_EQ(loadError(pack(R"("nonblocking": ["a", 3])")),
            "rules/t.json: /nonblocking/1: expected a name (string), found a number");
  EXPECT_EQ(loadError(pack(R"("guard_types": [{"type": "g", "shared": "yes"}])")),
            "rules/t.json: /guard_types/0/shared: expected true or false, found a string");
  EXPECT_EQ(loadError(pack(R"("waits": [{"name": "w", "releases_arg": -1}])")),
            "rules/t.json: /waits/0/releases_arg: expected the index of the argument whose lock the wait releases (0, 1, "
            "...), found the number -1");
  EXPECT_EQ(loadError(pack(R"("lock_functions": [{"name": "l", "op": "grab"}])")),
            "rules/t.json: /lock_functions/0/op: unknown op 'grab' (expected one of acquire, acquire_shared, "
            "try_acquire, try_acquire_shared, release, release_shared)");
  EXPECT_EQ(loadError(pack(R"("lock_functions": [{"name": "l", "op": "acquire", "arg": "some"}])")),
            "rules/t.json: /lock_functions/0/arg: expected an argument index (0, 1, ...) or \"all\", found 'some'");
  EXPECT_EQ(loadError(pack(R"("lock_functions": [{"name": "l", "op": "release", "success": "zero"}])")),
            "rules/t.json: /lock_functions/0/success: 'success' applies to acquire and try_acquire ops only");
  EXPECT_EQ(loadError(pack(R"("lock_types": [{"type": "m", "acquire": ["lock"]}])")),
            "rules/t.json: /lock_types/0: a lock type needs 'release' or 'release_shared'");
  EXPECT_EQ(loadError(pack(R"("lock_types": [{"type": "m", "acquire": ["m::lock"], "release": ["unlock"]}])")),
            "rules/t.json: /lock_types/0/acquire/0: 'm::lock': a member function name such as 'lock', not a qualified "
            "name or pattern");
}

TEST(RulePacksErrors, EmptyAndMisspeltNames) {
  EXPECT_EQ(loadError(pack(R"("blocking": [{"name": "", "category": "io"}])")),
            "rules/t.json: /blocking/0/name: must not be empty");
  EXPECT_EQ(loadError(pack(R"("blocking": [{"category": "io"}])")),
            "rules/t.json: /blocking/0: missing required key 'name'");
  EXPECT_EQ(loadError(pack(R"("nonblocking": [""])")), "rules/t.json: /nonblocking/0: must not be empty");
  EXPECT_EQ(loadError(R"({"lockcheck_pack": 1, "name": ""})"), "rules/t.json: /name: must not be empty");
  EXPECT_EQ(loadError(R"({"lockcheck_pack": 1})"), "rules/t.json: /: missing required key 'name'");
  EXPECT_NE(loadError(pack(R"("guard_types": [{"type": "std::unique_lock<std::mutex>"}])")).find(
                "/guard_types/0/type: 'std::unique_lock<std::mutex>': names carry no template arguments"),
            std::string::npos);
  EXPECT_NE(loadError(pack(R"("blocking": [{"name": "::read", "category": "io"}])")).find(
                "/blocking/0/name: write 'read' without the leading '::'"),
            std::string::npos);
  EXPECT_NE(loadError(pack(R"("nonblocking": ["It::operator*"])")).find(
                "/nonblocking/0: 'It::operator*' would match every operator"),
            std::string::npos);
  EXPECT_EQ(loadError(pack(R"("nonblocking": ["It::operator\\*", "a::operator<<"])")), "");
}

TEST(RulePacksErrors, VersionAndDocument) {
  EXPECT_EQ(loadError(R"({"name": "t"})"), "rules/t.json: /: missing 'lockcheck_pack' (the schema version: 1)");
  EXPECT_EQ(loadError(R"({"lockcheck_pack": 2, "name": "t"})"),
            "rules/t.json: /lockcheck_pack: unsupported schema version 2 (this lockcheck reads version 1)");
  EXPECT_EQ(loadError(R"({"lockcheck_pack": "1", "name": "t"})"),
            "rules/t.json: /lockcheck_pack: expected the schema version 1, found a string");
  EXPECT_EQ(loadError("[]"), "rules/t.json: /: a rule pack is a JSON object, found an array");
  EXPECT_EQ(loadError(R"({"lockcheck_pack": 1, "name": "t", "description": 5})"),
            "rules/t.json: /description: expected a string, found a number");
}

TEST(RulePacksErrors, InvalidJsonHasLineAndColumn) {
  std::string error = loadError("{\"lockcheck_pack\": 1,\n  \"name\": \"t\",,\n}");
  EXPECT_EQ(error.rfind("rules/t.json:2:15: invalid JSON: ", 0), 0u) << error;
  EXPECT_EQ(error.find("[json.exception"), std::string::npos) << error;
  EXPECT_EQ(loadError("").rfind("rules/t.json:1:1: invalid JSON: ", 0), 0u) << loadError("");
}

// The standard parser keeps the last of two keys; a pack entry that says two categories
// (or a name cut short by a NUL) must be an error, as it is for .lockcheck.json.
TEST(RulePacksErrors, DuplicateKeysAndNulAreRejected) {
  EXPECT_EQ(loadError(pack(R"("blocking": [{"name": "a", "category": "io"},
                                          {"name": "b", "category": "io", "category": "sleep"}])")),
            "rules/t.json: /blocking/1/category: duplicate key (each key may appear once in an object)");
  EXPECT_EQ(loadError(R"({"lockcheck_pack": 1, "name": "t", "name": "u"})"),
            "rules/t.json: /name: duplicate key (each key may appear once in an object)");
  EXPECT_EQ(loadError(pack(R"("nonblocking": ["a", "b\u0000c"])")),
            "rules/t.json: /nonblocking/1: NUL character (\\u0000) in a string");
  std::string withNul = "{\"lockcheck_pack\": 1,\n\"name\": \"t";
  withNul += '\0';
  withNul += "\"}";
  EXPECT_EQ(loadError(withNul), "rules/t.json:2: NUL byte in the file (a rule pack is UTF-8 text)");
}

TEST(RulePacksErrors, FilesAndDuplicatePacks) {
  RulePacks packs;
  std::string error;
  EXPECT_FALSE(packs.loadPath(kPacksData + "/missing.json", error));
  EXPECT_EQ(error, kPacksData + "/missing.json: no such rule pack file or directory");
  auto dir = std::filesystem::temp_directory_path() / ("lockcheck-packs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  EXPECT_FALSE(packs.loadPath(dir.string(), error));
  EXPECT_EQ(error, dir.string() + ": no *.json rule packs in this directory");
  std::filesystem::remove_all(dir);

  ASSERT_TRUE(packs.loadPath(kPacksData + "/a.json", error)) << error;
  EXPECT_FALSE(packs.loadText(R"({"lockcheck_pack": 1, "name": "a"})", "other.json", error));
  EXPECT_EQ(error, "other.json: /name: a pack named 'a' is already loaded from " + kPacksData + "/a.json");
}

TEST(RulePacksErrors, NeverThrows) {
  RulePacks packs;
  std::string error;
  EXPECT_NO_THROW(packs.loadText("{\"lockcheck_pack\": 1, \"name\": \"\xff\xfe\"}", "bad-utf8.json", error));
  EXPECT_NO_THROW(packs.loadPath("/proc/self/mem", error));
  EXPECT_NO_THROW(packs.loadText(pack(R"("waits": [{"name": "w", "releases_arg": 1e30}])"), "t.json", error));
}
