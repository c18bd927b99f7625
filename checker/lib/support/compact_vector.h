// A vector that is one pointer wide: its size and capacity live in front of its elements,
// and an empty one holds no block. For lists that are usually empty but sit in every one
// of millions of structs (a call's argument locks, callables, streams and unshared
// objects: a link of 10^5 TUs holds ~9 million calls, docs/performance.md), where a
// std::vector's 24 bytes are mostly spent on nothing. Elements are contiguous, so a
// std::span can view them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <utility>
#include <vector>

namespace lockcheck {

template <class T> class CompactVector {
public:
  using value_type = T;
  using size_type = std::size_t;
  using iterator = T *;
  using const_iterator = const T *;
  using reference = T &;
  using const_reference = const T &;

  CompactVector() noexcept = default;
  CompactVector(std::initializer_list<T> items) { assignCopies(items.begin(), items.size()); }
  CompactVector(const std::vector<T> &items) { assignCopies(items.data(), items.size()); }
  CompactVector(std::vector<T> &&items) {
    reserve(items.size());
    for (T &item : items) new (end()) T(std::move(item)), ++block_->size;
  }
  CompactVector(const CompactVector &other) { assignCopies(other.data(), other.size()); }
  CompactVector(CompactVector &&other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  CompactVector &operator=(const CompactVector &other) {
    if (this != &other) {
      CompactVector copy(other);
      swap(copy);
    }
    return *this;
  }
  CompactVector &operator=(CompactVector &&other) noexcept {
    CompactVector moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~CompactVector() { clear(); }

  void swap(CompactVector &other) noexcept { std::swap(block_, other.block_); }

  size_type size() const noexcept { return block_ ? block_->size : 0; }
  size_type capacity() const noexcept { return block_ ? block_->capacity : 0; }
  bool empty() const noexcept { return size() == 0; }
  T *data() noexcept { return block_ ? elements(block_) : nullptr; }
  const T *data() const noexcept { return block_ ? elements(block_) : nullptr; }
  iterator begin() noexcept { return data(); }
  iterator end() noexcept { return data() + size(); }
  const_iterator begin() const noexcept { return data(); }
  const_iterator end() const noexcept { return data() + size(); }
  T &operator[](size_type i) noexcept { return data()[i]; }
  const T &operator[](size_type i) const noexcept { return data()[i]; }
  T &front() noexcept { return *data(); }
  const T &front() const noexcept { return *data(); }
  T &back() noexcept { return end()[-1]; }
  const T &back() const noexcept { return end()[-1]; }

  void push_back(const T &item) { emplace_back(item); }
  void push_back(T &&item) { emplace_back(std::move(item)); }
  template <class... Args> T &emplace_back(Args &&...args) {
    if (size() < capacity()) {
      T *slot = new (end()) T(std::forward<Args>(args)...);
      ++block_->size;
      return *slot;
    }
    // The new element first: an argument may refer to an element of this vector.
    Block *grown = allocate(std::max<size_type>(1, 2 * capacity()));
    T *slot = new (elements(grown) + size()) T(std::forward<Args>(args)...);
    moveInto(grown);
    ++block_->size;
    return *slot;
  }
  void reserve(size_type n) {
    if (n > capacity()) moveInto(allocate(n));
  }
  void resize(size_type n) {
    reserve(n);
    while (size() < n) new (end()) T(), ++block_->size;
    while (size() > n) std::destroy_at(&back()), --block_->size;
  }
  void clear() noexcept {
    if (!block_) return;
    std::destroy(begin(), end());
    ::operator delete(block_);
    block_ = nullptr;
  }

  friend bool operator==(const CompactVector &a, const CompactVector &b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

private:
  struct alignas(alignof(T) > 8 ? alignof(T) : 8) Block {
    std::uint32_t size, capacity;
  };
  static T *elements(Block *b) noexcept { return reinterpret_cast<T *>(b + 1); }
  static const T *elements(const Block *b) noexcept { return reinterpret_cast<const T *>(b + 1); }
  static Block *allocate(size_type n) {
    void *raw = ::operator new(sizeof(Block) + n * sizeof(T));
    return new (raw) Block{0, static_cast<std::uint32_t>(n)};
  }
  // Moves the elements into `grown` (of a larger capacity), which then replaces the block.
  void moveInto(Block *grown) noexcept {
    if (block_) {
      T *to = elements(grown);
      for (T &item : *this) new (to++) T(std::move(item));
      grown->size = block_->size;
      clear();
    }
    block_ = grown;
  }
  void assignCopies(const T *items, size_type n) {
    if (n == 0) return;
    reserve(n);
    for (size_type i = 0; i < n; ++i) new (end()) T(items[i]), ++block_->size;
  }

  Block *block_ = nullptr;
};

// nlohmann::json conversion (the facts file), found by argument-dependent lookup.
template <class Json, class T> void to_json(Json &j, const CompactVector<T> &items) {
  j = Json::array();
  for (const T &item : items) j.push_back(item);
}

} // namespace lockcheck
