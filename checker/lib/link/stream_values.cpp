#include "link/stream_values.h"

#include <algorithm>
#include <deque>

namespace lockcheck {

void StreamValues::add(const TUFacts &facts) {
  for (const auto &[slot, s] : facts.streamFlows) {
    StreamSources &into = flows_[slot];
    into.console |= s.console;
    into.nonblocking |= s.nonblocking;
    into.unknown |= s.unknown;
    into.madeNonblocking |= s.madeNonblocking;
    into.slots.insert(into.slots.end(), s.slots.begin(), s.slots.end());
  }
}

// "p:<function key>#N": parameter N of that function.
bool StreamValues::parameter(const std::string &slot, InternedString &fn, int &index) const {
  if (slot.rfind("p:", 0) != 0) return false;
  size_t hash = slot.rfind('#');
  if (hash == std::string::npos || hash + 1 >= slot.size() || hash < 2) return false;
  index = 0;
  for (size_t i = hash + 1; i < slot.size(); ++i) {
    if (slot[i] < '0' || slot[i] > '9' || index > 100000) return false;
    index = index * 10 + (slot[i] - '0');
  }
  fn = InternedString(std::string_view(slot).substr(2, hash - 2));
  return true;
}

std::string StreamValues::slotOf(std::string_view value, const InternedString &in) const {
  if (value.rfind("a:", 0) == 0) return "p:" + in.str() + "#" + std::string(value.substr(2));
  return std::string(value);
}

void StreamValues::finish(const CallIndex &calls) {
  calls_ = &calls;
  memo_.clear();
  for (auto &[slot, s] : flows_) { // a header's flows come once from every TU that includes it
    std::sort(s.slots.begin(), s.slots.end());
    s.slots.erase(std::unique(s.slots.begin(), s.slots.end()), s.slots.end());
  }
  // fcntl(fd, F_SETFL, O_NONBLOCK) on a parameter changes whatever its callers pass.
  std::deque<std::string> todo;
  for (const auto &[slot, s] : flows_)
    if (s.madeNonblocking) todo.push_back(slot);
  while (!todo.empty()) {
    std::string slot = todo.front();
    todo.pop_front();
    if (!made_.insert(slot).second) continue;
    InternedString fn;
    int index = 0;
    if (!parameter(slot, fn, index)) continue;
    for (const auto &site : calls.callers(fn))
      for (const auto &s : site.call->streams)
        if (s.position == index && !s.value.empty() && s.value.str()[0] != '$') todo.push_back(slotOf(s.value, site.caller->key));
  }
}

// A slot's own atoms and the slots it reads.
void StreamValues::dependencies(const std::string &slot, unsigned &bits, std::vector<std::string> &slots) const {
  if (made_.count(slot)) {
    bits |= Nonblocking;
    return;
  }
  InternedString fn;
  int index = 0;
  if (parameter(slot, fn, index)) {
    const auto &sites = calls_->callers(fn);
    if (sites.empty() || calls_->opaque(fn)) bits |= Unknown;
    for (const auto &site : sites) {
      auto it = std::find_if(site.call->streams.begin(), site.call->streams.end(),
                             [&](const StreamArg &s) { return s.position == index; });
      if (it == site.call->streams.end()) bits |= Unknown; // something lockcheck does not follow
      else if (it->value == "$console") bits |= Console;
      else if (it->value == "$nonblocking") bits |= Nonblocking;
      else slots.push_back(slotOf(it->value, site.caller->key));
    }
    return;
  }
  auto it = flows_.find(slot);
  if (it == flows_.end() || (!it->second.console && !it->second.nonblocking && !it->second.unknown && it->second.slots.empty())) {
    bits |= Unknown; // nothing seen flows in
    return;
  }
  if (it->second.console) bits |= Console;
  if (it->second.nonblocking) bits |= Nonblocking;
  if (it->second.unknown) bits |= Unknown;
  slots.insert(slots.end(), it->second.slots.begin(), it->second.slots.end());
}

// The union of everything that flows in: a least fixpoint over the slots reachable from
// `value` (cycles add nothing), memoised.
unsigned StreamValues::resolve(std::string_view value, const InternedString &in) const {
  if (value == "$console") return Console;
  if (value == "$nonblocking") return Nonblocking;
  if (!calls_) return Unknown;
  std::string start = slotOf(value, in);
  if (auto m = memo_.find(start); m != memo_.end()) return m->second;
  std::map<std::string, std::pair<unsigned, std::vector<std::string>>> graph; // slot -> (own bits, reads)
  std::deque<std::string> todo{start};
  while (!todo.empty()) {
    std::string slot = std::move(todo.front());
    todo.pop_front();
    if (graph.count(slot) || memo_.count(slot)) continue;
    auto &[bits, reads] = graph[slot];
    bits = 0;
    dependencies(slot, bits, reads);
    for (const auto &r : reads) todo.push_back(r);
  }
  std::map<std::string, unsigned> found;
  for (const auto &[slot, node] : graph) found[slot] = node.first;
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto &[slot, node] : graph) {
      unsigned bits = found[slot];
      for (const auto &r : node.second) bits |= memo_.count(r) ? memo_.at(r) : found[r];
      if (bits != found[slot]) {
        found[slot] = bits;
        changed = true;
      }
    }
  }
  for (const auto &[slot, bits] : found) memo_[slot] = bits;
  return memo_.at(start);
}

} // namespace lockcheck
