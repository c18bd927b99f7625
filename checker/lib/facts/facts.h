// Per-translation-unit facts: what the link phase needs to know about each function,
// with no AST pointers, so that they can be written to a file and joined across TUs.
// Format (JSON, versioned, deterministic): docs/facts-format.md.
#pragma once

#include "facts/lock_key.h"
#include "report/finding.h"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <vector>

namespace lockcheck {

// 2: fields equal to their default are left out; 3: class hierarchy and callable flows
// (indirect calls), and "g:" keys of internal-linkage objects name their translation unit,
// static locals their function.
inline constexpr int kFactsVersion = 3;

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

// A callable passed as an argument: a lambda / function whose body may run inside the callee.
struct CallableArg {
  unsigned index = 0;
  std::vector<std::string> targets; // function keys (every call operator of a lambda)
  int forwardsParam = -1;           // the caller's own parameter passed on
};

struct CallEvent {
  InternedString callee;       // function key; empty when the target is unknown
  InternedString calleeName;   // printable ("std::this_thread::sleep_for")
  InternedString receiverType; // normalised type of the object / first argument
  SourcePoint where;
  std::vector<HeldLock> held; // definitely held when the call is made
  bool isWait = false;        // a condition-variable wait (blocking, but releases one lock)
  LockKey waitReleases;       // key of the lock that wait releases
  bool waitsOnAdopted = false; // a wait on the caller's lock (adopted from it, or not taken here)
  bool unresolved = false;     // virtual dispatch: resolved at link time over the class hierarchy
  InternedString through;      // call through a callable slot (std::function, pointer): its slot key
  LockKey thisArg;             // key of the callee's `this` here ("t:" for our own this)
  std::vector<LockKey> argLocks; // lock key of each argument that names a lock (none otherwise)
  std::vector<CallableArg> callables;
};

struct AcquireEvent {
  LockRef lock;
  SourcePoint where;
  bool bounded = false;      // try_lock, timed, try_to_lock
  bool groupMember = false;  // one of several taken at once (std::lock, scoped_lock)
  std::vector<HeldLock> heldBefore;
  bool reacquire = false;    // retakes a lock held on entry (requires_capability) after releasing it
};

// The function invokes its callable parameter `param` here.
struct InvokeEvent {
  unsigned param = 0;
  SourcePoint where;
  std::vector<HeldLock> held;
};

struct FunctionFacts {
  InternedString key;
  InternedString name;      // qualified, printable
  InternedString qualified; // normalised for pattern matching
  SourcePoint where;
  bool annotatedBlocking = false;
  bool annotatedNonblocking = false;
  bool annotatedHandler = false;
  bool isLambda = false;
  std::vector<LockKey> entryLocks; // keys held on entry (requires_capability)
  std::vector<CallEvent> calls;
  std::vector<AcquireEvent> acquires;
  std::vector<InvokeEvent> invokes;
};

// A function referenced but perhaps not defined in this TU.
struct DeclFacts {
  InternedString key;
  InternedString name;
  InternedString qualified;
  bool annotatedBlocking = false;
  bool annotatedNonblocking = false;
  bool system = false; // declared in a system header
};

// A polymorphic class (for virtual calls, link/indirect_targets.h).
struct VirtualMethod {
  std::string key;                    // function key
  std::vector<std::string> overrides; // keys of the methods it directly overrides
  bool pure = false;
  bool final = false;
};
struct ClassFacts {
  std::vector<std::string> bases; // normalised names of the direct bases
  bool final = false;
  std::vector<VirtualMethod> methods; // its virtual methods, in declaration order
};

// What flows into one callable slot (a field, variable or parameter of callable type:
// std::function, function pointer, pointer to member, a container of these).
// Slot keys: "f:Class::field", "g:name" (global/static), "l:<function key>#name@line",
// "p:<function key>#N" (parameter N).
struct CallableSources {
  std::vector<std::string> targets; // function keys
  std::vector<std::string> slots;   // other slots whose callables flow in
  bool unknown = false;             // something lockcheck cannot bound flows in
};

// A file the TU read, with the hash of the bytes the parser saw (empty: not loaded).
struct InputFile {
  std::string path;
  std::string hash;
};

// By function key. Keys are interned (each is also in its facts and in every call to it);
// `std::less<>` lets a std::string or string_view look up without interning it.
using FunctionMap = std::map<InternedString, FunctionFacts, std::less<>>;
using DeclMap = std::map<InternedString, DeclFacts, std::less<>>;

struct TUFacts {
  std::string file;                         // main file, as shown to the user
  FunctionMap functions; // defined here, by key
  DeclMap decls;         // every function referenced, by key
  std::vector<Finding> findings;                  // found within one function already
  std::map<std::string, ClassFacts> classes;             // polymorphic classes defined here, by name
  std::map<std::string, CallableSources> callableFlows;  // by slot key
  // For the cache; not serialised.
  std::vector<InputFile> inputs;  // files the TU read (and those __has_include found)
  std::vector<std::string> absent; // paths that would shadow an input if created (include_lookups.h)
};

// JSON round trip. `fromJson` returns false and sets `error` on a malformed or
// version-mismatched document.
std::string factsToJson(const TUFacts &facts);
bool factsFromJson(const std::string &text, TUFacts &out, std::string &error);
// The same as a JSON value, for containers that embed it (the cache stores it as CBOR).
nlohmann::json factsToDocument(const TUFacts &facts);
bool factsFromDocument(const nlohmann::json &doc, TUFacts &out, std::string &error);

} // namespace lockcheck
