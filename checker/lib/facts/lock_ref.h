// A lock as one function names it, and a lock held at a point. Split from facts.h so that
// facts/lock_effects.h can use it.
#pragma once

#include "facts/lock_key.h"
#include "report/finding.h"

namespace lockcheck {

// Lock identity (typed as LockKey, facts/lock_key.h; these are the texts in the facts
// file). `key` is relative to the function it appears in:
//   "g:<qualified global>[@<tu>][.field...]"  a global or static object; "@<tu>" (the
//                                       unit's main file) for internal linkage, and a
//                                       static local is "<function>::<name>"
//   "t:<field>[.field...]"              reached from `this`
//   "p<N>:<path>"                       reached from parameter N ("p0:" is the parameter itself)
//   "l:<name>@<line>[.field...]"        a local object (never leaves the function); "l:<name>"
//                                       a parameter named by another declaration's attribute
//   "x:<text>"                          anything else, by its spelling
// `order` is the declaration identity used across functions and TUs for lock order:
// globals as above, members as "f:<Class>::<field>".
struct LockRef {
  LockKey key;
  LockKey order;
  InternedString display; // as written: "store.mu", "mu_"
  bool shared = false;
  bool recursive = false;
};

struct HeldLock {
  LockRef lock;
  SourcePoint acquired;
};

} // namespace lockcheck
