// Issue 14: the language server's wire protocol. Framing and bad input (malformed headers,
// missing Content-Length, bad JSON, unknown methods, a client that disconnects) are answered
// per the protocol and never crash; state (initialize, shutdown, exit), debounce,
// cancellation and progress are checked against a fake analysis, without Clang.
#include "lsp/diagnostics.h"
#include "lsp/jsonrpc_framing.h"
#include "lsp/lsp_server.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <sstream>
#include <thread>

namespace lockcheck::lsp {
namespace {
using nlohmann::json;

// --- framing ---------------------------------------------------------------------------

struct Read {
  FrameReader::Status status;
  std::string body, error;
};

std::vector<Read> readAll(const std::string &wire) {
  std::istringstream in(wire);
  FrameReader reader(in);
  std::vector<Read> out;
  while (true) {
    Read r;
    r.status = reader.next(r.body, r.error);
    out.push_back(r);
    if (r.status == FrameReader::Status::Eof || out.size() > 20) return out;
  }
}

TEST(LspFraming, ReadsMessagesBackToBackWithOtherHeadersAndAnyCase) {
  std::string wire = frame("{\"a\":1}") + "content-length: 7\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"b\":2}";
  auto r = readAll(wire);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status, FrameReader::Status::Message);
  EXPECT_EQ(r[0].body, "{\"a\":1}");
  EXPECT_EQ(r[1].status, FrameReader::Status::Message);
  EXPECT_EQ(r[1].body, "{\"b\":2}");
  EXPECT_EQ(r[2].status, FrameReader::Status::Eof);
}

TEST(LspFraming, MissingContentLengthIsABadHeaderAndTheNextMessageStillReads) {
  auto r = readAll("Content-Type: x\r\n\r\n" + frame("{}"));
  ASSERT_GE(r.size(), 2u);
  EXPECT_EQ(r[0].status, FrameReader::Status::BadHeader);
  EXPECT_NE(r[0].error.find("without Content-Length"), std::string::npos) << r[0].error;
  EXPECT_EQ(r[1].status, FrameReader::Status::Message);
  EXPECT_EQ(r[1].body, "{}");
}

TEST(LspFraming, MalformedHeaderLineAndNonNumericLengthAreBadHeaders) {
  auto r = readAll("this is not a header\r\nContent-Length: 2\r\n\r\n{}" + std::string("Content-Length: twelve\r\n\r\n") + frame("[]"));
  ASSERT_GE(r.size(), 3u);
  EXPECT_EQ(r[0].status, FrameReader::Status::BadHeader);
  EXPECT_NE(r[0].error.find("malformed header"), std::string::npos) << r[0].error;
  EXPECT_EQ(r[1].status, FrameReader::Status::BadHeader);
  EXPECT_NE(r[1].error.find("not a number"), std::string::npos) << r[1].error;
  EXPECT_EQ(r[2].status, FrameReader::Status::Message);
  EXPECT_EQ(r[2].body, "[]");
}

TEST(LspFraming, ResynchronisesOnAHeaderGluedToGarbage) {
  auto r = readAll("{\"stray\":true}" + frame("{}"));
  ASSERT_GE(r.size(), 2u);
  EXPECT_EQ(r[0].status, FrameReader::Status::BadHeader);
  EXPECT_EQ(r[1].status, FrameReader::Status::Message);
  EXPECT_EQ(r[1].body, "{}");
}

TEST(LspFraming, HugeLengthIsRefusedNotAllocated) {
  auto r = readAll("Content-Length: 99999999999\r\n\r\n");
  EXPECT_EQ(r[0].status, FrameReader::Status::BadHeader);
  EXPECT_NE(r[0].error.find("larger than"), std::string::npos) << r[0].error;
}

// Two lengths (issue 25): which one frames the body is anyone's guess. One error, then the
// reader discards input up to the next header, whichever length was right.
TEST(LspFraming, TwoContentLengthsAreOneErrorAndTheNextMessageReads) {
  std::string body = R"({"jsonrpc":"2.0","id":7,"method":"x"})";
  for (const std::string &first : {std::string("3"), std::to_string(body.size() + 40)}) {
    auto r = readAll("Content-Length: " + first + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body +
                     frame("{\"next\":1}"));
    ASSERT_GE(r.size(), 3u) << first;
    EXPECT_EQ(r[0].status, FrameReader::Status::BadHeader);
    EXPECT_NE(r[0].error.find("Content-Length given 2 times"), std::string::npos) << r[0].error;
    EXPECT_EQ(r[1].status, FrameReader::Status::Message) << r[1].error;
    EXPECT_EQ(r[1].body, "{\"next\":1}");
    EXPECT_EQ(r[2].status, FrameReader::Status::Eof);
  }
  // The same length twice: still an error, but the body's end is beyond doubt.
  auto r = readAll("Content-Length: 2\r\ncontent-length: 2\r\n\r\n{}" + frame("[]"));
  ASSERT_GE(r.size(), 2u);
  EXPECT_EQ(r[0].status, FrameReader::Status::BadHeader);
  EXPECT_EQ(r[1].status, FrameReader::Status::Message);
  EXPECT_EQ(r[1].body, "[]");
}

TEST(LspFraming, AfterABadHeaderABodyOfManyLinesIsSkippedWhole) {
  auto r = readAll("Content-Length: many\r\n\r\n{\n  \"id\": 1,\n  \"method\": \"x\"\n}\n" + frame("{}"));
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status, FrameReader::Status::BadHeader);
  EXPECT_EQ(r[1].status, FrameReader::Status::Message);
  EXPECT_EQ(r[1].body, "{}");
}

