// Fuzz-style robustness test for the two JSON parsers users feed by hand: rule packs and
// .lockcheck.json. Deterministic mutations (byte flips, truncation, duplication, type
// swaps) of valid documents must give either success or an error message — never a
// crash, a hang or an exception. Run under ASan/UBSan in the sanitizer job.
#include "config/config.h"
#include "config/rule_pack.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

using namespace lockcheck;

namespace {

const char *kPack = R"({"lockcheck_pack": 1, "name": "fuzz", "description": "d",
  "blocking": [{"name": "crypt_r", "category": "crypto"}, {"name": "ns::*", "category": "io"}],
  "blocking_types": [{"type": "std::basic_ifstream", "category": "io"}],
  "nonblocking": ["ns::fast"],
  "waits": [{"name": "cv::wait", "releases_arg": 0}],
  "lock_types": [{"type": "my::Mutex", "acquire": ["Lock"], "release": ["Unlock"], "recursive": false}],
  "guard_types": [{"type": "my::Guard", "shared": false, "movable": true}],
  "lock_functions": [{"name": "my_lock", "op": "acquire", "arg": 0}, {"name": "my_trylock", "op": "try_acquire", "arg": "all", "success": "zero"}],
  "invokes_callable": ["my::run"], "handlers": ["api::*"]})";

const char *kConfig = R"({"rules": {"manual-lock": "off", "double-lock": "warning"},
  "handlers": ["api::*"], "exclude": ["third_party/**"], "fail_on": "error", "extra_args": ["-DX=1"]})";

std::string mutate(std::string text, std::mt19937 &rng) {
  std::uniform_int_distribution<int> kind(0, 5);
  if (text.empty()) return text;
  std::uniform_int_distribution<size_t> pos(0, text.size() - 1);
  static const char *tokens[] = {"{", "}", "[", "]", "\"", ",", ":", "null", "true", "-1", "1e400", "\"\\u0000\"", "{}", "[]"};
  switch (kind(rng)) {
  case 0: text[pos(rng)] = static_cast<char>(rng() & 0xff); break;
  case 1: text.resize(pos(rng)); break;
  case 2: text.insert(pos(rng), tokens[rng() % std::size(tokens)]); break;
  case 3: text.erase(pos(rng), 1 + rng() % 8); break;
  case 4: { size_t p = pos(rng); text.insert(p, text.substr(p, 1 + rng() % 32)); break; }
  default: { // swap a value's type
    size_t colon = text.find(':', pos(rng));
    if (colon != std::string::npos) text.insert(colon + 1, rng() % 2 ? "[" : "42,");
  }
  }
  return text;
}

} // namespace

TEST(ParserFuzz, RulePacksNeverCrashAndAlwaysExplain) {
  std::mt19937 rng(20261123);
  std::string error;
  RulePacks valid;
  ASSERT_TRUE(valid.loadText(kPack, "fuzz.json", error)) << error;
  for (int i = 0; i < 3000; ++i) {
    std::string text = kPack;
    for (int m = 0, n = 1 + static_cast<int>(rng() % 4); m < n; ++m) text = mutate(text, rng);
    RulePacks packs;
    error.clear();
    bool ok = false;
    EXPECT_NO_THROW(ok = packs.loadText(text, "fuzz.json", error));
    if (!ok) {
      EXPECT_FALSE(error.empty()) << "no message for: " << text;
      EXPECT_NE(error.find("fuzz.json"), std::string::npos) << error;
    }
    packs.blocking("crypt_r"); // queries on a half-loaded pack are safe
  }
}

TEST(ParserFuzz, ConfigNeverCrashesAndAlwaysExplains) {
  std::mt19937 rng(7);
  auto path = std::filesystem::temp_directory_path() / ("lockcheck-fuzz-" + std::to_string(::getpid()) + ".json");
  for (int i = 0; i < 2000; ++i) {
    std::string text = kConfig;
    for (int m = 0, n = 1 + static_cast<int>(rng() % 4); m < n; ++m) text = mutate(text, rng);
    { std::ofstream(path) << text; }
    Config config;
    std::string error;
    bool ok = false;
    EXPECT_NO_THROW(ok = loadConfig(path.string(), config, error));
    if (!ok) {
      EXPECT_FALSE(error.empty()) << "no message for: " << text;
    }
  }
  std::filesystem::remove(path);
}
