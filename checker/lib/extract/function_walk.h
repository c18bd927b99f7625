// The flow engine's walk over one function, shared by its three parts (internal to extract/):
//   lock_dataflow.cpp  the lock-set dataflow over the CFG (worklist, joins, branch refinement
//                      for try-locks, exits), calling the FlowHandler for what it finds;
//   guard_model.cpp    what acquisitions, releases and guards (RAII, unique_lock ownership,
//                      moves, guards returned by helpers) do to the lock set;
//   call_recorder.cpp  the facts the link phase needs: calls, callables, waits, destructors;
// with two helpers of the dataflow: exception_paths.* (calls in a try reach its handlers) and
// branch_conditions.* (condition variables that pair a lock with its release).
#pragma once

#include "extract/call_judgements.h"
#include "extract/decl_names.h"
#include "extract/exception_paths.h"
#include "extract/flow_handler.h"
#include "extract/function_analyzer.h"
#include "extract/lockset.h"

#include <clang/Analysis/CFG.h>
#include <clang/Basic/SourceManager.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace lockcheck {

// How a lock is taken, for FunctionWalk::acquire.
struct AcquireKind {
  const clang::VarDecl *guard = nullptr; // the owning guard; null for a manual acquisition
  bool manualMember = false; // `m.lock()` on a pack lock type (manual-lock)
  bool bounded = false;      // try_lock, timed, try_to_lock: never a double lock, never an unbounded wait
  bool group = false;        // one of several taken at once (std::lock, scoped_lock)
  bool pending = false;      // held only after a successful check (optional guard, try constructor)
};

// One function's walk: see the three files above. Reports through the FlowHandler only.
class FunctionWalk {
public:
  FunctionWalk(const RulePacks &packs, clang::ASTContext &ctx, const LockRecognizer &rec, ImplicitCalls &implicit,
               const FunctionAnalyzer::DeclSink &sink, FlowHandler &handler, const clang::FunctionDecl *fn,
               FunctionFacts &out)
      : packs_(packs), ctx_(ctx), sm_(ctx.getSourceManager()), rec_(rec), implicit_(implicit), noteDecl_(sink),
        handler_(handler), fn_(fn), out_(out) {}

  bool run();

private:
  SourcePoint at(clang::SourceLocation loc) const { return sourcePoint(sm_, loc); }
  FlowSite site(clang::SourceLocation loc) const { return FlowSite{out_.name, at(loc)}; }
  // Lock pairing events (double lock, unlock not held, manual lock) are not reported from
  // the body of a lock primitive itself, nor while the dataflow is still converging.
  bool reportsPairing() const { return emit_ && !lockImplementation_; }

  void transfer(LockSet &state, const clang::CFGElement &element);
  void onStmt(LockSet &state, const clang::Stmt *stmt);
  void onDeclStmt(LockSet &state, const clang::DeclStmt *decl);
  void onGuardDecl(LockSet &state, const clang::VarDecl *var, const clang::Expr *init);
  void onCall(LockSet &state, const CallSite &call);
  void onLockOperation(LockSet &state, const CallSite &call, const LockOperation &op);
  static clang::SourceLocation lockOpLocation(const CallSite &call); // where a lock call's acquisition is anchored
  void onGuardAssign(LockSet &state, const CallSite &call);
  void recordCall(LockSet &state, const CallSite &call, const LockOperation *wait);
  void onDtor(LockSet &state, const clang::VarDecl *var, const clang::CFGAutomaticObjDtor &dtor);
  void onTemporaryDtor(LockSet &state, const clang::CFGTemporaryDtor &dtor);
  // A call event for a destructor run at `where` (a local's, a temporary's).
  void recordDtor(LockSet &state, const clang::CXXDestructorDecl *dtor, clang::QualType type, clang::SourceLocation where,
                  const clang::VarDecl *var = nullptr);
  // Events for the user code a system function runs now (implicit_calls.h), anchored at `call`.
  void recordImplicit(const CallEvent &call, const clang::FunctionDecl *systemFn);

