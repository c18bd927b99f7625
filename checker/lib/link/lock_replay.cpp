// The replay of one function's skeleton is a small lock-set dataflow of its own: it tracks
// only the locks that learned effects take (and the extract-known ones they let go of),
// since everything else extract already knew. Simpler than extract's engine, on purpose:
// no branch correlation beyond a pending call's own result, no exception edges; a lock not
// released is reported only where it is definitely held (docs/design.md "Known limits").
#include "link/lock_replay.h"

#include <algorithm>
#include <climits>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>

namespace lockcheck {
namespace {

struct Fact {
  LockRef lock;
  SourcePoint acquired;
  LockKey guard; // the local guard that owns it; none for a lock taken by hand
  bool maybe = false;
  bool entry = false; // the caller's, let go of before it is taken here
  bool operator==(const Fact &o) const {
    return lock.key == o.lock.key && guard == o.guard && maybe == o.maybe && entry == o.entry;
  }
};

struct Binding {
  LockKey guard;
  std::vector<LockRef> locks;
  bool inverse = false; // re-acquires its locks when it dies (ScopedUnlock)
};

struct State {
  bool reachable = false;
  std::vector<Fact> facts;
  std::set<LockKey> killed; // locks extract saw held that a learned call let go of
  std::vector<Binding> bindings;

  const Fact *find(const LockKey &key, bool definiteOnly) const {
    for (const Fact &f : facts)
      if (f.lock.key == key && (!definiteOnly || !f.maybe)) return &f;
    return nullptr;
  }
  const Binding *binding(const LockKey &guard) const {
    for (const Binding &b : bindings)
      if (b.guard == guard) return &b;
    return nullptr;
  }
  void unbind(const LockKey &guard) {
    std::erase_if(bindings, [&](const Binding &b) { return b.guard == guard; });
  }
  std::vector<HeldLock> definite() const {
    std::vector<HeldLock> out;
    for (const Fact &f : facts)
      if (!f.maybe) out.push_back(HeldLock{f.lock, f.acquired});
    return out;
  }
  bool operator==(const State &o) const {
    if (reachable != o.reachable || facts != o.facts || killed != o.killed || bindings.size() != o.bindings.size())
      return false;
    for (size_t i = 0; i < bindings.size(); ++i)
      if (bindings[i].guard != o.bindings[i].guard) return false;
    return true;
  }
  static State merge(const State &a, const State &b) {
    if (!a.reachable) return b;
    if (!b.reachable) return a;
    State out = a;
    auto match = [](const Fact &x, const Fact &y) { return x.lock.key == y.lock.key && x.guard == y.guard; };
    for (Fact &f : out.facts) {
      auto it = std::find_if(b.facts.begin(), b.facts.end(), [&](const Fact &g) { return match(f, g); });
      f.maybe = f.maybe || it == b.facts.end() || it->maybe;
    }
    for (const Fact &g : b.facts)
      if (std::none_of(a.facts.begin(), a.facts.end(), [&](const Fact &f) { return match(f, g); })) {
        out.facts.push_back(g);
        out.facts.back().maybe = true;
      }
    out.killed.insert(b.killed.begin(), b.killed.end());
    for (const Binding &bb : b.bindings)
      if (!out.binding(bb.guard)) out.bindings.push_back(bb);
    return out;
  }
};

// What one pending call turns out to do, from its callee's effects.
struct Action {
  enum Kind { None, Plain, GuardConstruct, GuardDestroy, GuardUnlock, GuardLock, GuardTry } kind = None;
  std::vector<LockRef> acquires, tries, releases;
  bool bounded = true;     // every acquisition is a try or timed one
  bool heldOnZero = false; // tries: held when the result is zero; acquires that report failure: succeeded
  bool reportsFailure = false; // Plain: every acquisition's result reports its failure (`if (mu.Lock() != 0)`)
  bool inverse = false;    // GuardConstruct: a ScopedUnlock
  bool reacquires = false; // GuardDestroy: gives back what it let go of
};

// An effect's lock as its own function's body names it: a constructor's is kept in a
// member (`via`), which its key no longer says.
LockKey ownKey(const LockEffect &e) {
  if (e.via.empty()) return e.key;
  return LockKey::thisMember(e.via.str()).join(e.key.rest.str());
}

bool applies(const LockEffect &e, const PendingCall &p) {
  if (e.ifParam < 0 || static_cast<size_t>(e.ifParam) >= p.constArgs.size() || !p.constArgs[e.ifParam]) return true;
  return (*p.constArgs[e.ifParam] != 0) == e.ifValue;
}

class Replayer;

// A dummy handler for the first, raw pass: it reports nothing.
struct Quiet : FlowHandler {};

class FunctionReplay {
public:
  // `raw`: the first pass, which only finds what the function could hand out or take back
  // (for counterparts, below) and changes nothing.
  FunctionReplay(Replayer &owner, FunctionFacts &fn, FlowHandler &handler, bool raw)
      : owner_(owner), fn_(fn), handler_(handler), raw_(raw), program_(raw ? fn.program : std::move(fn.program)) {
    if (!raw) fn.program = LockProgram{};
  }
  // The effects found (raw pass), or written back into the function (real pass).
  std::vector<LockEffect> run();

private:
  Action resolve(const PendingCall &p);
  FlowSite site(const SourcePoint &at) const { return FlowSite{fn_.name.str(), at}; }
  // The locks extract saw held at call `index`, less those a learned call let go of.
  std::vector<HeldLock> known(const std::vector<HeldLock> &held, const State &s) const {
    std::vector<HeldLock> out;
    for (const HeldLock &h : held)
      if (!s.killed.count(h.lock.key)) out.push_back(h);
    return out;
  }
  void acquire(State &s, const LockRef &lock, const SourcePoint &at, const LockKey &guard, bool bounded,
               const std::vector<HeldLock> &knownHeld, bool final);
  void release(State &s, const LockRef &lock, const SourcePoint &at, const std::vector<HeldLock> &knownHeld, bool final);
  void transfer(State &s, const ProgramStep &step, bool final);
  void branch(State &s, const ProgramBlock &block, size_t succIndex) const;
  void findEntryKeys(State &start);
  void rewriteForConstructor(LockEffect &e) const;
  std::vector<LockEffect> finish(const std::vector<std::pair<const ProgramExit *, State>> &exits);