TEST(LspFraming, EndOfStreamInsideHeaderOrBodyIsEof) {
  EXPECT_EQ(readAll("Content-Len")[0].status, FrameReader::Status::Eof);
  EXPECT_EQ(readAll("Content-Length: 10\r\n\r\n{\"a\"")[0].status, FrameReader::Status::Eof);
  EXPECT_EQ(readAll("")[0].status, FrameReader::Status::Eof);
}

// --- server ------------------------------------------------------------------------------

class FakeAnalysis : public Analysis {
public:
  bool open(const std::string &root, std::string &error) override {
    std::this_thread::sleep_for(openDelay);
    this->root = root;
    if (!openError.empty()) error = openError;
    return openError.empty();
  }
  void index(const Progress &progress, const std::atomic<bool> &stop) override {
    for (size_t i = 1; i <= 4; ++i) progress(i, 4, "src/f" + std::to_string(i) + ".cpp");
    while (holdIndex && !stop) std::this_thread::sleep_for(std::chrono::milliseconds(1)); // no relink at its end
  }
  std::vector<Finding> analyze(const std::string &path, const std::string *text, std::string &) override {
    std::lock_guard<std::mutex> lock(mutex);
    analysed.push_back({path, text ? *text : "<disk>"});
    return findings;
  }
  std::vector<Finding> relink() override {
    ++relinks;
    return findings;
  }
  void close(const std::string &path) override {
    std::lock_guard<std::mutex> lock(mutex);
    closed.push_back(path);
  }
  std::vector<std::string> closed;
  bool holdIndex = false;
  std::atomic<int> relinks{0};
  std::chrono::milliseconds openDelay{0};
  std::string openError, root;
  std::vector<Finding> findings;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> analysed;
};