  void acquire(LockSet &state, const LockRef &lock, clang::SourceLocation loc, const AcquireKind &kind);
  void release(LockSet &state, const LockRef &lock, clang::SourceLocation loc);
  void handOverGuards(LockSet &state, const CallSite &call);
  void reacquireInverse(LockSet &state, const clang::VarDecl *var);
  bool returnedGuard(const CallSite &call, std::vector<LockRef> &locks, bool &pending);

  LockSet edgeState(const clang::CFGBlock &from, unsigned succIndex, const LockSet &exit);
  void refine(LockSet &state, const clang::Expr *cond, bool branchTrue, int depth);
  void applyTry(LockSet &state, const CallSite &call, const LockOperation &op, bool acquired);
  void dropFailed(LockSet &state, const CallSite &call, const LockOperation &op);
  void findLoopInitScopes();
  void leaveLoopInitScope(LockSet &state, const clang::CFGBlock &next);

  struct ExitState {
    LockSet state;
    clang::SourceLocation where;
    bool throws = false;                    // an explicit throw, not a return
    const clang::Expr *returned = nullptr;  // the returned value, if any
  };
  std::vector<ExitState> exitStates();
  void checkExits(const std::vector<ExitState> &exits);
  void collectManualUnlocks();
  // wrapper_summary.cpp: what this function hands to, or takes back from, its callers.
  std::vector<LockRef> findEntryKeys();
  void summarize(const std::vector<ExitState> &exits);

  const RulePacks &packs_;
  clang::ASTContext &ctx_;
  const clang::SourceManager &sm_;
  const LockRecognizer &rec_;
  ImplicitCalls &implicit_;
  const FunctionAnalyzer::DeclSink &noteDecl_;
  FlowHandler &handler_;
  const clang::FunctionDecl *fn_;
  FunctionFacts &out_;

  std::unique_ptr<clang::CFG> cfg_;
  std::unique_ptr<ExceptionPaths> eh_;
  std::unique_ptr<CallJudgements> judge_; // what a maintainer acts on: paths, streams, unshared objects
  void solve(bool exceptionEdges);
  LockSet start_;              // the state on entry: required and learned entry locks
  std::vector<LockSet> entry_; // by block id, once solve() is done
  bool emit_ = false;
  bool lockImplementation_ = false; // see LockRecognizer::isLockImplementation
  std::set<LockKey> manualUnlocked_; // keys released by a member .unlock() somewhere in fn
  std::map<LockKey, clang::SourceLocation> firstAcquire_, firstRelease_; // in source order
  std::map<LockKey, LockRef> releasedLocks_; // as first released (findEntryKeys)
  std::set<LockKey> entryKeys_;      // locks held on entry (requires_capability, or released before taken)
  std::set<LockKey> learnedEntryKeys_; // of those, the ones it releases before taking (a learned unlock())
  std::set<LockKey> handedOver_;      // acquired for the caller: no lock-not-released here
  // lock_program_recorder.cpp: the replay skeleton for calls of wrappers defined elsewhere.
  bool pendingCall(const CallSite &call, const clang::VarDecl *&var);
  void recordPending(const CallSite &call, const clang::VarDecl *var, PendingCall::Role role);
  void notePendingVar(const clang::VarDecl *var);
  void noteSteps(unsigned block, size_t callsBefore, size_t acquiresBefore);
  void noteRelease(const LockKey &key);
  bool hasPendingEffects() const;
  void finishProgram();
  LockProgram program_;
  std::vector<std::pair<unsigned, ProgramStep>> steps_; // (CFG block id, step), in walk order
  std::map<const clang::Stmt *, unsigned> pendingByExpr_;
  std::map<unsigned, unsigned> pendingByCall_; // call index -> pending index
  std::set<const clang::VarDecl *> pendingVars_;
  unsigned currentBlock_ = 0;
  bool pendingEffects_ = false;       // calls a wrapper whose effects only the link phase knows
  std::map<const clang::CFGBlock *, std::vector<const clang::VarDecl *>> loopInitScopes_; // see findLoopInitScopes
};

} // namespace lockcheck
