// What a function hands to, or takes back from, its callers (spec §1 "Lock wrappers are
// learned from their bodies"; docs/design.md "Lock wrappers"), read off its exits once the
// dataflow has converged:
// - a lock it took, on something its caller can name, and still holds at every return is
//   acquired for the caller (a lock(), a guard's constructor);
// - one held at the returns that say so, and not at the others, is a try-lock;
// - one it lets go of before taking it (the caller's) and does not always take back is
//   released for the caller (an unlock(), a guard's destructor). One always taken back
//   (Condition::wait, ScopedUnlock's scope) is only held on entry, like requires_capability.
#include "extract/function_walk.h"

#include "extract/learned_locks.h"

#include <clang/AST/DeclCXX.h>
#include <clang/AST/Expr.h>

#include <map>
#include <optional>

namespace lockcheck {
using namespace clang;

namespace {

// How a lock is held where a function returns.
struct Presence {
  enum Kind { Absent, Definite, Maybe } kind = Absent;
  std::optional<std::pair<unsigned, bool>> ifParam; // Maybe: held exactly when parameter N is `value`
};

Presence presence(const LockSet &state, const LockKey &key, bool adoptedToo, const FunctionDecl *fn) {
  for (const LockFact &f : state.facts) {
    if (f.lock.key != key || f.guard || (f.adopted && !adoptedToo)) continue;
    if (!f.maybe) return {Presence::Definite, std::nullopt};
    Presence p{Presence::Maybe, std::nullopt};
    if (f.onlyIf.size() == 1)
      if (const auto *parm = dyn_cast<ParmVarDecl>(f.onlyIf.front().var);
          parm && parm->getDeclContext() == fn && parm->getType()->isIntegralOrEnumerationType())
        p.ifParam = std::make_pair(parm->getFunctionScopeIndex(), f.onlyIf.front().value);
    return p;
  }
  return {};
}

QualType pointee(QualType t) {
  t = t.getNonReferenceType();
  if (const auto *ptr = t->getAs<PointerType>()) return ptr->getPointeeType();
  return t;
}

const FieldDecl *fieldNamed(const CXXRecordDecl *rec, llvm::StringRef name, int depth = 0) {
  if (!rec || !(rec = rec->getDefinition()) || depth > 8) return nullptr;
  for (const FieldDecl *f : rec->fields())
    if (f->getName() == name) return f;
  for (const auto &base : rec->bases())
    if (const FieldDecl *f = fieldNamed(base.getType()->getAsCXXRecordDecl(), name, depth + 1)) return f;
  return nullptr;
}

// The member a key ends in (`t:impl_.m_mutex`: MutexImpl::m_mutex), or null.
const FieldDecl *innermostField(const LockKey &key, const FunctionDecl *fn) {
  const CXXRecordDecl *rec = nullptr;
  if (key.base == LockKey::Base::This) {
    if (const auto *method = dyn_cast<CXXMethodDecl>(fn)) rec = method->getParent();
  } else if (key.base == LockKey::Base::Param && key.param < fn->getNumParams()) {
    rec = pointee(fn->getParamDecl(key.param)->getType())->getAsCXXRecordDecl();
  }
  const FieldDecl *field = nullptr;
  llvm::StringRef path = key.rest.str();
  while (rec && !path.empty()) {
    auto [name, rest] = path.split('.');
    if (!(field = fieldNamed(rec, name))) return nullptr;
    path = rest;
    rec = pointee(field->getType())->getAsCXXRecordDecl();
  }
  return path.empty() ? field : nullptr;
}

} // namespace

std::vector<LockRef> FunctionWalk::findEntryKeys() {
  std::vector<LockRef> out;
  if (lockImplementation_ || !rec_.learned()) return out;
  for (const auto &[key, loc] : firstRelease_) {
    if (!namedByCaller(key)) continue;
    // Let go of, then taken back here (a wait, an unlocked stretch), or let go of for good
    // by an unlock() whose API also takes it (a lock() or a constructor elsewhere).
    auto acquired = firstAcquire_.find(key);
    if (acquired != firstAcquire_.end() && !sm_.isBeforeInTranslationUnit(loc, acquired->second)) continue;
    if (acquired == firstAcquire_.end() && !rec_.learned()->counterpart(fn_, key, false)) continue;
    learnedEntryKeys_.insert(key);
    out.push_back(releasedLocks_.at(key));
  }
  return out;
}

void FunctionWalk::summarize(const std::vector<ExitState> &exits) {
  LearnedLocks *learned = rec_.learned();
  if (!learned) return;
  LearnedLocks::Summary summary;
  summary.pending = pendingEffects_;
  const auto *method = dyn_cast<CXXMethodDecl>(fn_);
  bool lambda = method && method->getParent()->isLambda();
  // A lock() that throws took nothing, and a destructor's `try { unlock(); } catch (...)`
  // still unlocks: the summary is of the paths that do not throw.
  std::vector<ExitState> withoutExceptions;
  if (!eh_->empty() && !lockImplementation_ && !lambda) {
    // A second solve, for the summary only: it records no calls and reports nothing.
    std::vector<LockSet> saved = std::move(entry_);
    bool emitting = emit_;
    emit_ = false;
    solve(false);
    withoutExceptions = exitStates();
    emit_ = emitting;
    entry_ = std::move(saved);
  }
  std::vector<const ExitState *> normal;
  for (const ExitState &e : eh_->empty() ? exits : withoutExceptions)
    if (!e.throws) normal.push_back(&e);
  if (lockImplementation_ || lambda || normal.empty()) {
    learned->record(fn_, std::move(summary));
    return;
  }
  bool isCtor = isa<CXXConstructorDecl>(fn_);
  QualType ret = fn_->getReturnType();
  bool testable = ret->isIntegralOrEnumerationType() && !isCtor;

  // The states on each side of a returned test (`return m.try_lock();`).
  std::vector<std::optional<std::pair<LockSet, LockSet>>> sides(normal.size());
  bool saved = emit_;
  emit_ = false;
  if (testable)
    for (size_t i = 0; i < normal.size(); ++i)
      if (const Expr *value = normal[i]->returned; value && !value->isValueDependent()) {
        Expr::EvalResult constant;
        if (value->EvaluateAsInt(constant, ctx_)) continue;
        LockSet whenTrue = normal[i]->state, whenFalse = normal[i]->state;
        refine(whenTrue, value, true, 0);
        refine(whenFalse, value, false, 0);
        sides[i] = std::make_pair(std::move(whenTrue), std::move(whenFalse));
      }
  emit_ = saved;

  std::map<LockKey, LockRef> candidates;
  auto collect = [&](const LockSet &s) {
    for (const LockFact &f : s.facts)
      if (!f.guard && !f.adopted && namedByCaller(f.lock.key)) candidates.emplace(f.lock.key, f.lock);
  };
  for (size_t i = 0; i < normal.size(); ++i) {
    collect(normal[i]->state);
    if (sides[i]) collect(sides[i]->first), collect(sides[i]->second);
  }

  auto effectOf = [&](LockEffect::Kind kind, const LockRef &lock) {
    LockEffect e;
    e.kind = kind;
    e.key = lock.key;
    e.order = lock.order;
    e.display = lock.display;
    e.shared = lock.shared;
    e.recursive = lock.recursive;
    // A pthread mutex whose kind this TU cannot see (its constructor is elsewhere) may be
    // recursive, as SFML's and Poco's are: no double-lock is claimed on it.
    if (const FieldDecl *field = innermostField(lock.key, fn_);
        field && learned->nativeLock(field->getType()) && !rec_.isLockType(field->getType())) {
      bool known = false;
      e.recursive |= learned->recursiveMember(field, known) || !known;
    }
    bool any = false, allBounded = true;
    for (const AcquireEvent &a : out_.acquires)
      if (a.lock.key == lock.key) any = true, allBounded &= a.bounded;
    e.bounded = any && allBounded && kind == LockEffect::Kind::Acquire;
    return e;
  };

  // A lock held at every return of a function that returns its lock call's result
  // (`int Lock() { return pthread_mutex_lock(&m_); }`, `return pthread_mutex_lock(&m_) == 0;`):
  // on the side of each returned value that reports failure the lock call took nothing (the
  // refinement drops it there), so the caller's test of the result tells the branches apart
  // as it would for the lock call itself (spec §1: not a leak on the failure branch).
  auto reportsFailure = [&](LockEffect &e, const LockKey &key) {
    bool failsOnNonZero = true, failsOnZero = true, tested = false;
    for (size_t i = 0; i < normal.size() && (failsOnNonZero || failsOnZero); ++i) {
      Expr::EvalResult constant;
      const Expr *value = normal[i]->returned;
      if (sides[i]) {
        Presence t = presence(sides[i]->first, key, false, fn_), f = presence(sides[i]->second, key, false, fn_);
        failsOnNonZero &= t.kind == Presence::Absent && f.kind == Presence::Definite;
        failsOnZero &= t.kind == Presence::Definite && f.kind == Presence::Absent;
        tested = true;
      } else if (value && !value->isValueDependent() && value->EvaluateAsInt(constant, ctx_)) {
        bool nonZero = constant.Val.getInt().getBoolValue(); // a success value returned after locking
        failsOnNonZero &= !nonZero;
        failsOnZero &= nonZero;
      } else {
        failsOnNonZero = failsOnZero = false;
      }
    }
    if (!tested || !(failsOnNonZero || failsOnZero)) return;
    e.reportsFailure = true;
    e.heldOnZero = failsOnNonZero;
  };

  // All returns joined: a lock held at some returns and not at others may be held exactly
  // when a parameter says so (`if (unlockNow) m.unlock();`, whose false edge goes straight
  // to the exit, so no single return knows it).
  LockSet joined;
  for (const ExitState *e : normal) joined = LockSet::merge(joined, e->state);

  for (const auto &[key, lock] : candidates) {
    // Acquired for the caller: held at every return (a constructor: on some path, as an
    // optional guard's `if (m) m->lock()`), or exactly when a parameter says so.
    bool everywhere = true, unconditional = false;
    std::optional<std::pair<unsigned, bool>> condition;
    bool sameCondition = true;
    for (const ExitState *e : normal) {
      Presence p = presence(e->state, key, false, fn_);
      if (p.kind == Presence::Absent) everywhere = false;
      else if (p.kind == Presence::Definite) unconditional = true;
      else if (!p.ifParam) unconditional |= isCtor, sameCondition &= isCtor;
      else if (!condition) condition = p.ifParam;
      else sameCondition &= *condition == *p.ifParam;
    }
    // Handed to the caller only by an API that also takes it back (an unlock(), the
    // class's destructor); otherwise it is a leak, reported as one.
    if (!learned->counterpart(fn_, key, true)) continue;
    if (Presence all = presence(joined, key, false, fn_); !everywhere && !isCtor && all.ifParam) {
      everywhere = sameCondition = true;
      unconditional = false;
      condition = all.ifParam;
    } else if (!everywhere && isCtor && all.kind != Presence::Absent) {
      // An optional guard whose `if (m)` skips straight to the exit: held on some path.
      everywhere = sameCondition = unconditional = true;
    }
    if (everywhere && sameCondition) {
      LockEffect e = effectOf(LockEffect::Kind::Acquire, lock);
      if (condition && !unconditional) e.ifParam = static_cast<int>(condition->first), e.ifValue = condition->second;
      else if (testable) reportsFailure(e, key);
      summary.effects.push_back(e);
      handedOver_.insert(key);
      continue;
    }
    if (!testable) continue;
    // A try-lock: held exactly at the returns whose value says so.
    bool heldWhenTrue = true, heldWhenZero = true, held = false;
    for (size_t i = 0; i < normal.size() && (heldWhenTrue || heldWhenZero); ++i) {
      const Expr *value = normal[i]->returned;
      Expr::EvalResult constant;
      if (sides[i]) {
        Presence t = presence(sides[i]->first, key, false, fn_), f = presence(sides[i]->second, key, false, fn_);
        heldWhenTrue &= t.kind == Presence::Definite && f.kind == Presence::Absent;
        heldWhenZero &= t.kind == Presence::Absent && f.kind == Presence::Definite;
        held |= t.kind == Presence::Definite || f.kind == Presence::Definite;
      } else if (value && !value->isValueDependent() && value->EvaluateAsInt(constant, ctx_)) {
        Presence p = presence(normal[i]->state, key, false, fn_);
        bool nonZero = constant.Val.getInt().getBoolValue();
        heldWhenTrue &= p.kind != Presence::Maybe && (p.kind == Presence::Definite) == nonZero;
        heldWhenZero &= p.kind != Presence::Maybe && (p.kind == Presence::Definite) == !nonZero;
        held |= p.kind == Presence::Definite;
      } else {
        heldWhenTrue = heldWhenZero = false;
      }
    }
    if (held && (heldWhenTrue || heldWhenZero)) {
      LockEffect e = effectOf(LockEffect::Kind::TryAcquire, lock);
      e.bounded = true;
      e.heldOnZero = !heldWhenTrue;
      summary.effects.push_back(e);
      handedOver_.insert(key);
    }
  }

  // Released for the caller: one of its locks let go of and not always taken back.
  for (const LockKey &key : learnedEntryKeys_) {
    bool unconditional = false, sameCondition = true;
    std::optional<std::pair<unsigned, bool>> condition; // held exactly when parameter N is `value`
    for (const ExitState *e : normal) {
      Presence p = presence(e->state, key, true, fn_);
      if (p.kind == Presence::Absent || (p.kind == Presence::Maybe && !p.ifParam)) unconditional = true;
      else if (p.kind == Presence::Maybe && !condition) condition = p.ifParam;
      else if (p.kind == Presence::Maybe) sameCondition &= *condition == *p.ifParam;
    }
    if (Presence all = presence(joined, key, true, fn_); all.ifParam) {
      unconditional = false;
      sameCondition = true;
      condition = all.ifParam;
    }
    if (!unconditional && !condition) continue;
    LockEffect e = effectOf(LockEffect::Kind::Release, releasedLocks_.at(key));
    if (!unconditional && sameCondition) e.ifParam = static_cast<int>(condition->first), e.ifValue = !condition->second;
    summary.effects.push_back(e);
  }

  // A constructor keeps the lock in a member it initialised from an argument: in its
  // callers' terms that is the argument (`_mutex(mutex)`: "t:_mutex.x" is "p0:x").
  if (const auto *ctor = dyn_cast<CXXConstructorDecl>(fn_))
    for (LockEffect &e : summary.effects) {
      if (e.key.base != LockKey::Base::This) continue;
      auto [field, rest] = llvm::StringRef(e.key.rest.str()).split('.');
      LockKey from = learned->initialisedFrom(ctor, field);
      if (from.empty()) continue;
      e.via = field.str();
      e.key = from.join(rest.str());
    }
  out_.effects = summary.effects;
  learned->record(fn_, std::move(summary));
}

} // namespace lockcheck
