// What each stream or descriptor may hold, over the whole program (docs/spec.md §3 "The
// console is logging", "Self-wakeups do not block"): a StreamArg value (facts.h) resolves to
// the console, a non-blocking descriptor, something unknown, or a mix, through the stream
// flows of every TU (fields, globals, locals, results) and, for a parameter, through what
// every call of its function passes (a function also called in ways the facts do not show
// is unknown). A descriptor slot that fcntl(F_SETFL, O_NONBLOCK) changes is non-blocking
// whatever flows in, and so is every slot passed to a parameter that is changed that way.
// Flow-insensitive, as the callable flows are: a slot holds the union of all it is given.
#pragma once

#include "facts/facts.h"
#include "link/call_index.h"

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace lockcheck {

class StreamValues {
public:
  enum : unsigned { Console = 1, Nonblocking = 2, Unknown = 4 };

  void add(const TUFacts &facts); // merges the TU's stream flows
  // After every add(); `calls` must be finished and outlive this.
  void finish(const CallIndex &calls);
  // What `value`, as written in a call of function `in` ("a:N" is in's parameter N), may hold:
  // a set of the bits above, never empty (nothing known to flow in is Unknown).
  unsigned resolve(std::string_view value, const InternedString &in) const;
  // Whether a stream that may hold `bits` is quiet for a call that is not blocking on the
  // console (`console`) or on non-blocking descriptors (`nonblocking`).
  static bool quiet(unsigned bits, bool console, bool nonblocking) {
    return bits && !(bits & Unknown) && (console || !(bits & Console)) && (nonblocking || !(bits & Nonblocking));
  }

private:
  std::string slotOf(std::string_view value, const InternedString &in) const;
  void dependencies(const std::string &slot, unsigned &bits, std::vector<std::string> &slots) const;
  bool parameter(const std::string &slot, InternedString &fn, int &index) const;

  std::map<std::string, StreamSources> flows_;
  std::set<std::string> made_; // made non-blocking (fcntl), directly or through a parameter
  const CallIndex *calls_ = nullptr;
  mutable std::map<std::string, unsigned> memo_;
};

} // namespace lockcheck
