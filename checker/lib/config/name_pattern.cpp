#include "config/name_pattern.h"

namespace lockcheck {

bool splitPattern(const std::string &text, std::vector<std::string> &pieces) {
  pieces.assign(1, std::string());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (++i == text.size()) return false;
      pieces.back() += text[i];
    } else if (text[i] == '*') {
      pieces.emplace_back();
    } else {
      pieces.back() += text[i];
    }
  }
  return true;
}

namespace {

// The unescaped literal text before the first wildcard.
std::string literalPrefix(const NamePattern &p) {
  std::vector<std::string> pieces;
  splitPattern(p.text(), pieces);
  return pieces.front();
}

} // namespace

NamePattern::NamePattern(std::string text) : text_(std::move(text)) {
  if (!splitPattern(text_, pieces_)) pieces_.back() += '\\'; // the loader rejects this; be literal
  exact_ = pieces_.size() == 1;
}

bool NamePattern::matches(const std::string &name) const {
  if (exact_) return name == pieces_.front();
  // Stars only: anchor the first and last pieces, then place the middle ones leftmost
  // (greedy-leftmost is exact for '*'-only globs, and linear).
  const std::string &first = pieces_.front(), &last = pieces_.back();
  if (name.size() < first.size() + last.size()) return false;
  if (name.compare(0, first.size(), first) != 0) return false;
  if (name.compare(name.size() - last.size(), last.size(), last) != 0) return false;
  size_t pos = first.size(), end = name.size() - last.size();
  for (size_t i = 1; i + 1 < pieces_.size(); ++i) {
    size_t at = name.find(pieces_[i], pos);
    if (at == std::string::npos || at + pieces_[i].size() > end) return false;
    pos = at + pieces_[i].size();
  }
  return true;
}

void NameIndex::add(const NamePattern &key) {
  size_t i = keys_.size();
  keys_.push_back(key);
  std::string prefix = literalPrefix(key);
  if (key.isExact()) {
    exact_.emplace(prefix, i); // the first entry to name it wins
    return;
  }
  size_t scope = prefix.rfind("::");
  patternsByScope_[scope == std::string::npos ? std::string() : prefix.substr(0, scope + 2)].push_back(i);
}

size_t NameIndex::find(const std::string &name) const {
  if (auto it = exact_.find(name); it != exact_.end()) return it->second;
  if (patternsByScope_.empty()) return npos;
  size_t best = npos;
  auto tryScope = [&](const std::string &scope) {
    auto it = patternsByScope_.find(scope);
    if (it == patternsByScope_.end()) return;
    for (size_t i : it->second) {
      if (i >= best) return; // buckets are in insertion order
      if (keys_[i].matches(name)) {
        best = i;
        return;
      }
    }
  };
  tryScope(std::string());
  for (size_t at = name.find("::"); at != std::string::npos; at = name.find("::", at + 2))
    tryScope(name.substr(0, at + 2));
  return best;
}

} // namespace lockcheck
