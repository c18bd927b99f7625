// One harness per parser of untrusted bytes (docs/design.md "Fuzzing"). Each file defines
// its target with LOCKCHECK_FUZZ_TARGET(name); built by ci/fuzz.sh with clang++-19's
// -fsanitize=fuzzer it is that fuzzer's entry point, and built into the unit tests it is
// one of the targets tests/unit/fuzz_corpus_test.cpp replays over tests/fuzz/<name>/corpus.
// FUZZ_CHECK states what must hold beyond "no crash": a failed check aborts the fuzzer
// (a finding it saves) and fails the unit test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck::fuzz {

using Target = int (*)(const std::uint8_t *data, std::size_t size);
struct Registered {
  std::string name;
  Target target;
};
// The unit tests' view: every target linked in, and the checks that failed so far.
bool registerTarget(const char *name, Target target);
const std::vector<Registered> &targets();
std::vector<std::string> &failedChecks();

[[noreturn]] void abortFuzzer(const char *file, int line, const char *condition);
void checkFailed(const char *file, int line, const char *condition);

// A scratch directory for targets that read files, made once per process.
const std::string &scratchDirectory();
// Writes `bytes` to a file in the scratch directory and returns its path.
std::string scratchFile(const char *name, std::string_view bytes);

} // namespace lockcheck::fuzz

#ifdef LOCKCHECK_LIBFUZZER
#define LOCKCHECK_FUZZ_TARGET(name) extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
#define FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : lockcheck::fuzz::abortFuzzer(__FILE__, __LINE__, #condition))
#else
#define LOCKCHECK_FUZZ_TARGET(name)                                                                  \
  static int fuzz_##name(const std::uint8_t *data, std::size_t size);                                \
  [[maybe_unused]] static const bool registered_##name = lockcheck::fuzz::registerTarget(#name, fuzz_##name); \
  static int fuzz_##name(const std::uint8_t *data, std::size_t size)
#define FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : lockcheck::fuzz::checkFailed(__FILE__, __LINE__, #condition))
#endif
