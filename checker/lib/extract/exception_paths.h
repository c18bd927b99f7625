// Exception edges for the lock-set dataflow. Built without AddEHEdges (which would also send
// every call outside a try to the function's exit), Clang's CFG reaches a try's handlers only
// from explicit `throw`s. Here a call inside a try body that may throw flows into that try's
// dispatch block too, with the locks held just before the call; on the way the guards
// declared inside the try body are destroyed (unwinding), the rest stays held in the handler.
#pragma once

#include "extract/lockset.h"

#include <clang/Basic/SourceLocation.h>

#include <vector>

namespace clang {
class CFG;
class CFGBlock;
class CXXTryStmt;
class SourceManager;
class Stmt;
} // namespace clang

namespace lockcheck {

class ExceptionPaths {
public:
  ExceptionPaths(const clang::CFG &cfg, const clang::SourceManager &sm);

  // The dispatch block of the innermost try whose body contains `stmt`, when `stmt` is a
  // call that may throw; null otherwise.
  const clang::CFGBlock *throwTarget(const clang::Stmt *stmt) const;
  // The block that picks a handler for a try (its terminator is the CXXTryStmt).
  static bool isDispatch(const clang::CFGBlock &block);
  bool empty() const { return tries_.empty(); } // the function has no try
  // What unwinding to `dispatch` does to a state: the try body's own guards release.
  void unwind(LockSet &state, const clang::CFGBlock &dispatch) const;

private:
  struct Try {
    const clang::CFGBlock *dispatch;
    clang::SourceLocation begin, end; // the try body, as expanded
  };
  const Try *innermost(clang::SourceLocation loc) const;
  bool within(clang::SourceLocation loc, const Try &t) const;

  const clang::SourceManager &sm_;
  std::vector<Try> tries_;
};

} // namespace lockcheck
