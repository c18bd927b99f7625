#include "support/interned_string.h"

#include <array>
#include <mutex>
#include <ostream>
#include <unordered_set>

namespace lockcheck {
namespace {

using Entry = InternedString::Entry;

// Looked up by text and its hash, computed once; a chain's other entries are told apart
// by their stored hash before their text is read (which would be one more cache miss).
struct Probe {
  std::string_view text;
  std::size_t hash;
};
struct EntryHash {
  using is_transparent = void;
  std::size_t operator()(const Entry &e) const noexcept { return e.hash; }
  std::size_t operator()(const Probe &p) const noexcept { return p.hash; }
};
struct EntryEq {
  using is_transparent = void;
  bool operator()(const Entry &a, const Entry &b) const noexcept { return a.hash == b.hash && a.text == b.text; }
  bool operator()(const Probe &a, const Entry &b) const noexcept { return a.hash == b.hash && a.text == b.text; }
  bool operator()(const Entry &a, const Probe &b) const noexcept { return a.hash == b.hash && a.text == b.text; }
};

// Sharded so that decoding threads rarely wait on each other. Nodes of an unordered_set
// never move, so an interned pointer stays valid for the life of the process.
struct alignas(64) Shard { // its own cache lines: the decoding threads do not share them
  std::mutex mu;
  std::unordered_set<Entry, EntryHash, EntryEq> entries;
};
constexpr std::size_t kShards = 64;
constexpr std::size_t kRecent = 16384; // 128 KiB a thread

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
  // no lock and no miss in the pool's large tables.
  thread_local std::array<const Entry *, kRecent> recent{};
  const Entry *&memo = recent[hash % kRecent];
  if (memo && memo->hash == hash && memo->text == text) {
    text_ = memo;
    return;
  }
  Shard &shard = shards()[(hash >> 7) % kShards]; // not the low bits the set's buckets use
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(Probe{text, hash});
  if (it == shard.entries.end()) it = shard.entries.insert(Entry{std::string(text), hash}).first;
  text_ = memo = &*it;
}

std::ostream &operator<<(std::ostream &out, const InternedString &s) { return out << s.str(); }

} // namespace lockcheck
