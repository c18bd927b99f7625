// Objects not yet shared (docs/spec.md §3; the ownership reasoning of Infer's RacerD): which
// of one function's objects another thread cannot reach yet, and what the function publishes
// of its own `this` and parameters (its escape summary, finished at link time by
// link/escape_summary.h).
//
// An object is *fresh* in a function when the function created it: a local object (not a
// reference, not a smart pointer), or a local pointer / unique_ptr / shared_ptr initialised
// from `new`, std::make_unique / make_shared / allocate_shared, never reassigned and never
// written through its address. A lock belongs to it when the lock is the object or a member
// reached through members held by value (not through a pointer, reference or smart pointer).
//
// Each use of a fresh object, of `this` or of a parameter (the object as a whole: the
// pointer, `*p`, `&obj`; a member's address stored counts too) is one of:
//   - publishing, at once: stored anywhere (`*out = p`, `g = p`, `field_ = p`, an aggregate,
//     another local pointer or reference), returned, thrown, captured by a lambda, or given
//     to a library function (declared in a system header) or a call with no known callee;
//   - handing over: given to a function of the program (as `this` or an argument): whether
//     that publishes it is that function's summary, known at link time;
//   - harmless: read, compared, tested, deleted, locked (lock operations and guards),
//     dereferenced through a smart pointer's accessors, or a member used.
// A forward may-dataflow over the CFG tells, before each call, which fresh objects were not
// published on any path reaching it, and which handovers may have happened before it.
#pragma once

#include "facts/facts.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace clang {
class ASTContext;
class CFG;
class CXXConstructorDecl;
class Expr;
class FunctionDecl;
class Stmt;
class ValueDecl;
class VarDecl;
} // namespace clang

namespace lockcheck {

class LockRecognizer;

// A constructor the compiler writes (implicit or `= default`) over bases that have no
// user-written constructors: it hands the object it constructs to nothing.
bool isCompilerWrittenConstructor(const clang::CXXConstructorDecl *ctor);

class EscapeAnalysis {
public:
  EscapeAnalysis(const clang::FunctionDecl *fn, const clang::CFG &cfg, const LockRecognizer &rec, clang::ASTContext &ctx);
  ~EscapeAnalysis();

  // What the body publishes itself: -1 for `this`, N for parameter N (FunctionFacts::escapes).
  std::vector<int> escapes() const;
  // The objects of `held` locks that are fresh and not yet published just before `stmt` (a
  // call), with the earlier handover calls (statements) that may publish them.
  struct Unshared {
    LockKey object;
    std::vector<const clang::Stmt *> after;
  };
  std::vector<Unshared> unsharedAt(const clang::Stmt *stmt, const std::vector<HeldLock> &held);
  // The fresh object a call creates: its constructor's `this` (`new T(...)`, `T t(...)`), or a
  // library function that constructs it (`std::make_unique<T>`: `library` is set, and the
  // constructor runs in the implicit calls recorded after it). Its constructor is a handover:
  // one that publishes `this` (starts a thread on it) publishes the object at once.
  std::optional<LockKey> createdBy(const clang::Stmt *call, bool &library);

private:
  enum class Use { Harmless, Handover, Publish };
  void collect(const clang::Stmt *s, const clang::Stmt *parent);
  Use classify(const clang::Expr *use, const clang::Stmt *&site) const;
  bool reassigned(const clang::VarDecl *var) const;
  void findFresh();
  void solve();
  bool owns(const clang::VarDecl *var, const LockKey &lock) const;
  LockKey keyOf(const clang::VarDecl *var) const;

  const clang::FunctionDecl *fn_;
  const clang::CFG &cfg_;
  const LockRecognizer &rec_;
  clang::ASTContext &ctx_;
  std::unordered_map<const clang::Stmt *, const clang::Stmt *> parent_;
  std::vector<const clang::Expr *> uses_;              // `this` and DeclRefExprs of locals / parameters
  std::vector<const clang::VarDecl *> locals_;         // declared in the body, in order
  std::set<const clang::Stmt *> stores_;               // constructor member initialisers' values
  std::set<const clang::ValueDecl *> captured_;        // captured by a lambda
  bool thisCaptured_ = false;
  std::set<int> escapes_;
  std::unordered_map<const clang::VarDecl *, std::vector<const clang::Expr *>> usesOf_;
  // Fresh objects, found and solved on the first question (most functions never lock one).
  bool found_ = false, solved_ = false;
  std::map<std::string, const clang::VarDecl *> fresh_; // by "name@line"
  std::map<const clang::Stmt *, std::pair<const clang::VarDecl *, bool>> creations_; // -> object, by a library call
  struct State;
  std::unordered_map<const clang::Stmt *, std::unique_ptr<State>> before_; // at each handover-free call site
};

} // namespace lockcheck