std::string msg(const json &m) { return frame(m.dump()); }
std::string request(int id, const std::string &method, json params = json::object()) {
  return msg({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
}
std::string notification(const std::string &method, json params = json::object()) {
  return msg({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
}
std::string initialize(int id = 1, json extra = json::object()) {
  json params = {{"processId", nullptr}, {"rootUri", "file:///tmp/ws"}, {"capabilities", json::object()}};
  params.update(extra);
  return request(id, "initialize", params) + notification("initialized");
}

struct Session {
  int status = -1;
  std::vector<json> out;
  // The messages answering request `id`, or the notifications of `method`.
  std::vector<json> byId(const json &id) const {
    std::vector<json> r;
    for (const auto &m : out)
      if (m.contains("id") && m["id"] == id && !m.contains("method")) r.push_back(m);
    return r;
  }
  std::vector<json> byMethod(const std::string &method) const {
    std::vector<json> r;
    for (const auto &m : out)
      if (m.value("method", "") == method) r.push_back(m);
    return r;
  }
  int errorCode(const json &id) const {
    auto r = byId(id);
    return r.size() == 1 && r[0].contains("error") ? r[0]["error"]["code"].get<int>() : 0;
  }
};

Session serve(const std::string &wire, FakeAnalysis &analysis, ServerOptions options = {}) {
  std::istringstream in(wire);
  std::ostringstream out;
  Session s;
  s.status = runServer(in, out, analysis, options);
  for (const auto &r : readAll(out.str()))
    if (r.status == FrameReader::Status::Message) s.out.push_back(json::parse(r.body));
  return s;
}

TEST(LspServer, RequestsBeforeInitializeAreServerNotInitialized) {
  FakeAnalysis a;
  auto s = serve(request(7, "shutdown") + notification("textDocument/didOpen") + initialize(8) + request(9, "shutdown") +
                     notification("exit"),
                 a);
  EXPECT_EQ(s.errorCode(7), kServerNotInitialized);
  ASSERT_EQ(s.byId(8).size(), 1u);
  EXPECT_EQ(s.byId(8)[0]["result"]["capabilities"]["textDocumentSync"]["change"], 1);
  EXPECT_EQ(a.root, "/tmp/ws");
  EXPECT_TRUE(s.byId(9)[0]["result"].is_null());
  EXPECT_EQ(s.status, 0);
}

TEST(LspServer, BadJsonAndNonRequestsAreAnsweredWithTheProtocolsCodes) {
  FakeAnalysis a;
  auto s = serve(frame("{not json") + frame("[1,2]") + msg({{"id", 3}, {"method", "initialize"}}) +
                     msg({{"jsonrpc", "2.0"}, {"id", 4}, {"method", 5}}) + initialize(5) + request(6, "textDocument/hover") +
                     notification("$/setTrace", {{"value", "off"}}) + notification("custom/unknown") + request(10, "shutdown") +
                     notification("exit"),
                 a);
  std::vector<int> nullIdCodes;
  for (const auto &m : s.byId(nullptr)) nullIdCodes.push_back(m["error"]["code"]);
  EXPECT_EQ(nullIdCodes, (std::vector<int>{kParseError, kInvalidRequest}));
  EXPECT_EQ(s.errorCode(3), kInvalidRequest); // no "jsonrpc": "2.0"
  EXPECT_EQ(s.errorCode(4), kInvalidRequest); // method is not a string
  EXPECT_EQ(s.errorCode(6), kMethodNotFound);
  // Unknown notifications get no answer: 2 null-id errors + 3, 4, 5, 6, 10.
  EXPECT_EQ(s.out.size(), 7u) << json(s.out).dump(1);
  EXPECT_EQ(s.status, 0);
}

TEST(LspServer, BadHeadersAreParseErrorsAndTheSessionGoesOn) {
  FakeAnalysis a;
  auto s = serve("Content-Type: x\r\n\r\n" + std::string("Content-Length: nope\r\n\r\n") + initialize(1) + request(2, "shutdown") +
                     notification("exit"),
                 a);
  EXPECT_EQ(s.byId(nullptr).size(), 2u);
  for (const auto &m : s.byId(nullptr)) EXPECT_EQ(m["error"]["code"], kParseError);
  EXPECT_TRUE(s.byId(2)[0]["result"].is_null());
  EXPECT_EQ(s.status, 0);
}

TEST(LspServer, ParamsOfTheWrongTypeAreInvalidParamsOrIgnored) {
  FakeAnalysis a;
  auto s = serve(request(1, "initialize", "not an object") +
                     initialize(2, {{"capabilities", {{"window", {{"workDoneProgress", "yes"}}}}}}) + initialize(3) +
                     notification("textDocument/didOpen", {{"textDocument", {{"uri", "file:///tmp/ws/a.cpp"}, {"text", 5}}}}) +
                     notification("textDocument/didOpen", {{"textDocument", "file:///tmp/ws/a.cpp"}}) +
                     notification("textDocument/didChange", {{"textDocument", {{"uri", 7}}}, {"contentChanges", "x"}}) +
                     msg({{"jsonrpc", "2.0"}, {"method", "$/cancelRequest"}, {"params", 3}}) + request(4, "shutdown") +
                     notification("exit"),
                 a);
  EXPECT_EQ(s.errorCode(1), kInvalidParams);
  EXPECT_EQ(s.errorCode(2), kInvalidParams); // workDoneProgress must be a boolean
  EXPECT_TRUE(s.byId(3)[0].contains("result"));
  EXPECT_TRUE(s.byId(4)[0]["result"].is_null());
  EXPECT_EQ(s.status, 0);
}

TEST(LspServer, InitializeTwiceAndRequestsAfterShutdownAreInvalid) {
  FakeAnalysis a;
  auto s = serve(initialize(1) + request(2, "initialize", {{"capabilities", json::object()}}) + request(3, "shutdown") +
                     request(4, "shutdown") + notification("exit"),
                 a);
  EXPECT_EQ(s.errorCode(2), kInvalidRequest);
  EXPECT_EQ(s.errorCode(4), kInvalidRequest);
  EXPECT_EQ(s.status, 0);
}

TEST(LspServer, ExitWithoutShutdownOrClientGoneExitsWithOne) {
  FakeAnalysis a;
  EXPECT_EQ(serve(initialize() + notification("exit"), a).status, 1);
  EXPECT_EQ(serve(initialize(), a).status, 1);                                 // EOF between messages
  EXPECT_EQ(serve(initialize() + "Content-Length: 50\r\n\r\n{\"jso", a).status, 1); // EOF mid-message
  EXPECT_EQ(serve("", a).status, 1);
}

TEST(LspServer, AWorkspaceThatCannotOpenFailsInitializeWithTheReason) {
  FakeAnalysis a;
  a.openError = ".lockcheck.json: rules: unknown rule 'x'";
  auto s = serve(initialize(1) + request(2, "shutdown"), a);
  ASSERT_EQ(s.byId(1).size(), 1u);
  EXPECT_EQ(s.byId(1)[0]["error"]["message"], a.openError);
  EXPECT_EQ(s.errorCode(2), kServerNotInitialized);
}

TEST(LspServer, CancelledQueuedRequestIsAnsweredRequestCancelled) {
  FakeAnalysis a;
  a.openDelay = std::chrono::milliseconds(300); // the cancel is read while initialize runs
  auto s = serve(initialize(1) + request(2, "textDocument/hover") +
                     notification("$/cancelRequest", {{"id", 2}}) + request(3, "shutdown") + notification("exit"),
                 a);
  EXPECT_EQ(s.errorCode(2), kRequestCancelled);
  EXPECT_EQ(s.status, 0);
}

Finding blockingFinding() {
  Finding f;
  f.rule = "blocking-under-lock";
  f.anchor = {"/tmp/ws/src/auth.cpp", 3, 12};
  f.message = "verify() blocks (crypto: crypt_r) while 'mu' is held";
  f.lock = "mu";
  f.trace = {{{"/tmp/ws/src/auth.cpp", 2, 31}, "'mu' acquired here"}, {{"/tmp/ws/src/crypto.cpp", 9, 3}, "calls crypt_r (crypto)"}};
  f.fix = "copy what crypt_r needs while 'mu' is held, release it, then call verify()";
  return f;
}

TEST(LspServer, OpenPublishesDiagnosticsWithRuleLinkAndTrace) {
  FakeAnalysis a;
  a.findings = {blockingFinding()};
  std::string text = "#include <mutex>\nvoid f() { std::lock_guard<std::mutex> lock(mu);\n  auto r = verify(p);\n}\n";
  auto s = serve(initialize(1, {{"initializationOptions", {{"docsBaseUrl", "https://example.org/rules"}}}}) +
                     notification("textDocument/didOpen", {{"textDocument", {{"uri", "file:///tmp/ws/src/auth.cpp"},
                                                                             {"languageId", "cpp"},
                                                                             {"version", 1},
                                                                             {"text", text}}}}) +
                     request(2, "shutdown") + notification("exit"),
                 a);
  ASSERT_EQ(a.analysed.size(), 1u);
  EXPECT_EQ(a.analysed[0].first, "/tmp/ws/src/auth.cpp");
  EXPECT_EQ(a.analysed[0].second, text);
  auto published = s.byMethod("textDocument/publishDiagnostics");
  ASSERT_EQ(published.size(), 1u);
  const json &p = published[0]["params"];
  EXPECT_EQ(p["uri"], "file:///tmp/ws/src/auth.cpp");
  ASSERT_EQ(p["diagnostics"].size(), 1u);
  const json &d = p["diagnostics"][0];
  EXPECT_EQ(d["range"]["start"], json({{"line", 2}, {"character", 11}}));
  EXPECT_EQ(d["range"]["end"], json({{"line", 2}, {"character", 17}})); // "verify"
  EXPECT_EQ(d["severity"], 1);
  EXPECT_EQ(d["code"], "blocking-under-lock");
  EXPECT_EQ(d["source"], "lockcheck");
  EXPECT_EQ(d["codeDescription"]["href"], "https://example.org/rules/blocking-under-lock.md");
  EXPECT_NE(d["message"].get<std::string>().find("to fix: copy what crypt_r needs"), std::string::npos);
  ASSERT_EQ(d["relatedInformation"].size(), 2u);
  EXPECT_EQ(d["relatedInformation"][0]["message"], "'mu' acquired here");
  EXPECT_EQ(d["relatedInformation"][0]["location"]["range"]["start"], json({{"line", 1}, {"character", 30}}));
  EXPECT_EQ(d["relatedInformation"][1]["location"]["uri"], "file:///tmp/ws/src/crypto.cpp");
}

// A client that sends everything at once and stays connected a while before going away.
class LingeringClient : public std::stringbuf {
public:
  using std::stringbuf::stringbuf;

protected:
  int underflow() override {
    int c = std::stringbuf::underflow();
    if (c == traits_type::eof() && !lingered_) {
      lingered_ = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
    }
    return c;
  }

private:
  bool lingered_ = false;
};

TEST(LspServer, ChangesAreDebouncedToTheLastBufferAndCloseClears) {
  FakeAnalysis a;
  std::string uri = "file:///tmp/ws/a%20b.cpp";
  std::string wire = initialize() + notification("textDocument/didOpen", {{"textDocument", {{"uri", uri}, {"version", 1}, {"text", "v1"}}}});
  for (int v = 2; v <= 5; ++v)
    wire += notification("textDocument/didChange", {{"textDocument", {{"uri", uri}, {"version", v}}},
                                                    {"contentChanges", {{{"text", "v" + std::to_string(v)}}}}});
  LingeringClient client(wire);
  std::istream in(&client);
  std::ostringstream out;
  ServerOptions options;
  options.debounce = std::chrono::milliseconds(50);
  EXPECT_EQ(runServer(in, out, a, options), 1); // the client went away without exit
  ASSERT_FALSE(a.analysed.empty());
  EXPECT_EQ(a.analysed.front().first, "/tmp/ws/a b.cpp");
  EXPECT_EQ(a.analysed.back().second, "v5");
  for (const auto &[path, text] : a.analysed) EXPECT_TRUE(text == "v1" || text == "v5") << "analysed a superseded buffer: " << text;

  FakeAnalysis b;
  auto s = serve(initialize() + notification("textDocument/didOpen", {{"textDocument", {{"uri", uri}, {"text", "x"}}}}) +
                     notification("textDocument/didClose", {{"textDocument", {{"uri", uri}}}}) + request(9, "shutdown") +
                     notification("exit"),
                 b);
  auto published = s.byMethod("textDocument/publishDiagnostics");
  ASSERT_FALSE(published.empty());
  EXPECT_TRUE(published.back()["params"]["diagnostics"].empty()); // closing clears the file's diagnostics
  EXPECT_EQ(b.closed, std::vector<std::string>{"/tmp/ws/a b.cpp"});
}

// Issue 25: closing an edited buffer hands the file back to the disk, which can clear (or
// add) findings in the buffers still open: they are re-linked and republished.
TEST(LspServer, CloseGivesTheFileBackToTheDiskAndRepublishesTheOthers) {
  FakeAnalysis a;
  a.holdIndex = true;
  std::string edited = "file:///tmp/ws/b.cpp", other = "file:///tmp/ws/a.cpp";
  // Each open is analysed before the next message is taken (its analysis is due at once).
  auto s = serve(initialize() + notification("textDocument/didOpen", {{"textDocument", {{"uri", other}, {"text", "a"}}}}) +
                     notification("textDocument/didOpen", {{"textDocument", {{"uri", edited}, {"text", "unsaved"}}}}) +
                     notification("textDocument/didClose", {{"textDocument", {{"uri", edited}}}}) + request(9, "shutdown") +
                     notification("exit"),
                 a, ServerOptions{std::chrono::milliseconds(0)});
  EXPECT_EQ(a.closed, std::vector<std::string>{"/tmp/ws/b.cpp"});
  size_t toOther = 0;
  for (const auto &m : s.byMethod("textDocument/publishDiagnostics")) toOther += m["params"]["uri"] == other;
  // Published after the open of a.cpp, of b.cpp, and again once b.cpp closed.
  EXPECT_EQ(toOther, 3u);
  EXPECT_GE(a.relinks.load(), 1);
}

TEST(LspServer, ConfigurationChangeRelinksAndRepublishesWithTheNewSettings) {
  FakeAnalysis a;
  a.findings = {blockingFinding()};
  // The client stays a while: the change is handled after the open's analysis.
  std::string wire = initialize(1, {{"initializationOptions", {{"docsBaseUrl", "https://one.example/rules"}}}}) +
                     notification("textDocument/didOpen", {{"textDocument", {{"uri", "file:///tmp/ws/src/auth.cpp"}, {"version", 1}, {"text", ""}}}}) +
                     notification("workspace/didChangeConfiguration",
                                  {{"settings", {{"lockcheck", {{"docsBaseUrl", "https://two.example/rules/"}}}}}});
  LingeringClient client(wire);
  std::istream in(&client);
  std::ostringstream out;
  runServer(in, out, a);
  std::vector<std::string> hrefs;
  for (const auto &r : readAll(out.str())) {
    if (r.status != FrameReader::Status::Message) continue;
    json m = json::parse(r.body);
    if (m.value("method", "") == "textDocument/publishDiagnostics" && !m["params"]["diagnostics"].empty())
      hrefs.push_back(m["params"]["diagnostics"][0]["codeDescription"]["href"]);
  }
  ASSERT_FALSE(hrefs.empty());
  EXPECT_EQ(hrefs.back(), "https://two.example/rules/blocking-under-lock.md");
  EXPECT_GE(a.relinks, 1); // re-linked, not re-parsed
}

TEST(LspServer, WorkDoneProgressIsCreatedThenBeginReportEnd) {
  FakeAnalysis a;
  json caps = {{"capabilities", {{"window", {{"workDoneProgress", true}}}}}};
  auto s = serve(initialize(1, caps) + msg({{"jsonrpc", "2.0"}, {"id", "lockcheck/create-progress"}, {"result", nullptr}}) +
                     notification("textDocument/didOpen", {{"textDocument", {{"uri", "file:///tmp/ws/x.cpp"}, {"version", 1}, {"text", ""}}}}),
                 a);
  auto create = s.byMethod("window/workDoneProgress/create");
  ASSERT_EQ(create.size(), 1u);
  std::string token = create[0]["params"]["token"];
  std::vector<std::string> kinds;
  for (const auto &p : s.byMethod("$/progress")) {
    EXPECT_EQ(p["params"]["token"], token);
    kinds.push_back(p["params"]["value"]["kind"]);
  }
  ASSERT_GE(kinds.size(), 3u);
  EXPECT_EQ(kinds.front(), "begin");
  EXPECT_EQ(kinds[1], "report");
  EXPECT_EQ(kinds.back(), "end");
}

TEST(LspDiagnostics, ColumnsAreUtf16Units) {
  EXPECT_EQ(utf16Units("abc", 2), 2u);
  EXPECT_EQ(utf16Units("\xc3\xa9x", 2), 1u);       // é: two bytes, one unit
  EXPECT_EQ(utf16Units("\xf0\x9f\x94\x92x", 4), 2u); // a lock emoji: four bytes, a surrogate pair
}

} // namespace
} // namespace lockcheck::lsp
