#include "item_cache.h"

#include <utility>

namespace lcs {

ItemCache::ItemCache(std::size_t max_entries) : max_(max_entries) {
  map_.reserve(std::min<std::size_t>(max_entries, 1 << 16));
}

ItemCache::Result ItemCache::get(std::int64_t id, CachedItem& out, double* lock_wait_ms) {
  SharedLock lk(mu_, std::defer_lock);
  if (!lk.try_lock(lock_wait_ms)) return Result::lock_timeout;
  auto it = map_.find(id);
  if (it == map_.end()) return Result::miss;
  out = it->second;
  return Result::hit;
}

bool ItemCache::put(std::int64_t id, CachedItem item, double* lock_wait_ms) {
  // Build the node outside the lock so the locked part does not allocate.
  Map staging;
  staging.emplace(id, std::move(item));
  auto node = staging.extract(id);
  {
    ExclusiveLock lk(mu_, std::defer_lock);
    if (!lk.try_lock(lock_wait_ms)) return false;
    auto it = map_.find(id);
    if (it != map_.end()) {
      if (it->second.version < node.mapped().version) std::swap(it->second, node.mapped());
    } else if (map_.size() < max_) {
      map_.insert(std::move(node));
    }
  }
  return true;  // whatever is left in `node` is freed here, unlocked
}

}  // namespace lcs
