// CompactVector (support/compact_vector.h): a pointer-wide vector for the lists the link
// phase holds millions of, mostly empty. It must behave as the std::vector it replaced.
#include "support/compact_vector.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

namespace lockcheck {
namespace {

TEST(CompactVector, IsOnePointerAndEmptyHoldsNoBlock) {
  static_assert(sizeof(CompactVector<std::string>) == sizeof(void *));
  CompactVector<int> v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.size(), 0u);
  EXPECT_EQ(v.capacity(), 0u);
  EXPECT_EQ(v.begin(), v.end());
}

TEST(CompactVector, GrowsKeepingItsElements) {
  CompactVector<std::string> v;
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    std::string text = "a string longer than the in-place buffer #" + std::to_string(i);
    v.push_back(text);
    expected.push_back(text);
  }
  ASSERT_EQ(v.size(), expected.size());
  EXPECT_TRUE(std::equal(v.begin(), v.end(), expected.begin()));
  EXPECT_EQ(v.front(), expected.front());
  EXPECT_EQ(v.back(), expected.back());
  EXPECT_EQ(v[42], expected[42]);
}

TEST(CompactVector, PushingItsOwnElementWhileGrowing) {
  CompactVector<std::string> v{"first element, long enough to live on the heap"};
  for (int i = 0; i < 10; ++i) v.push_back(v.front()); // grows at 1, 2, 4, 8
  ASSERT_EQ(v.size(), 11u);
  for (const auto &s : v) EXPECT_EQ(s, "first element, long enough to live on the heap");
}

TEST(CompactVector, CopiesMovesAndComparesAsAVector) {
  std::vector<std::string> source = {"x", "y", "z"};
  CompactVector<std::string> fromCopy(source), fromMove{std::vector<std::string>(source)};
  EXPECT_EQ(fromCopy, fromMove);
  EXPECT_EQ(fromCopy.capacity(), 3u); // built at its exact size
  CompactVector<std::string> copy = fromCopy;
  copy.push_back("w");
  EXPECT_EQ(fromCopy.size(), 3u);
  EXPECT_FALSE(copy == fromCopy);
  CompactVector<std::string> moved = std::move(copy);
  EXPECT_EQ(moved.size(), 4u);
  EXPECT_TRUE(copy.empty()); // NOLINT(bugprone-use-after-move): a moved-from one is empty
  moved = fromCopy;
  EXPECT_EQ(moved, fromCopy);
  moved.clear();
  EXPECT_TRUE(moved.empty());
}

TEST(CompactVector, ResizesAndIsContiguous) {
  CompactVector<int> v;
  v.resize(4);
  EXPECT_EQ(v.size(), 4u);
  for (int x : v) EXPECT_EQ(x, 0);
  v[2] = 7;
  v.resize(3);
  std::span<const int> view = v;
  EXPECT_EQ(view.size(), 3u);
  EXPECT_EQ(view[2], 7);
  EXPECT_EQ(v.emplace_back(9), 9);
  EXPECT_EQ(v.size(), 4u);
}

} // namespace
} // namespace lockcheck
