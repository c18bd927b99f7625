#include "support/interned_string.h"

#include <array>
#include <bit>
#include <deque>
#include <mutex>
#include <ostream>
#include <vector>

namespace lockcheck {
namespace {

using Entry = InternedString::Entry;

// An entry's place in a shard's table: its hash beside its address, so that a probe and a
// rehash compare hashes without reading the entry (one cache miss each, at millions of
// texts), and only a matching hash reads the text.
struct Slot {
  std::size_t hash;
  const Entry *entry; // null: free
};

// Open addressing, linear probing, at most half full. Entries live in a deque, which
// never moves them, so an interned pointer stays valid for the life of the process.
class Table {
public:
  const Entry *intern(std::string_view text, std::size_t hash) {
    if (2 * (used_ + 1) > slots_.size()) grow();
    for (std::size_t i = home(hash);; i = (i + 1) & (slots_.size() - 1)) {
      Slot &slot = slots_[i];
      if (!slot.entry) {
        slot = Slot{hash, &entries_.emplace_back(Entry{std::string(text), hash})};
        ++used_;
        return slot.entry;
      }
      if (slot.hash == hash && slot.entry->text == text) return slot.entry;
    }
  }

private:
  // Fibonacci hashing: every bit of the hash counts (a shard's texts share the bits that
  // chose the shard).
  std::size_t home(std::size_t hash) const { return (hash * 0x9E3779B97F4A7C15ull) >> shift_; }
  void grow() {
    std::vector<Slot> old(slots_.empty() ? 256 : 2 * slots_.size(), Slot{0, nullptr});
    old.swap(slots_);
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(slots_.size()));
    for (const Slot &s : old) {
      if (!s.entry) continue;
      std::size_t i = home(s.hash);
      while (slots_[i].entry) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  unsigned shift_ = 64;
  std::deque<Entry> entries_;
};

// Sharded so that decoding threads rarely wait on each other.
struct alignas(64) Shard { // its own cache lines: the decoding threads do not share them
  std::mutex mu;
  Table table;
};
constexpr std::size_t kShards = 64;
constexpr std::size_t kRecent = 8192; // 128 KiB a thread

std::array<Shard, kShards> &shards() {
  // Never destroyed: static objects holding interned strings may outlive any order of
  // destruction, and the texts live until the process ends anyway.
  static auto *pool = new std::array<Shard, kShards>();
  return *pool;
}

const Entry &emptyEntry() {
  static const Entry *empty = new Entry{std::string(), std::hash<std::string_view>{}({})};
  return *empty;
}

} // namespace

InternedString::InternedString() noexcept : text_(&emptyEntry()) {}

InternedString::InternedString(std::string_view text) {
  if (text.empty()) {
    text_ = &emptyEntry();
    return;
  }
  std::size_t hash = std::hash<std::string_view>{}(text);
  // Texts repeat close together (a TU's file path in every source point, the callees
  // every TU calls): a per-thread direct-mapped memo answers those with one compare,
  // no lock and no miss in the pool's large tables. It keeps the hash, so a slot that
  // holds another text is told apart without reading that text.
  thread_local std::array<Slot, kRecent> recent{};
  Slot &memo = recent[hash % kRecent];
  if (memo.entry && memo.hash == hash && memo.entry->text == text) {
    text_ = memo.entry;
    return;
  }
  Shard &shard = shards()[(hash >> 7) % kShards]; // not the low bits the memo uses
  std::lock_guard lock(shard.mu);
  text_ = shard.table.intern(text, hash);
  memo = Slot{hash, text_};
}

std::ostream &operator<<(std::ostream &out, const InternedString &s) { return out << s.str(); }

} // namespace lockcheck
