// support/strict_json (issue 25): every JSON and CBOR document lockcheck reads is bounded in
// depth (the walks over a value recurse; nlohmann's CBOR reader does too), and the checks
// for the files users write (duplicate keys, NULs) name where.
#include "support/bounded_read.h"
#include "support/strict_json.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace lockcheck {
namespace {
using nlohmann::json;

TEST(StrictJson, NestingBeyondTheLimitIsAnErrorNamingWhereItStarts) {
  std::string deep = R"({"a": [)" + std::string(30000, '[') + std::string(30000, ']') + "]}";
  json out;
  strict_json::Error e;
  ASSERT_FALSE(strict_json::parse(deep, out, e));
  EXPECT_EQ(e.kind, strict_json::Error::TooDeep);
  EXPECT_EQ(strict_json::describe(e), "a[0][0]...: nested deeper than 256 levels");
  EXPECT_EQ(strict_json::pointer(e.path), "/a/0/0/...");
  // 256 levels are read.
  std::string ok = std::string(255, '[') + "1" + std::string(255, ']');
  EXPECT_TRUE(strict_json::parse("[" + ok + "]", out, e)) << strict_json::describe(e);
  EXPECT_FALSE(strict_json::parse("[[" + ok + "]]", out, e));
}

TEST(StrictJson, CborNestedAMillionDeepIsAnErrorNotAStackOverflow) {
  std::string deep(1000000, '\x81');
  deep += '\xf6';
  json out;
  strict_json::Error e;
  EXPECT_FALSE(strict_json::parseCbor(deep, out, e));
  EXPECT_EQ(e.kind, strict_json::Error::TooDeep);
  json value = {{"file", "a.cpp"}, {"deps", {{"x", "1", "2"}}}, {"n", -3}, {"f", 1.5}};
  std::vector<std::uint8_t> bytes = json::to_cbor(value);
  ASSERT_TRUE(strict_json::parseCbor(std::string(bytes.begin(), bytes.end()), out, e)) << strict_json::describe(e);
  EXPECT_EQ(out, value);
  std::vector<std::uint8_t> binary = json::to_cbor(json::binary({1, 2, 3}));
  EXPECT_FALSE(strict_json::parseCbor(std::string(binary.begin(), binary.end()), out, e));
  EXPECT_FALSE(strict_json::parseCbor(std::string(bytes.begin(), bytes.end() - 1), out, e)); // cut short
}

TEST(StrictJson, CborTextStringsMustBeUtf8) {
  // A CBOR text string of bytes that are not UTF-8 would throw later, when the value is
  // written as JSON (the fuzzer's cache_entry crash): it is an error when read.
  json out;
  strict_json::Error e;
  for (std::string bad : {std::string("\xff"), std::string("a\xc3"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80")}) {
    std::vector<std::uint8_t> value = json::to_cbor(json{{"file", bad}});
    EXPECT_FALSE(strict_json::parseCbor(std::string(value.begin(), value.end()), out, e)) << json(bad).dump(-1, ' ', false, json::error_handler_t::replace);
    std::vector<std::uint8_t> key = json::to_cbor(json{{bad, 1}});
    EXPECT_FALSE(strict_json::parseCbor(std::string(key.begin(), key.end()), out, e));
  }
  std::vector<std::uint8_t> good = json::to_cbor(json{{"f\xc3\xa9", "\xf0\x9f\x94\x92 \xe2\x82\xac"}});
  EXPECT_TRUE(strict_json::parseCbor(std::string(good.begin(), good.end()), out, e)) << strict_json::describe(e);
}

TEST(StrictJson, DuplicateKeysAndNulsAsTheOptionsSay) {
  json out;
  strict_json::Error e;
  EXPECT_FALSE(strict_json::parse(R"({"a": {"b": 1, "b": 2}})", out, e));
  EXPECT_EQ(strict_json::describe(e), "a.b: duplicate key");
  EXPECT_FALSE(strict_json::parse(R"({"a": ["x", "y\u0000"]})", out, e));
  EXPECT_EQ(strict_json::describe(e), "a[1]: NUL character (\\u0000) in a string");
  ASSERT_TRUE(strict_json::parse(R"({"a": {"b": 1, "b": 2}, "c": "\u0000"})", out, e, strict_json::kBoundedOnly));
  EXPECT_EQ(out["a"]["b"], 2); // the last, as the standard parser keeps it
  EXPECT_FALSE(strict_json::parse("{\"a\": 1", out, e));
  EXPECT_EQ(e.kind, strict_json::Error::Syntax);
  EXPECT_EQ(e.line, 1u);
}

TEST(BoundedRead, EndlessAndOversizedFilesStopAtTheLimit) {
  std::string out, why;
  EXPECT_FALSE(readBounded("/dev/zero", kMiB, out, why));
  EXPECT_EQ(why, "larger than the 1 MiB limit");
  EXPECT_TRUE(out.empty());
  auto path = std::filesystem::temp_directory_path() / ("lockcheck-bounded-" + std::to_string(::getpid()));
  { std::ofstream(path) << std::string(kMiB + 1, 'x'); }
  EXPECT_FALSE(readBounded(path.string(), kMiB, out, why));
  EXPECT_EQ(why, "larger than the 1 MiB limit");
  EXPECT_TRUE(readBounded(path.string(), 2 * kMiB, out, why)) << why;
  EXPECT_EQ(out.size(), kMiB + 1);
  std::filesystem::remove(path);
  EXPECT_FALSE(readBounded(path.string(), kMiB, out, why));
  EXPECT_EQ(why, "No such file or directory");
  EXPECT_FALSE(readBounded(std::filesystem::temp_directory_path().string(), kMiB, out, why));
  EXPECT_EQ(why, "Is a directory");
}

} // namespace
} // namespace lockcheck
