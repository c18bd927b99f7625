// Interned strings: each distinct string stored once and named by a 32-bit id, for tables
// that repeat the same few texts millions of times (the link phase's trace steps).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lockcheck {

class StringPool {
public:
  using Id = std::uint32_t;
  Id intern(std::string_view text) {
    if (auto it = ids_.find(text); it != ids_.end()) return it->second;
    const std::string &stored = strings_.emplace_back(text); // a deque: never moves, views stay valid
    Id id = static_cast<Id>(strings_.size() - 1);
    ids_.emplace(stored, id);
    return id;
  }
  const std::string &operator[](Id id) const { return strings_[id]; }

private:
  std::deque<std::string> strings_;
  std::unordered_map<std::string_view, Id> ids_;
};

} // namespace lockcheck
