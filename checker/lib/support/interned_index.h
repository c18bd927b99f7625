// A map from interned strings to small numbers, for the link phase's "key -> function
// number" lookups (millions of them at 10^5 TUs): open addressing over the strings'
// identities, so a lookup is one probe into one flat array, where a node-based hash map
// costs a bucket, a node and their cache misses.
#pragma once

#include "support/interned_string.h"

#include <cstdint>
#include <vector>

namespace lockcheck {

class InternedIndex {
public:
  static constexpr int kAbsent = -2; // find() of a key never set

  // Sets `key`'s number, adding the key if it is new.
  void set(const InternedString &key, int value) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    Slot &s = slots_[slotOf(key)];
    if (s.key.empty()) ++used_;
    s = {key, value};
  }
  int find(const InternedString &key) const {
    if (slots_.empty() || key.empty()) return kAbsent;
    const Slot &s = slots_[slotOf(key)];
    return s.key.empty() ? kAbsent : s.value;
  }
  bool contains(const InternedString &key) const { return find(key) != kAbsent; }
  size_t size() const { return used_; }

private:
  struct Slot {
    InternedString key; // empty: free (the empty string is never a key)
    int value = 0;
  };
  // The key's slot, or the free slot where it would go (the table is at most half full).
  size_t slotOf(const InternedString &key) const {
    size_t mask = slots_.size() - 1;
    for (size_t i = (InternedString::IdentityHash{}(key) * 0x9E3779B97F4A7C15ull >> 24) & mask;; i = (i + 1) & mask)
      if (slots_[i].key.empty() || slots_[i].key == key) return i;
  }
  void grow() {
    std::vector<Slot> old(slots_.empty() ? 1024 : 2 * slots_.size());
    old.swap(slots_);
    for (const Slot &s : old)
      if (!s.key.empty()) slots_[slotOf(s.key)] = s;
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

} // namespace lockcheck
