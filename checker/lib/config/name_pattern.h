// Qualified-name patterns of rule packs and the index that looks names up among many of them.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace lockcheck {

// A qualified-name pattern. Names are normalised (no template arguments, no
// inline namespaces: "std::basic_ifstream::open"). '*' matches any run of characters,
// so "std::basic_ifstream::*" matches every member, "pqxx::*" a whole namespace.
// "\*" is a literal star ("Iter::operator\*"; written "\\*" inside JSON).
class NamePattern {
public:
  explicit NamePattern(std::string text);
  bool matches(const std::string &qualifiedName) const;
  const std::string &text() const { return text_; }
  bool isExact() const { return exact_; }

private:
  std::string text_;
  bool exact_;
  // `text_` split at its wildcards, with "\*" escapes resolved: one piece for an
  // exact name, one more piece than stars otherwise ("a*b*" -> "a", "b", "").
  std::vector<std::string> pieces_;
};

// Exact names in a hash map; patterns bucketed by their literal scope prefix
// ("pqxx::transaction_base::" for "pqxx::transaction_base::exec*"), so a lookup
// tries only the buckets of the scopes enclosing the name. Exact names win over
// patterns; among patterns the one loaded first wins.
class NameIndex {
public:
  static constexpr size_t npos = static_cast<size_t>(-1);
  void add(const NamePattern &key);
  size_t find(const std::string &name) const; // index in insertion order, or npos
  bool contains(const std::string &name) const { return find(name) != npos; }

private:
  std::vector<NamePattern> keys_;
  std::unordered_map<std::string, size_t> exact_;
  std::unordered_map<std::string, std::vector<size_t>> patternsByScope_;
};

// Splits a pattern at its unescaped stars; `\x` stands for x. False on a trailing '\'.
bool splitPattern(const std::string &text, std::vector<std::string> &pieces);

} // namespace lockcheck
