// The fuzz targets (tests/fuzz, docs/design.md "Fuzzing") in the ordinary build: each replays
// its corpus in the repository (the seeds and every input a fuzzer once failed on) and
// deterministic mutations of it (byte flips, cuts, repeats, JSON tokens), so their checks
// hold in every test run and under ASan/UBSan (ci/sanitize-checker.sh), not only while
// ci/fuzz.sh runs the fuzzers. This folds in the former parser_fuzz_test.cpp, whose two
// seeds are in the rule_pack and config corpora.
#include "fuzz_target.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace lockcheck::fuzz {
namespace {
namespace fs = std::filesystem;

const fs::path kFuzzDir = LOCKCHECK_FUZZ_DIR;

std::vector<std::string> corpus(const std::string &target) {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (fs::directory_iterator it(kFuzzDir / target / "corpus", ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file()) paths.push_back(it->path());
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> inputs;
  for (const auto &p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    inputs.push_back(bytes.str());
  }
  return inputs;
}

std::string mutate(std::string text, std::mt19937 &rng) {
  if (text.empty()) return text;
  std::uniform_int_distribution<size_t> pos(0, text.size() - 1);
  static const char *tokens[] = {"{", "}", "[", "]", "\"", ",", ":", "null", "true", "-1", "1e400", "4294967296",
                                 "\"\\u0000\"", "{}", "[]", "Content-Length: 3\r\n"};
  switch (rng() % 6) {
  case 0: text[pos(rng)] = static_cast<char>(rng() & 0xff); break;
  case 1: text.resize(pos(rng)); break;
  case 2: text.insert(pos(rng), tokens[rng() % std::size(tokens)]); break;
  case 3: text.erase(pos(rng), 1 + rng() % 8); break;
  case 4: {
    size_t p = pos(rng);
    text.insert(p, text.substr(p, 1 + rng() % 32));
    break;
  }
  default: { // swap a value's type
    size_t colon = text.find(':', pos(rng));
    if (colon != std::string::npos) text.insert(colon + 1, rng() % 2 ? "[" : "42,");
  }
  }
  return text;
}

void run(const Registered &t, const std::string &input) {
  t.target(reinterpret_cast<const std::uint8_t *>(input.data()), input.size());
}

std::string failures() {
  std::string text;
  for (const auto &f : failedChecks()) text += "  " + f + "\n";
  return text;
}

TEST(FuzzCorpus, EveryTargetHasACorpusAndEveryCorpusATarget) {
  std::vector<std::string> registered, corpora;
  for (const auto &t : targets()) registered.push_back(t.name);
  for (const auto &entry : fs::directory_iterator(kFuzzDir))
    if (fs::is_directory(entry.path() / "corpus")) corpora.push_back(entry.path().filename().string());
  std::sort(registered.begin(), registered.end());
  std::sort(corpora.begin(), corpora.end());
  EXPECT_EQ(registered, corpora);
  for (const auto &t : targets()) EXPECT_FALSE(corpus(t.name).empty()) << t.name;
}

TEST(FuzzCorpus, SeedsAndTheirMutationsHoldEveryCheck) {
  std::mt19937 rng(20261205);
  for (const auto &t : targets()) {
    failedChecks().clear();
    std::vector<std::string> inputs = corpus(t.name);
    for (const auto &input : inputs) run(t, input);
    EXPECT_TRUE(failedChecks().empty()) << t.name << ", corpus as it is:\n" << failures();
    failedChecks().clear();
    // About 2,000 mutants per target, as the former test ran per parser.
    size_t rounds = 2000 / std::max<size_t>(inputs.size(), 1) + 1;
    for (const auto &input : inputs)
      for (size_t i = 0; i < rounds && failedChecks().empty(); ++i) {
        std::string text = input;
        for (int m = 0, n = 1 + static_cast<int>(rng() % 4); m < n; ++m) text = mutate(text, rng);
        run(t, text);
        if (!failedChecks().empty()) ADD_FAILURE() << t.name << ", a mutant of a seed:\n" << failures() << "input:\n" << text;
      }
  }
}

} // namespace
} // namespace lockcheck::fuzz
