// Per-translation-unit facts: what the link phase needs to know about each function,
// with no AST pointers, so that they can be written to a file and joined across TUs.
// Format (JSON, versioned, deterministic): docs/facts-format.md.
#pragma once

#include "facts/lock_effects.h"
#include "facts/lock_key.h"
#include "facts/lock_ref.h"
#include "facts/slot_key.h"
#include "findings/finding.h"
#include "support/compact_vector.h"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck {

// 2: fields equal to their default are left out; 3: class hierarchy and callable flows
// (indirect calls), and "g:" keys of internal-linkage objects name their translation unit,
// static locals their function; 4: object flows, conversions by type, escaping classes,
// the type of a called slot, and what each argument passes for a callee's parameter (issue
// 27); what a maintainer acts on (docs/spec.md §3): a call's path kind, stream arguments
// and objects not yet shared, functions' escapes, stream flows (issue 30); lock effects
// learned from bodies and the replay skeleton of functions that call wrappers defined
// elsewhere (issue 26, facts/lock_effects.h).
inline constexpr int kFactsVersion = 4;

// What an argument passes for the callee's parameter `index` when that is a callable or a
// pointer / reference to a polymorphic object: a lambda / function whose body may run inside
// the callee, or objects whose virtual methods it may call (one level of calling context).
struct CallableArg {
  unsigned index = 0;
  std::vector<std::string> targets; // function keys (every call operator of a lambda)
  int forwardsParam = -1;           // the caller's own parameter passed on
  std::vector<std::string> classes; // objects of exactly these classes (`&local`, `new T`)
  SlotKey slot;                     // read from this slot: what flows into it flows in here
};

// Where a call runs on its function's paths (docs/spec.md §3 "What is reported"): on the
// path that runs when nothing fails, only on an error path (a catch block, a branch taken on
// failure: extract/failure_paths.h), or only on paths that end the process.
enum class CallPath : unsigned char { Normal, Error, Dying };
// Its facts-file text: "" (normal, left out), "error", "dying".
const char *callPathName(CallPath path);
bool parseCallPath(std::string_view text, CallPath &out);

// A stream or descriptor argument (FILE*, std::ostream, an int descriptor) and the value it
// holds (extract/stream_identity.h): "$console", "$nonblocking", "a:N" (the caller's own
// parameter N) or a stream slot key ("f:Class::field", "g:name", "l:<function>#name@line",
// "r:<function>" a function's result), resolved over the program at link time.
struct StreamArg {
  int position = 0; // argument index; -1 for the object of a member call
  InternedString value;
};

// A lock held at a call that belongs to `object`, a local object or one the function
// created with new / make_unique / make_shared, not yet stored anywhere, returned or given
// to a function that might publish it (extract/escape_analysis.h). `after`: the earlier
// calls (indices into the function's calls) that hand the object to a function whose body
// decides at link time whether it publishes it.
struct UnsharedObject {
  LockKey object; // "l:name@line"
  std::vector<unsigned> after;
};

// One per call in the program (~9 million at 10^5 TUs): the rarely used lists are one
// pointer wide (support/compact_vector.h) and the flags share a word.
struct CallEvent {
  InternedString callee;       // function key; empty when the target is unknown
  InternedString calleeName;   // printable ("std::this_thread::sleep_for")
  InternedString receiverType; // normalised type of the object / first argument
  SourcePoint where;
  std::vector<HeldLock> held; // definitely held when the call is made
  bool isWait = false;        // a condition-variable wait (blocking, but releases one lock)
  bool waitsOnAdopted = false; // a wait on the caller's lock (adopted from it, or not taken here)
  bool unresolved = false;     // virtual dispatch: resolved at link time over the class hierarchy
  CallPath path = CallPath::Normal;
  LockKey waitReleases;        // key of the lock that wait releases
  // A call through a callable slot (std::function, pointer): its slot. A virtual call
  // (`unresolved`): the slot its receiver is read from, if any (`h->Put()`, `dest_->Append()`).
  SlotKey through;
  LockKey thisArg;             // key of the callee's `this` here ("t:" for our own this)
  CompactVector<LockKey> argLocks; // lock key of each argument that names a lock (none otherwise)
  CompactVector<CallableArg> callables;
  CompactVector<StreamArg> streams;       // stream / descriptor arguments with a known value
  CompactVector<UnsharedObject> unshared; // held locks' objects not yet shared here
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

// One per function in the program (~2.6 million at 10^5 TUs): lists most functions leave
// empty are one pointer wide, as in CallEvent.
struct FunctionFacts {
  InternedString key;
  InternedString name;      // qualified, printable
  InternedString qualified; // normalised for pattern matching
  SourcePoint where;
  bool annotatedBlocking = false;
  bool annotatedNonblocking = false;
  bool annotatedHandler = false;
  bool isLambda = false;
  CompactVector<LockKey> entryLocks; // keys held on entry (requires_capability)
  std::vector<CallEvent> calls;
  CompactVector<AcquireEvent> acquires;
  CompactVector<InvokeEvent> invokes;
  // What the body publishes itself (stores, returns, captures, hands to a library function):
  // -1 for `this`, N for parameter N. What it hands to other functions is in its calls'
  // this_arg / arg_locks, judged at link time (link/escape_summary.h).
  CompactVector<int> escapes;
  std::vector<LockEffect> effects; // what a call of it does to the caller's locks (wrappers)
  LockProgram program;             // replayed at link when some effects come from other TUs
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

// What flows into one slot (facts/slot_key.h): a field, variable or parameter of callable
// type (std::function, function pointer, pointer to member, a container of these) or a
// pointer / reference to a polymorphic object (raw, smart, or a container of these).
struct CallableSources {
  std::vector<std::string> targets; // function keys; for an object slot, class names
  std::vector<SlotKey> slots;       // other slots whose values flow in
  bool unknown = false;             // something lockcheck cannot bound flows in
  std::string type;                 // a called callable slot's type ("void (*)(int)"): the
                                    // key of the functions converted to it (callableTypes)
};

// What flows into one stream slot (a FILE*, std::ostream or int descriptor field, global,
// local or function result; extract/stream_identity.h). Slot keys as StreamArg::value.
struct StreamSources {
  bool console = false;     // stdout / stderr (a pack's console_streams / console_descriptors)
  bool nonblocking = false; // a descriptor made non-blocking (eventfd(EFD_NONBLOCK), ...)
  bool unknown = false;     // anything else: a file, a call's result, an arithmetic value
  std::vector<std::string> slots; // other slots whose values flow in
  bool madeNonblocking = false;   // fcntl(F_SETFL, O_NONBLOCK) is applied to the slot itself
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
  std::map<SlotKey, CallableSources> callableFlows;      // by slot key
  std::map<std::string, StreamSources> streamFlows;      // by stream slot key
  // Functions converted to a callable type here, by type ("void (*)(int)",
  // "std::function<void (int)>", "void (C::*)()"): what a lost flow falls back to.
  std::map<std::string, std::vector<std::string>> callableTypes;
  // Polymorphic classes some of whose objects go where no slot follows them (`*out = new
  // C`, a `this` handed out): they may reach any slot whose flow is not followed.
  std::vector<std::string> escapingClasses;
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
