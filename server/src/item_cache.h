#pragma once
// Read-through cache of rendered item bodies behind a shared timed mutex,
// taken only through the bounded helpers. Under the lock: a hash lookup and
// a shared_ptr copy, or the splice of a node built outside the lock.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "bounded_lock.h"

namespace lcs {

struct CachedItem {
  std::shared_ptr<const std::string> body;  // the JSON response body
  std::int64_t version = 0;
};

class ItemCache {
 public:
  enum class Result { hit, miss, lock_timeout };

  explicit ItemCache(std::size_t max_entries);
  Result get(std::int64_t id, CachedItem& out, double* lock_wait_ms) EXCLUDES(mu_);
  // Stores `item` unless a newer version is cached. False on lock timeout.
  bool put(std::int64_t id, CachedItem item, double* lock_wait_ms) EXCLUDES(mu_);

 private:
  using Map = std::unordered_map<std::int64_t, CachedItem>;
  std::size_t max_;
  SharedTimedMutex mu_;
  Map map_ GUARDED_BY(mu_);
};

}  // namespace lcs
