#include "driver/facts_loader.h"

#include "facts/facts_stream.h"
#include "support/bounded_read.h"

#include <algorithm>
#include <condition_variable>
#include <malloc.h>
#include <mutex>
#include <optional>
#include <thread>

namespace lockcheck {
namespace {

struct Decoded {
  bool ok = false;
  std::string error;
  StreamedFacts facts;
};

// `text` is the caller's buffer, reused from file to file: a fresh one for each file took a
// page fault for every 4 KiB of the 8 GB that a link of 10^5 TUs reads.
Decoded decode(const std::string &path, SeenKeys *seen, std::string &text) {
  Decoded d;
  std::string why;
  if (!readBounded(path, kFactsFileLimit, text, why)) d.error = "cannot read facts file: " + why;
  else d.ok = readFacts(text, seen, d.facts, d.error);
  return d;
}

// Decoded files not yet merged, per thread: bounds memory whatever the number of files.
constexpr size_t kWindow = 256;

} // namespace

unsigned loadFacts(const std::vector<std::string> &paths, unsigned jobs, ProgramLinker &linker,
                   std::vector<InputError> &errors, const std::function<bool(const TUFacts &)> &keep) {
  const size_t n = paths.size();
  const unsigned threads = static_cast<unsigned>(std::clamp<size_t>(jobs, 1, std::max<size_t>(n, 1)));
  std::vector<std::optional<Decoded>> ready(n);
  std::mutex mu;
  std::condition_variable decodedOne, mergedOne;
  size_t merged = 0;
  // Thread t decodes files t, t + threads, ... in order with its own SeenKeys: a key it
  // skips was in one of its earlier files, which is merged before this one.
  auto work = [&](unsigned t) {
    SeenKeys seen;
    std::string text;
    for (size_t i = t; i < n; i += threads) {
      {
        std::unique_lock lock(mu);
        mergedOne.wait(lock, [&] { return i < merged + kWindow * threads; });
      }
      Decoded d = decode(paths[i], &seen, text);
      std::lock_guard lock(mu);
      ready[i] = std::move(d);
      decodedOne.notify_all();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work, t);
  unsigned added = 0;
  std::string text; // for the files decoded again here
  for (size_t i = 0; i < n; ++i) {
    Decoded d;
    {
      std::unique_lock lock(mu);
      decodedOne.wait(lock, [&] { return ready[i].has_value(); });
      d = std::move(*ready[i]);
      ready[i].reset();
      ++merged;
      mergedOne.notify_all();
    }
    // A skipped definition or key that is not merged yet (its earlier file failed, or two
    // shared a hash): decode this file in full instead.
    auto known = [&](const StreamedFacts &f) {
      return std::all_of(f.skippedFunctions.begin(), f.skippedFunctions.end(),
                         [&](const SkippedDefinition &d) { return linker.defines(d.key, d.where); }) &&
             std::all_of(f.skippedDecls.begin(), f.skippedDecls.end(),
                         [&](const InternedString &k) { return linker.declares(k); });
    };
    if (d.ok && !known(d.facts)) d = decode(paths[i], nullptr, text);
    if (!d.ok) {
      errors.push_back(InputError{paths[i], d.error});
      continue;
    }
    if (keep && !keep(d.facts.facts)) continue; // a later file that relied on its keys is decoded in full (known())
    linker.add(std::move(d.facts.facts));
    ++added;
  }
  for (auto &t : pool) t.join();
#ifdef __GLIBC__
  // The decoding threads' arenas now hold only holes (their files are merged, their key
  // tables gone); hand those pages back before the solver grows the main arena.
  malloc_trim(0);
#endif
  return added;
}

} // namespace lockcheck
