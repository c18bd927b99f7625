// Lock wrappers learned from their bodies in one translation unit (spec §1, docs/design.md
// "Lock wrappers"): what each function whose body is here does to its caller's locks, which
// classes are guards, and which calls only the link phase can judge because the body that
// decides is elsewhere. Summaries are made on demand: a caller asking about a callee gets
// the callee analysed first (its facts are written then, not again later).
#pragma once

#include "config/rule_pack.h"
#include "extract/call_site.h"
#include "facts/lock_effects.h"

#include <clang/AST/Type.h>

#include <functional>
#include <optional>
#include <map>
#include <set>
#include <tuple>
#include <string>
#include <unordered_map>
#include <vector>

namespace clang {
class ASTContext;
class CXXConstructorDecl;
class CXXRecordDecl;
class FieldDecl;
class FunctionDecl;
} // namespace clang

namespace lockcheck {

// A lock operation written in a function's body, in its own terms.
struct LockKeyOp {
  LockKey key;
  bool release = false;
};

class LearnedLocks {
public:
  struct Summary {
    std::vector<LockEffect> effects;
    // It calls a wrapper whose body is elsewhere: its effects are only known at link, so its
    // callers leave calls to it to the link phase too (docs/design.md "Lock wrappers").
    bool pending = false;
  };
  // What a guard class's destructor does to the lock it keeps in a member.
  enum class GuardKind { None, Lock, Unlock };
  struct GuardMember {
    std::string field;   // "_mutex"
    LockEffect lock;     // the destructor's effect, `t:_mutex.<inside>`
  };

  using KeyOp = LockKeyOp;
  using Scanner = std::function<std::vector<KeyOp>(const clang::FunctionDecl *)>;

  LearnedLocks(const RulePacks &packs, clang::ASTContext &ctx) : packs_(packs), ctx_(ctx) {}
  // How to analyse a function now (the extractor's own entry point, which records its facts).
  void setAnalyzer(std::function<void(const clang::FunctionDecl *)> analyze) { analyze_ = std::move(analyze); }
  // How to list the lock operations in a body (the recognizer's), and the TU's functions.
  void setScanner(Scanner scan) { scan_ = std::move(scan); }
  void setFunctions(const std::vector<clang::FunctionDecl *> *functions) { functions_ = functions; }

  // Whether another function here hands out (`release` false) or takes back (`release`
  // true) a lock on `key` as `fn` names it: a wrapper's lock() has an unlock(), a guard's
  // constructor a destructor, lock_table() an unlock_table(). Without one, a function that
  // returns holding a lock leaks it, and one that lets go of a lock it never took
  // releases what is not held: both are reported, not learned.
  bool counterpart(const clang::FunctionDecl *fn, const LockKey &key, bool release);

  // The summary of a function whose body is in this TU, analysing it first if it was not;
  // null when there is no body here, or while it is being analysed (recursion).
  const Summary *summaryOf(const clang::FunctionDecl *fn);
  // Whether `fn`'s body is in this TU (and not in a system header).
  bool bodyHere(const clang::FunctionDecl *fn) const;
  // Called by the walk when it has analysed `fn`.
  void record(const clang::FunctionDecl *fn, Summary summary);

  // A class whose destructor releases (Lock) or re-acquires (Unlock: ScopedUnlock) a lock
  // it reaches through one of its members.
  GuardKind guardKind(const clang::CXXRecordDecl *rec);
  const std::vector<GuardMember> &guardMembers(const clang::CXXRecordDecl *rec);

  // A guard class's lock as one of its constructors takes it: the destructor's effect with
  // its key in the constructor's parameters' terms (`p0:_mutex`), and what the constructor
  // itself does to it (nothing for a deferring or adopting constructor).
  struct GuardLock {
    LockEffect lock;
    std::optional<LockEffect> made;
  };
  std::vector<GuardLock> guardLocks(const clang::CXXConstructorDecl *ctor);
  // The key, in the constructor's terms, of what it initialises member `field` from
  // (`_mutex(mutex)`: "p0:"); none when it is not initialised from a parameter or a global.
  LockKey initialisedFrom(const clang::CXXConstructorDecl *ctor, llvm::StringRef field);

  // Whether a call whose callee has no final summary here may still act on the caller's
  // locks (so the link phase must replay it): its object or an argument is, or holds, a
  // lock; a guard-like constructor.
  bool mayActOnLocks(const CallSite &call);
  // A lock type (a pack's, an annotated capability, a POSIX lock), or a class that holds one
  // in a member (through at most one pointer or reference: a pimpl counts).
  bool lockRelevant(clang::QualType type);
  // A lock type itself: a pack's, an annotated capability, or what a pack's lock function
  // locks (pthread_mutex_t).
  bool nativeLock(clang::QualType type) { return native(type); }

  // A pthread mutex member that the class's constructors here make recursive
  // (pthread_mutexattr_settype(..., PTHREAD_MUTEX_RECURSIVE)); `known` is false when no
  // constructor of the class has its body in this TU.
  bool recursiveMember(const clang::FieldDecl *field, bool &known);

private:
  bool native(clang::QualType type);
  bool holds(const clang::CXXRecordDecl *rec, int hops);

  const RulePacks &packs_;
  clang::ASTContext &ctx_;
  std::function<void(const clang::FunctionDecl *)> analyze_;
  enum class State : char { InProgress, Done };
  // Node-based maps: a summary or guard handed out stays put while another is added (a
  // callee analysed on demand in between).
  std::map<const clang::FunctionDecl *, std::pair<State, Summary>> summaries_;
  unsigned depth_ = 0;
  std::map<const clang::CXXRecordDecl *, std::vector<GuardMember>> guards_;
  std::map<std::pair<const clang::CXXRecordDecl *, int>, char> holders_; // 0 no, 1 yes, 2 in progress
  bool nativeTypesFound_ = false;
  std::set<const clang::Type *> nativeTypes_; // canonical pointee types of pack lock functions' lock arguments
  std::unordered_map<const clang::CXXRecordDecl *, std::pair<bool, std::set<std::string>>> recursive_;
  const std::vector<KeyOp> &opsOf(const clang::FunctionDecl *fn);
  Scanner scan_;
  const std::vector<clang::FunctionDecl *> *functions_ = nullptr;
  std::map<const clang::FunctionDecl *, std::vector<KeyOp>> ops_;
  // The TU's operations on globals and on parameters (by parameter type and path), with
  // the functions that make them: built once, when a wrapper over one needs a counterpart.
  bool indexed_ = false;
  std::map<std::pair<LockKey, bool>, std::set<const clang::FunctionDecl *>> globalOps_;
  std::map<std::tuple<const clang::Type *, std::string, bool>, std::set<const clang::FunctionDecl *>> paramOps_;
};

} // namespace lockcheck