  Replayer &owner_;
  FunctionFacts &fn_;
  FlowHandler &handler_;
  bool raw_;
  LockProgram program_;
  std::vector<Action> actions_;
  std::map<LockKey, LockRef> entryKeys_; // the caller's locks it lets go of first
  // What the final pass found, written back at the end.
  std::map<unsigned, std::vector<HeldLock>> learnedHeld_; // by call index
  std::map<unsigned, std::set<LockKey>> killedAt_;
  std::map<unsigned, std::vector<HeldLock>> heldBefore_; // by extract acquisition index
  std::vector<AcquireEvent> acquires_;
};

class Replayer {
public:
  Replayer(FunctionMap &functions, FlowHandler &handler) : functions_(functions), handler_(handler) {
    for (auto &[key, fn] : functions_) {
      std::string_view qualified = fn.qualified;
      if (auto colons = qualified.rfind("::"); colons != std::string_view::npos)
        classes_[std::string(qualified.substr(0, colons))].push_back(&fn);
    }
  }
  void run() {
    raw_ = true; // what each could hand out or take back, before any is judged
    for (auto &[key, fn] : functions_)
      if (!fn.program.empty()) replay(fn);
    raw_ = false;
    done_.clear();
    for (auto &[key, fn] : functions_)
      if (!fn.program.empty()) replay(fn);
  }
  // A callee's effects, replayed first if it has a skeleton of its own.
  const std::vector<LockEffect> &effectsOf(const InternedString &key) {
    static const std::vector<LockEffect> none;
    auto it = key.empty() ? functions_.end() : functions_.find(key);
    if (it == functions_.end()) return none;
    FunctionFacts &fn = it->second;
    if (!fn.program.empty() && depth_ < kMaxDepth) replay(fn);
    if (raw_)
      if (auto r = rawEffects_.find(&fn); r != rawEffects_.end()) return r->second;
    return fn.effects;
  }
  // Whether another function of the program hands out (`release` false) or takes back
  // (`release` true) the lock `key` names in `fn`: a method of the same class for a
  // member (the destructor too), any function for a global; a parameter's is taken on
  // trust (extract/learned_locks.h LearnedLocks::counterpart, here without the types).
  bool counterpart(const FunctionFacts &fn, const LockKey &key, bool release) {
    auto makes = [&](const FunctionFacts &other) {
      if (&other == &fn) return false;
      auto raw = rawEffects_.find(&other);
      for (const LockEffect &e : raw != rawEffects_.end() ? raw->second : other.effects)
        if (ownKey(e) == key && (e.kind == LockEffect::Kind::Release) == release) return true;
      if (!release)
        for (const AcquireEvent &a : other.acquires)
          if (a.lock.key == key) return true;
      return false;
    };
    if (key.base == LockKey::Base::Param) return true;
    if (key.base == LockKey::Base::This) {
      std::string_view qualified = fn.qualified;
      auto colons = qualified.rfind("::");
      if (colons == std::string_view::npos) return false;
      auto siblings = classes_.find(std::string(qualified.substr(0, colons)));
      return siblings != classes_.end() &&
             std::any_of(siblings->second.begin(), siblings->second.end(), [&](const FunctionFacts *o) { return makes(*o); });
    }
    return std::any_of(functions_.begin(), functions_.end(), [&](const auto &entry) { return makes(entry.second); });
  }

private:
  static constexpr unsigned kMaxDepth = 64; // deeper chains keep what extract knew
  void replay(FunctionFacts &fn) {
    if (done_.count(&fn) || !replaying_.insert(&fn).second) return; // recursion: what extract knew
    ++depth_;
    Quiet quiet;
    std::vector<LockEffect> effects = FunctionReplay(*this, fn, raw_ ? static_cast<FlowHandler &>(quiet) : handler_, raw_).run();
    if (raw_) rawEffects_[&fn] = std::move(effects);
    --depth_;
    replaying_.erase(&fn);
    done_.insert(&fn);
  }
  FunctionMap &functions_;
  FlowHandler &handler_;
  bool raw_ = false;
  std::set<const FunctionFacts *> replaying_, done_;
  std::map<const FunctionFacts *, std::vector<LockEffect>> rawEffects_;
  std::map<std::string, std::vector<const FunctionFacts *>, std::less<>> classes_; // by class, for counterparts
  unsigned depth_ = 0;
};

Action FunctionReplay::resolve(const PendingCall &p) {
  Action a;
  const CallEvent &call = fn_.calls[p.call];
  const std::vector<LockEffect> &effects = owner_.effectsOf(call.callee);
  bool guarded = !p.var.empty();
  for (const LockEffect &e : effects) {
    if (!applies(e, p)) continue;
    bool onThis = e.key.base == LockKey::Base::This;
    if (guarded && p.role != PendingCall::Role::Construct) {
      // The guard's own destructor or methods act on what it holds.
      if (!onThis) continue;
      switch (e.kind) {
      case LockEffect::Kind::Release:
        a.kind = p.role == PendingCall::Role::Destroy ? Action::GuardDestroy : Action::GuardUnlock;
        break;
      case LockEffect::Kind::Acquire:
        if (p.role == PendingCall::Role::Destroy) a.kind = Action::GuardDestroy, a.reacquires = true;
        else a.kind = Action::GuardLock;
        break;
      case LockEffect::Kind::TryAcquire:
        a.kind = Action::GuardTry;
        a.heldOnZero = e.heldOnZero;
        break;
      }
      continue;
    }
    if (p.role == PendingCall::Role::Destroy || (p.role == PendingCall::Role::Construct && !guarded)) continue;
    // A constructor's effects are in its parameters' terms already (`via` its member).
    std::optional<LockRef> lock = effectAtCall(e, p.names);
    if (!lock) continue;
    switch (e.kind) {
    case LockEffect::Kind::Acquire:
      a.reportsFailure = e.reportsFailure && (a.acquires.empty() || (a.reportsFailure && a.heldOnZero == e.heldOnZero));
      if (a.tries.empty()) a.heldOnZero = e.heldOnZero;
      a.acquires.push_back(*lock);
      a.bounded &= e.bounded;
      break;
    case LockEffect::Kind::TryAcquire:
      a.tries.push_back(*lock);
      a.heldOnZero = e.heldOnZero;
      break;
    case LockEffect::Kind::Release: a.releases.push_back(*lock); break;
    }
  }
  if (p.role == PendingCall::Role::Construct && guarded) {
    if (!a.acquires.empty() || !a.releases.empty()) {
      a.kind = Action::GuardConstruct;
      a.inverse = a.acquires.empty();
    }
  } else if (a.kind == Action::None && (!a.acquires.empty() || !a.tries.empty() || !a.releases.empty())) {
    a.kind = Action::Plain;
  }
  return a;
}

void FunctionReplay::acquire(State &s, const LockRef &lock, const SourcePoint &at, const LockKey &guard, bool bounded,
                             const std::vector<HeldLock> &knownHeld, bool final) {
  bool entry = entryKeys_.count(lock.key) > 0;
  if (final) {
    AcquireEvent ev{.lock = lock, .where = at, .bounded = bounded, .groupMember = false, .heldBefore = {}, .reacquire = entry};
    for (const HeldLock &h : knownHeld)
      if (h.lock.key != lock.key) ev.heldBefore.push_back(h);
    for (const HeldLock &h : s.definite())
      if (h.lock.key != lock.key) ev.heldBefore.push_back(h);
    acquires_.push_back(std::move(ev));
  }
  std::optional<HeldLock> held;
  if (const Fact *f = s.find(lock.key, true)) held = HeldLock{f->lock, f->acquired};
  for (const HeldLock &h : knownHeld)
    if (!held && h.lock.key == lock.key) held = h;
  if (held && !lock.recursive && !held->lock.recursive && !(lock.shared && held->lock.shared) && !bounded) {
    if (final) handler_.acquiredWhileHeld(site(at), lock, *held);
    return;
  }
  // A lock its guard still owns, let go of for slow work and taken back: the guard's again.
  LockKey owner = guard;
  for (const Binding &b : s.bindings)
    if (owner.empty() && !b.inverse &&
        std::any_of(b.locks.begin(), b.locks.end(), [&](const LockRef &l) { return l.key == lock.key; }))
      owner = b.guard;
  std::erase_if(s.facts, [&](const Fact &f) { return f.lock.key == lock.key && f.maybe && f.guard == owner; });
  s.killed.erase(lock.key);
  s.facts.push_back(Fact{lock, at, owner, false, entry});
}

void FunctionReplay::release(State &s, const LockRef &lock, const SourcePoint &at, const std::vector<HeldLock> &knownHeld,
                             bool final) {
  auto it = std::find_if(s.facts.begin(), s.facts.end(), [&](const Fact &f) { return f.lock.key == lock.key && !f.maybe; });
  if (it == s.facts.end())
    it = std::find_if(s.facts.begin(), s.facts.end(), [&](const Fact &f) { return f.lock.key == lock.key; });
  if (it != s.facts.end()) {
    s.facts.erase(it);
    return;
  }
  if (std::any_of(knownHeld.begin(), knownHeld.end(), [&](const HeldLock &h) { return h.lock.key == lock.key; })) {
    s.killed.insert(lock.key);
    return;
  }
  if (final) handler_.releasedNotHeld(site(at), lock, {});
}

void FunctionReplay::transfer(State &s, const ProgramStep &step, bool final) {
  switch (step.kind) {
  case ProgramStep::Kind::Call:
    if (final) learnedHeld_[step.index] = s.definite(), killedAt_[step.index] = s.killed;
    return;
  case ProgramStep::Kind::Acquire: {
    const AcquireEvent &a = fn_.acquires[step.index];
    if (final) heldBefore_[step.index] = s.definite();
    s.killed.erase(a.lock.key);
    return;
  }
  case ProgramStep::Kind::Release:
    std::erase_if(s.facts, [&](const Fact &f) { return f.lock.key == step.key && f.guard.empty(); });
    return;
  case ProgramStep::Kind::Pending: break;
  }
  const PendingCall &p = program_.pending[step.index];
  const Action &a = actions_[step.index];
  const CallEvent &call = fn_.calls[p.call];
  if (final) learnedHeld_[p.call] = s.definite(), killedAt_[p.call] = s.killed;
  std::vector<HeldLock> knownHeld = known(call.held, s);
  switch (a.kind) {
  case Action::None: return;
  case Action::Plain:
    for (const LockRef &l : a.releases) release(s, l, p.at, knownHeld, final);
    for (const LockRef &l : a.acquires) acquire(s, l, p.at, {}, a.bounded, knownHeld, final);
    if (final)
      for (const LockRef &l : a.tries)
        acquires_.push_back(AcquireEvent{.lock = l, .where = p.at, .bounded = true, .groupMember = false,
                                         .heldBefore = knownHeld, .reacquire = false});
    return;
  case Action::GuardConstruct:
    s.unbind(p.var);
    s.bindings.push_back(Binding{p.var, a.inverse ? a.releases : a.acquires, a.inverse});
    for (const LockRef &l : a.releases) release(s, l, p.at, knownHeld, final);
    for (const LockRef &l : a.acquires) acquire(s, l, p.at, p.var, a.bounded, knownHeld, final);
    return;
  case Action::GuardDestroy:
  case Action::GuardUnlock: {
    std::erase_if(s.facts, [&](const Fact &f) { return f.guard == p.var; });
    const Binding *b = s.binding(p.var);
    if (a.kind == Action::GuardDestroy && b && b->inverse) {
      std::vector<LockRef> locks = b->locks;
      for (const LockRef &l : locks) acquire(s, l, p.at, {}, false, knownHeld, final);
    }
    if (a.kind == Action::GuardDestroy) s.unbind(p.var);
    return;
  }
  case Action::GuardLock:
    if (const Binding *b = s.binding(p.var)) {
      std::vector<LockRef> locks = b->locks;
      for (const LockRef &l : locks) acquire(s, l, p.at, p.var, false, knownHeld, final);
    }
    return;
  case Action::GuardTry: return; // on the branch that tests it
  }
}

void FunctionReplay::branch(State &s, const ProgramBlock &block, size_t succIndex) const {
  if (block.test < 0) return;
  const Action &a = actions_[static_cast<size_t>(block.test)];
  const PendingCall &p = program_.pending[static_cast<size_t>(block.test)];
  bool nonZero = succIndex == block.nonZeroSucc;
  if (a.kind == Action::Plain && a.reportsFailure && a.tries.empty()) {
    if (a.heldOnZero != nonZero) return; // the success edge: held since the call
    for (const LockRef &l : a.acquires) // the failure edge: the lock call took nothing
      std::erase_if(s.facts, [&](const Fact &f) { return f.lock.key == l.key && f.guard.empty() && f.acquired == p.at; });
    return;
  }
  if (a.heldOnZero == nonZero) return; // the failure edge: nothing taken
  std::vector<LockRef> locks = a.tries;
  LockKey owner;
  if (a.kind == Action::GuardTry)
    if (const Binding *b = s.binding(p.var)) locks = b->locks, owner = p.var;
  for (const LockRef &l : locks) {
    std::erase_if(s.facts, [&](const Fact &f) { return f.lock.key == l.key && f.maybe && f.guard == owner; });
    if (!s.find(l.key, true)) s.facts.push_back(Fact{l, p.at, owner, false, false});
  }
}

// A lock a learned call lets go of before anything here takes it is the caller's (an
// unlock() wrapper over one from elsewhere; Condition::wait(m)).
void FunctionReplay::findEntryKeys(State &start) {
  std::map<LockKey, SourcePoint> firstAcquire, firstRelease;
  std::map<LockKey, LockRef> released;
  auto note = [](std::map<LockKey, SourcePoint> &first, const LockKey &key, const SourcePoint &at) {
    auto [it, added] = first.emplace(key, at);
    if (!added && at < it->second) it->second = at;
  };
  for (size_t i = 0; i < program_.pending.size(); ++i) {
    for (const LockRef &l : actions_[i].acquires) note(firstAcquire, l.key, program_.pending[i].at);
    for (const LockRef &l : actions_[i].tries) note(firstAcquire, l.key, program_.pending[i].at);
    if (actions_[i].kind == Action::Plain || (actions_[i].kind == Action::GuardConstruct && actions_[i].inverse))
      for (const LockRef &l : actions_[i].releases) note(firstRelease, l.key, program_.pending[i].at), released.emplace(l.key, l);
  }
  for (const AcquireEvent &a : fn_.acquires) note(firstAcquire, a.lock.key, a.where);
  for (const auto &[key, at] : firstRelease) {
    if (!namedByCaller(key) || std::count(fn_.entryLocks.begin(), fn_.entryLocks.end(), key)) continue;
    auto a = firstAcquire.find(key);
    if (a != firstAcquire.end() && !(at < a->second)) continue;
    if (a == firstAcquire.end() && !raw_ && !owner_.counterpart(fn_, key, false)) continue;
    entryKeys_.emplace(key, released.at(key));
    if (!raw_) fn_.entryLocks.push_back(key);
    start.facts.push_back(Fact{released.at(key), fn_.where, {}, false, true});
  }
}

std::vector<LockEffect> FunctionReplay::run() {
  actions_.reserve(program_.pending.size());
  for (const PendingCall &p : program_.pending) actions_.push_back(resolve(p));
  const size_t n = program_.blocks.size();
  std::vector<State> entry(n);
  entry[0].reachable = true;
  findEntryKeys(entry[0]);
  std::deque<size_t> work{0};
  std::vector<char> queued(n, 0);
  queued[0] = 1;
  size_t budget = 64 * n + 64;
  while (!work.empty() && budget-- > 0) {
    size_t b = work.front();
    work.pop_front();
    queued[b] = 0;
    State s = entry[b];
    for (const ProgramStep &step : program_.blocks[b].steps) transfer(s, step, false);
    const auto &succ = program_.blocks[b].succ;
    for (size_t i = 0; i < succ.size(); ++i) {
      if (succ[i] < 0) continue;
      State out = s;
      branch(out, program_.blocks[b], i);
      size_t next = static_cast<size_t>(succ[i]);
      State merged = State::merge(entry[next], out);
      if (merged == entry[next]) continue;
      entry[next] = std::move(merged);
      if (!queued[next]) queued[next] = 1, work.push_back(next);
    }
  }
  std::vector<std::pair<const ProgramExit *, State>> exits;
  for (size_t b = 0; b < n; ++b) {
    if (!entry[b].reachable) continue;
    State s = entry[b];
    for (const ProgramStep &step : program_.blocks[b].steps) transfer(s, step, true);
    if (int e = program_.blocks[b].exit; e >= 0) exits.emplace_back(&program_.exits[static_cast<size_t>(e)], std::move(s));
  }
  return finish(exits);
}

// Writes back what the replay found and derives the function's own effects, as extract's
// wrapper_summary.cpp does, from the locks held where it returns.
std::vector<LockEffect> FunctionReplay::finish(const std::vector<std::pair<const ProgramExit *, State>> &exits) {
  std::vector<const std::pair<const ProgramExit *, State> *> normal;
  for (const auto &e : exits)
    if (!e.first->throws) normal.push_back(&e);
  std::vector<LockEffect> learned;
  std::set<LockKey> handedOver;
  auto effectOf = [&](LockEffect::Kind kind, const LockRef &l) {
    LockEffect e;
    e.kind = kind;
    e.key = l.key;
    e.order = l.order;
    e.display = l.display;
    e.shared = l.shared;
    e.recursive = l.recursive;
    return e;
  };
  std::map<LockKey, LockRef> candidates;
  for (const auto *e : normal)
    for (const Fact &f : e->second.facts)
      if (f.guard.empty() && !f.entry && namedByCaller(f.lock.key)) candidates.emplace(f.lock.key, f.lock);
  for (const auto &[key, lock] : candidates) {
    // Handed to the caller only by an API that also takes it back; else a leak.
    if (!raw_ && !owner_.counterpart(fn_, key, true)) continue;
    bool everywhere = std::all_of(normal.begin(), normal.end(), [&](const auto *e) { return e->second.find(key, true); });
    if (everywhere) {
      LockEffect e = effectOf(LockEffect::Kind::Acquire, lock);
      e.bounded = std::all_of(acquires_.begin(), acquires_.end(), [&](const AcquireEvent &a) { return a.lock.key != key || a.bounded; });
      learned.push_back(e);
      handedOver.insert(key);
      continue;
    }
    // A try-lock: held at the returns that say so (`return impl_->tryLock();`, `return true;`).
    bool whenTrue = true, whenZero = true, held = false;
    for (const auto *e : normal) {
      const ProgramExit &x = *e->first;
      bool here = e->second.find(key, true) != nullptr;
      if (x.returnsConstant) {
        whenTrue &= here == (x.value != 0);
        whenZero &= here == (x.value == 0);
        held |= here;
      } else if (x.returnsPending >= 0) {
        const Action &a = actions_[static_cast<size_t>(x.returnsPending)];
        bool tries = std::any_of(a.tries.begin(), a.tries.end(), [&](const LockRef &l) { return l.key == key; });
        if (!tries || here) {
          whenTrue = whenZero = false;
          break;
        }
        bool onZero = a.heldOnZero != x.negated; // the returned value is zero when the lock is held
        whenTrue &= !onZero;
        whenZero &= onZero;
        held = true;
      } else {
        whenTrue = whenZero = false;
      }
    }
    if (held && (whenTrue || whenZero)) {
      LockEffect e = effectOf(LockEffect::Kind::TryAcquire, lock);
      e.bounded = true;
      e.heldOnZero = !whenTrue;
      learned.push_back(e);
      handedOver.insert(key);
    }
  }
  // Released for the caller: one of its locks let go of and not always taken back.
  for (const auto &[key, lock] : entryKeys_) {
    bool kept = std::all_of(normal.begin(), normal.end(), [&](const auto *e) { return e->second.find(key, true); });
    if (!kept && !normal.empty()) learned.push_back(effectOf(LockEffect::Kind::Release, lock));
  }
  // Locks still held where the function returns that are no caller's to release.
  if (raw_) {
    for (LockEffect &e : learned) rewriteForConstructor(e);
    return learned;
  }
  std::set<std::pair<LockKey, SourcePoint>> reported;
  for (const auto &[exit, state] : exits)
    for (const Fact &f : state.facts)
      if (f.guard.empty() && !f.entry && !f.maybe && !handedOver.count(f.lock.key) &&
          reported.insert({f.lock.key, f.acquired}).second)
        handler_.heldAtReturn(site(exit->where), HeldLock{f.lock, f.acquired});
  for (LockEffect &e : learned) rewriteForConstructor(e);
  // What extract knew stays, unless a learned call let go of it on the way out.
  std::vector<LockEffect> effects;
  for (const LockEffect &e : fn_.effects) {
    bool killed = e.kind != LockEffect::Kind::Release &&
                  std::any_of(normal.begin(), normal.end(), [&](const auto *x) { return x->second.killed.count(e.key) > 0; });
    if (!killed) effects.push_back(e);
  }
  for (const LockEffect &e : learned)
    if (std::none_of(effects.begin(), effects.end(), [&](const LockEffect &o) { return o.key == e.key; })) effects.push_back(e);
  fn_.effects = std::move(effects);

  // The learned locks held at each call and acquisition, in the order they were taken.
  auto merge = [](std::vector<HeldLock> &held, const std::vector<HeldLock> &more, const std::set<LockKey> &killed) {
    std::erase_if(held, [&](const HeldLock &h) { return killed.count(h.lock.key) > 0; });
    for (const HeldLock &h : more)
      if (std::none_of(held.begin(), held.end(), [&](const HeldLock &o) { return o.lock.key == h.lock.key; }))
        held.insert(std::upper_bound(held.begin(), held.end(), h,
                                     [](const HeldLock &a, const HeldLock &b) { return a.acquired < b.acquired; }),
                    h);
  };
  static const std::set<LockKey> noneKilled;
  for (const auto &[index, more] : learnedHeld_) {
    auto killed = killedAt_.find(index);
    merge(fn_.calls[index].held, more, killed == killedAt_.end() ? noneKilled : killed->second);
  }
  for (const auto &[index, more] : heldBefore_) merge(fn_.acquires[index].heldBefore, more, noneKilled);
  for (AcquireEvent &a : fn_.acquires)
    if (entryKeys_.count(a.lock.key)) a.reacquire = true;
  for (AcquireEvent &a : acquires_) fn_.acquires.push_back(std::move(a));
  // Calls that turned out to be lock operations are no calls (as at extract).
  std::vector<char> lockOp(fn_.calls.size(), 0);
  for (size_t i = 0; i < program_.pending.size(); ++i)
    if (actions_[i].kind != Action::None) lockOp[program_.pending[i].call] = 1;
  // Objects not yet shared name earlier calls by index: renumber them; a lock operation
  // publishes nothing, so it leaves their lists.
  std::vector<unsigned> renumbered(fn_.calls.size());
  unsigned kept = 0;
  for (size_t i = 0; i < fn_.calls.size(); ++i) renumbered[i] = lockOp[i] ? UINT_MAX : kept++;
  for (CallEvent &call : fn_.calls)
    for (UnsharedObject &u : call.unshared) {
      std::erase_if(u.after, [&](unsigned i) { return i < renumbered.size() && renumbered[i] == UINT_MAX; });
      for (unsigned &i : u.after)
        if (i < renumbered.size()) i = renumbered[i];
    }
  size_t index = 0;
  std::erase_if(fn_.calls, [&](const CallEvent &) { return lockOp[index++] != 0; });
  return fn_.effects;
}

// A constructor keeps the lock in a member it initialised from an argument: in its
// callers' terms that is the argument.
void FunctionReplay::rewriteForConstructor(LockEffect &e) const {
  if (e.key.base != LockKey::Base::This) return;
  std::string path = e.key.rest.str();
  std::string field = path.substr(0, path.find('.'));
  for (const auto &[member, from] : program_.fieldInits)
    if (member == field) {
      e.via = field;
      e.key = from.join(path.size() > field.size() ? path.substr(field.size() + 1) : std::string());
    }
}

} // namespace

void replayLearnedLocks(FunctionMap &functions, FlowHandler &handler) { Replayer(functions, handler).run(); }

} // namespace lockcheck
