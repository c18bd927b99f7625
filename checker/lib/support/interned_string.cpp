#include "support/interned_string.h"

#include <array>
#include <mutex>
#include <ostream>
#include <unordered_set>

namespace lockcheck {
namespace {

using Entry = InternedString::Entry;

struct EntryHash {
  using is_transparent = void;
  std::size_t operator()(const Entry &e) const noexcept { return e.hash; }
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};
struct EntryEq {
  using is_transparent = void;
  bool operator()(const Entry &a, const Entry &b) const noexcept { return a.text == b.text; }
  bool operator()(std::string_view a, const Entry &b) const noexcept { return a == b.text; }
  bool operator()(const Entry &a, std::string_view b) const noexcept { return a.text == b; }
};

// Sharded so that decoding threads rarely wait on each other. Nodes of an unordered_set
// never move, so an interned pointer stays valid for the life of the process.
struct Shard {
  std::mutex mu;
  std::unordered_set<Entry, EntryHash, EntryEq> entries;
};
constexpr std::size_t kShards = 64;

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
  Shard &shard = shards()[(hash >> 7) % kShards]; // not the low bits the set's buckets use
  std::lock_guard lock(shard.mu);
  auto it = shard.entries.find(text);
  if (it == shard.entries.end()) it = shard.entries.insert(Entry{std::string(text), hash}).first;
  text_ = &*it;
}

std::ostream &operator<<(std::ostream &out, const InternedString &s) { return out << s.str(); }

} // namespace lockcheck
