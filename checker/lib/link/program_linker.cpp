#include "link/program_linker.h"

#include "link/escape_summary.h"
#include "link/target_choice.h"
#include "link/lock_replay.h"
#include "findings/quoted.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <queue>

namespace lockcheck {

ProgramLinker::ProgramLinker(const RulePacks &packs) : packs_(packs) {}
ProgramLinker::~ProgramLinker() = default;

void ProgramLinker::add(TUFacts facts) {
  calls_.add(facts); // before indirect_ takes the classes
  streams_.add(facts);
  indirect_.add(facts);
  // Node by node: the program's map takes the decoded nodes as they are, with no allocation
  // and no copy of a function's facts.
  while (!facts.functions.empty()) {
    auto node = facts.functions.extract(facts.functions.begin());
    node.mapped().key = node.key();
    addDefinition(std::move(node)); // link/definitions.cpp
  }
  for (auto &[key, d] : facts.decls) decls_.emplace(key, std::move(d));
  for (auto &f : facts.findings) local_.push_back(std::move(f));
}

void ProgramLinker::number() {
  static_assert(Visit{} == Visit::No, "solved() takes the value-initialised state for not visited");
  if (byId_.size() == functions_.size() && extraDefinitions_.empty()) return;
  splitDefinitions();
  byId_.clear(); // a TU added after a query: start over
  escapes_.reset();
  blocking_.clear();
  besides_.clear();
  contextCalls_.clear();
  acquisitions_.clear();
  invocations_.clear();
  for (const auto &[key, fn] : functions_) {
    index_.set(key, static_cast<Id>(byId_.size()));
    byId_.push_back(&fn);
  }
  choices_.clear();
  for (const auto &[key, aliases] : variants_) choices_.push_back(Choice{key, {}});
  std::sort(choices_.begin(), choices_.end(), [](const Choice &a, const Choice &b) { return a.key < b.key; });
  for (size_t i = 0; i < choices_.size(); ++i) {
    for (const auto &alias : variants_.at(choices_[i].key)) choices_[i].ids.push_back(idOf(alias));
    index_.set(choices_[i].key, static_cast<Id>(byId_.size() + i));
  }
  acquisitionsVisit_.assign(byId_.size() + choices_.size(), Visit::No);
  invocationsVisit_.assign(byId_.size() + choices_.size(), Visit::No);
}

ProgramLinker::Id ProgramLinker::idOf(const InternedString &key) const {
  int id = index_.find(key);
  return id == InternedIndex::kAbsent ? kNoId : id;
}

const FunctionFacts *ProgramLinker::definition(const InternedString &key) const {
  int id = index_.find(key);
  if (id == InternedIndex::kAbsent || (id != kNoId && isChoice(id))) return nullptr;
  if (id != kNoId) return byId_[static_cast<size_t>(id)];
  auto it = functions_.find(key);
  return it == functions_.end() ? nullptr : &it->second;
}

ProgramLinker::Chain ProgramLinker::prepend(const TraceStep &step, Chain rest) const {
  return prepend(step.where, Note::Whole, step.note, rest);
}

ProgramLinker::Chain ProgramLinker::prepend(const SourcePoint &where, Note kind, InternedString name,
                                            Chain rest) const {
  steps_.push_back(ChainStep{where.file, where.line, where.column, rest, kind, name});
  return static_cast<Chain>(steps_.size() - 1);
}

void ProgramLinker::appendChain(Chain chain, std::vector<TraceStep> &out) const {
  for (; chain != kNoChain; chain = steps_[static_cast<size_t>(chain)].next) {
    const ChainStep &s = steps_[static_cast<size_t>(chain)];
    std::string note;
    switch (s.kind) {
    case Note::Whole: note = s.text; break;
    case Note::Calls: note = "calls " + s.text; break;
    case Note::PassedOn: note = "passed on to " + s.text; break;
    case Note::Acquired: note = quoted(s.text) + " acquired here"; break;
    }
    out.push_back(TraceStep{SourcePoint{s.file, s.line, s.column}, std::move(note)});
  }
}

std::string ProgramLinker::nameOf(const InternedString &key) const {
  if (const FunctionFacts *fn = definition(key)) return fn->name;
  if (auto it = decls_.find(key); it != decls_.end()) return it->second.name;
  if (auto v = variants_.find(key); v != variants_.end()) return functions_.find(v->second.front())->second.name;
  return key;
}

ProgramLinker::Blocking ProgramLinker::leaf(const InternedString &key) const {
  Blocking b;
  std::string qualified;
  bool annotatedBlocking = false, annotatedNonblocking = false;
  if (const FunctionFacts *fn = definition(key)) {
    qualified = fn->qualified;
    annotatedBlocking = fn->annotatedBlocking;
    annotatedNonblocking = fn->annotatedNonblocking;
  }
  if (auto it = decls_.find(key); it != decls_.end()) {
    if (qualified.empty()) qualified = it->second.qualified;
    annotatedBlocking |= it->second.annotatedBlocking;
    annotatedNonblocking |= it->second.annotatedNonblocking;
  }
  if (annotatedNonblocking || packs_.nonblocking(qualified)) return b;
  if (annotatedBlocking) {
    b.blocks = true;
    b.category = "annotated";
    b.leaf = nameOf(key);
  } else if (const BlockingEntry *e = packs_.blocking(qualified)) {
    b.blocks = true;
    b.category = categoryName(e->category);
    b.leaf = nameOf(key);
  }
  if (const StreamCallEntry *s = b.blocks ? packs_.streamCall(qualified) : nullptr) {
    b.conditional = true; // fwrite on stdout, write on an eventfd: the stream decides
    b.streamPosition = s->streamArg;
    b.quietOnConsole = s->quietOnConsole;
    b.quietOnNonblocking = s->quietOnNonblocking;
  }
  return b;
}

// Pack matching globs over qualified names; a program calls the same few thousand names
// from millions of sites, so each name is matched once.
const ProgramLinker::Blocking &ProgramLinker::leafOf(const InternedString &key) const {
  auto it = leaves_.find(key);
  if (it == leaves_.end()) it = leaves_.emplace(key, leaf(key)).first;
  return it->second;
}

bool ProgramLinker::nonblockingName(const std::string &qualified) const {
  auto it = nonblockingNames_.find(qualified);
  if (it == nonblockingNames_.end()) it = nonblockingNames_.emplace(qualified, packs_.nonblocking(qualified)).first;
  return it->second;
}

const ProgramLinker::Blocking &ProgramLinker::blocking(Id id) const {
  static const Blocking none;
  auto it = blocking_.find(id);
  return it == blocking_.end() ? none : it->second;
}

bool ProgramLinker::runsCallables(const CallEvent &call, unsigned index) const {
  Id callee = idOf(call.callee);
  if (callee == kNoId) {
    auto d = decls_.find(call.callee);
    return d != decls_.end() && packs_.invokesCallable(d->second.qualified);
  }
  auto inv = invocations_.find(callee);
  return inv != invocations_.end() && inv->second.count(index);
}

ProgramLinker::Blocking ProgramLinker::atStream(const CallEvent &call, Blocking b) const {
  if (!b.blocks || !b.conditional) return b;
  auto it = std::find_if(call.streams.begin(), call.streams.end(),
                         [&](const StreamArg &s) { return s.position == b.streamPosition; });
  if (it == call.streams.end()) {
    b.conditional = false; // a stream lockcheck does not follow
    return b;
  }
  std::string_view value = it->value;
  if (value.rfind("a:", 0) == 0) { // the caller's own parameter: its callers decide
    int param = 0;
    auto [end, error] = std::from_chars(value.data() + 2, value.data() + value.size(), param);
    if (error != std::errc() || end != value.data() + value.size() || param < 0) b.conditional = false;
    else b.streamPosition = param;
    return b;
  }
  if (StreamValues::quiet(streams_.resolve(value, InternedString()), b.quietOnConsole, b.quietOnNonblocking)) return {};
  b.conditional = false;
  return b;
}

bool ProgramLinker::quietInEveryCall(const FunctionFacts &fn, const Blocking &b) const {
  if (!b.conditional || b.streamPosition < 0) return false;
  unsigned bits = streams_.resolve("a:" + std::to_string(b.streamPosition), fn.key);
  return StreamValues::quiet(bits, b.quietOnConsole, b.quietOnNonblocking);
}

bool ProgramLinker::unshared(const FunctionFacts &fn, const CallEvent &call, const LockKey &lock) {
  if (!escapes_) escapes_ = std::make_unique<EscapeSummary>(functions_, decls_, indirect_, calls_);
  return escapes_->unshared(fn, call, lock);
}

ProgramLinker::Blocking ProgramLinker::callBlocks(const CallEvent &call) const {
  Blocking b;
  if (call.path == CallPath::Dying) return b; // the process is ending (docs/spec.md §3)
  if (call.isWait) {
    if (call.waitsOnAdopted) return b;
    b.blocks = true;
    b.category = "sync";
    b.leaf = call.calleeName;
    return b;
  }
  if (indirectBlocks(call, b)) return b;
  Blocking callee = call.unresolved ? leafOf(call.callee) : calleeBlocking(call);
  if (!callee.blocks && !call.unresolved && !defines(call.callee)) callee = leafOf(call.callee);
  if (callee.blocks) {
    std::set<LockKey> released;
    for (const auto &k : callee.released)
      if (LockKey mine = k.translate(call.thisArg, call.argLocks); !mine.empty()) released.insert(mine);
    callee.released = std::move(released);
    return atStream(call, std::move(callee));
  }
  // Pack "not blocking" names win over the receiver's type (std::thread::thread, istringstream).
  std::string qualified;
  if (auto d = decls_.find(call.callee); d != decls_.end()) qualified = d->second.qualified;
  if (!call.receiverType.empty() && !nonblockingName(qualified))
    if (const BlockingTypeEntry *t = packs_.blockingType(call.receiverType)) {
      b.blocks = true;
      b.category = categoryName(t->category);
      b.leaf = call.calleeName;
      return b;
    }
  for (const auto &ca : call.callables) {
    if (!runsCallables(call, ca.index)) continue;
    for (const auto &target : callablesPassed(ca)) {
      const Blocking &t = blocking(target);
      if (!t.blocks) continue;
      b = t;
      b.released.clear(); // the callable's own entry locks mean nothing to this caller
      b.conditional = false; // nor do the streams it is given here
      const FunctionFacts *body = definition(target);
      b.chain = prepend(TraceStep{body ? body->where : SourcePoint{},
                                  "runs " + nameOf(target) + ", passed to " + call.calleeName},
                        b.chain);
      return b;
    }
  }
  return b;
}

std::set<LockKey> ProgramLinker::releasedAt(const FunctionFacts &fn, const CallEvent &call, const Blocking &b) {
  std::set<LockKey> released;
  for (const auto &e : fn.entryLocks) {
    bool held = std::any_of(call.held.begin(), call.held.end(), [&](const HeldLock &h) { return h.lock.key == e; });
    if (!held || b.released.count(e) || (call.isWait && call.waitReleases == e)) released.insert(e);
  }
  return released;
}

ProgramLinker::Chain ProgramLinker::callStep(const CallEvent &call, const Blocking &b) const {
  if (b.chain == kNoChain) return prepend(TraceStep{call.where, "calls " + call.calleeName + " (" + b.category + ")"}, b.chain);
  return prepend(call.where, Note::Calls, call.calleeName, b.chain);
}

namespace {
// How often a summary may take a new answer from the call that already explains it. The
// answer changes when more of an indirect call's targets turn out to block (the target
// named, "2 of 3"); the bound keeps the fixpoint finite where recursion could make two
// answers alternate.
constexpr unsigned char kMaxRenames = 8;
} // namespace

bool ProgramLinker::foldCalls(const FunctionFacts &fn, Blocking &mine, const std::vector<unsigned> *skip,
                              unsigned char &renamed) const {
  if (mine.blocks && explanationKind(mine) == 0 && !mine.offPath && (mine.chain == kNoChain || mine.released.empty()))
    return false; // a leaf, or final
  bool changed = false;
  size_t skipped = 0;
  for (unsigned i = 0; i < fn.calls.size(); ++i) {
    if (skip && skipped < skip->size() && (*skip)[skipped] == i) {
      ++skipped;
      continue;
    }
    const CallEvent &call = fn.calls[i];
    Blocking b = callBlocks(call);
    if (!b.blocks) continue;
    b.offPath = b.offPath || call.path == CallPath::Error;
    // Two stream parameters that each decide: taken as blocking whatever the arguments.
    if (mine.blocks && mine.conditional && b.conditional && b.streamPosition != mine.streamPosition) b.conditional = false;
    std::set<LockKey> released = releasedAt(fn, call, b);
    int kind = explanationKind(b), mineKind = mine.blocks ? explanationKind(mine) : 0;
    if (mine.blocks && kind == mineKind && b.conditional) { // quiet only on what every call so far is quiet on
      bool console = mine.quietOnConsole && b.quietOnConsole, nonblocking = mine.quietOnNonblocking && b.quietOnNonblocking;
      changed = changed || console != mine.quietOnConsole || nonblocking != mine.quietOnNonblocking;
      mine.quietOnConsole = b.quietOnConsole = console;
      mine.quietOnNonblocking = b.quietOnNonblocking = nonblocking;
    }
    // The call that explains the summary, answering anew with the same kind of explanation:
    // a summary solved while only some of an indirect call's targets were known to block
    // would otherwise keep naming the first target found, not the one the finished set
    // prefers (link/indirect_blocking.cpp).
    bool renames = mine.blocks && mine.from == i && kind == mineKind && b.offPath == mine.offPath &&
                   released == mine.released &&
                   (b.via != mine.via || b.byType != mine.byType || b.leaf != mine.leaf) && renamed < kMaxRenames;
    if (renames) {
      ++renamed;
    } else if (mine.blocks) {
      if (kind > mineKind) continue; // a better kind of explanation is known (target_choice.h)
      if (kind == mineKind) {
        std::set<LockKey> both;
        std::set_intersection(mine.released.begin(), mine.released.end(), released.begin(), released.end(),
                              std::inserter(both, both.end()));
        if (both != mine.released) {
          changed = true;
          if (both != released) { // the summary shrinks, but this call does not explain it alone
            mine.released = std::move(both);
            continue;
          }
        } else if (released != mine.released || !namesBetterTarget(b, mine)) {
          continue;
        }
      }
    }
    b.chain = callStep(call, b);
    mine = std::move(b);
    mine.released = std::move(released);
    mine.from = i;
    changed = true;
  }
  return changed;
}

bool ProgramLinker::updateBlocking(Id id) {
  if (isChoice(id)) return updateChoice(id);
  const FunctionFacts &fn = *byId_[static_cast<size_t>(id)];
  if (nonblockingFunction_[static_cast<size_t>(id)]) return false;
  bool changed = false;
  // callBlocks() of a self-call reads the summary being built: it is in the table meanwhile.
  auto fold = [&](std::unordered_map<Id, Blocking> &table, const std::vector<unsigned> *skip) {
    auto [entry, added] = table.try_emplace(id);
    changed |= foldCalls(fn, entry->second, skip, renamed_[static_cast<size_t>(id)]);
    if (added && !entry->second.blocks) table.erase(entry);
  };
  fold(blocking_, nullptr);
  if (const ContextCalls *context = contextCallsOf(id)) fold(besides_, &context->calls);
  return changed;
}

// A monotone fixpoint: `blocks` only turns on and `released` only shrinks, so it ends.
// The chain shown is that of a blocking call with the fewest entry locks released.
// Sweeps in key order as a full re-scan would, but visits only functions whose callees
// (or own summary) changed since they were last looked at: linear in calls, not
// depth x functions. A function marked during a sweep is visited in the same sweep when
// it comes later in key order, in the next one otherwise.
void ProgramLinker::solveBlocking() {
  const size_t n = byId_.size() + choices_.size();
  std::vector<std::pair<Id, Id>> reads; // (callee, caller): whose summary reads whose
  nonblockingFunction_.assign(n, 0);
  renamed_.assign(n, 0);
  findContextCalls();
  for (size_t c = 0; c < choices_.size(); ++c)
    for (Id option : choices_[c].ids) reads.emplace_back(option, static_cast<Id>(byId_.size() + c));
  for (size_t id = 0; id < byId_.size(); ++id) {
    const FunctionFacts &fn = *byId_[id];
    nonblockingFunction_[id] = fn.annotatedNonblocking || packs_.nonblocking(fn.qualified);
    if (Blocking b = leaf(fn.key); b.blocks) {
      if (contextCallsOf(static_cast<Id>(id))) besides_[static_cast<Id>(id)] = b;
      blocking_[static_cast<Id>(id)] = std::move(b);
    }
    auto read = [&](const std::string &callee) {
      if (Id c = idOf(callee); c != kNoId) reads.emplace_back(c, static_cast<Id>(id));
    };
    auto readTargets = [&](const CallEvent &call) {
      if (const auto *r = indirect_.targets(call))
        for (const auto &target : r->targets) read(target);
    };
    for (const auto &call : fn.calls) {
      Id callee = idOf(call.callee);
      if (callee != kNoId) reads.emplace_back(callee, static_cast<Id>(id));
      readTargets(call);
      for (const auto &ca : call.callables)
        for (const auto &target : callablesPassed(ca)) read(target);
      // In a calling context the callee's calls on its parameters run some of their targets.
      if (const ContextCalls *context = contextCallsOf(callee))
        for (unsigned c : context->calls) readTargets(byId_[static_cast<size_t>(callee)]->calls[c]);
    }
  }
  // Callers of function c: callers[firstCaller[c] .. firstCaller[c + 1]) (one array, not a
  // vector per function).
  std::vector<size_t> firstCaller(n + 1, 0);
  for (const auto &[callee, caller] : reads) ++firstCaller[static_cast<size_t>(callee) + 1];
  for (size_t i = 0; i < n; ++i) firstCaller[i + 1] += firstCaller[i];
  std::vector<Id> callers(reads.size());
  {
    std::vector<size_t> next(firstCaller.begin(), firstCaller.end() - 1);
    for (const auto &[callee, caller] : reads) callers[next[static_cast<size_t>(callee)]++] = caller;
  }
  reads = {};
  std::vector<char> dirty(n, 1);
  std::priority_queue<Id, std::vector<Id>, std::greater<Id>> sweep;
  for (size_t id = 0; id < n; ++id) sweep.push(static_cast<Id>(id));
  std::vector<Id> nextSweep;
  while (!sweep.empty()) {
    while (!sweep.empty()) {
      Id id = sweep.top();
      sweep.pop();
      dirty[static_cast<size_t>(id)] = 0;
      if (!updateBlocking(id)) continue;
      auto mark = [&](Id other) {
        if (dirty[static_cast<size_t>(other)]) return;
        dirty[static_cast<size_t>(other)] = 1;
        if (other > id) sweep.push(other);
        else nextSweep.push_back(other);
      };
      mark(id);
      for (size_t i = firstCaller[static_cast<size_t>(id)]; i < firstCaller[static_cast<size_t>(id) + 1]; ++i)
        mark(callers[i]);
    }
    for (Id id : nextSweep) sweep.push(id);
    nextSweep.clear();
  }
}

// invocations() and acquisitions() are depth-first over the call graph with a memo; a
// call back into a function still being computed (recursion) contributes nothing. They
// walk an explicit stack, in the order the recursive definition would.
namespace {
// The memoised result for function `id` (negative: not defined), solved first if it was
// never visited (the first enumerator of the visit state, value 0). Only non-empty
// results are stored.
template <class Table, class Visit, class Solve>
const typename Table::mapped_type &solved(int id, const std::vector<Visit> &visits, const Table &table, Solve &&solve) {
  static const typename Table::mapped_type none;
  if (id < 0) return none;
  if (visits[static_cast<size_t>(id)] == Visit{}) solve(id);
  auto it = table.find(id);
  return it == table.end() ? none : it->second;
}
} // namespace

const ProgramLinker::Invocations &ProgramLinker::invocations(const InternedString &key) {
  number();
  return solved(idOf(key), invocationsVisit_, invocations_, [&](Id id) { solveInvocations(id); });
}

void ProgramLinker::solveInvocations(Id root) {
  static const Invocations none;
  struct Frame {
    Id id;
    Invocations result;
    size_t call = 0, callable = 0;
  };
  std::vector<Frame> stack;
  auto enter = [&](Id id) {
    invocationsVisit_[static_cast<size_t>(id)] = Visit::InProgress;
    Frame f{id, {}};
    if (!isChoice(id))
      for (const auto &inv : byId_[static_cast<size_t>(id)]->invokes)
        f.result[inv.param].push_back(Invocation{inv.held, prepend({inv.where, "the callable is invoked here"}, kNoChain)});
    stack.push_back(std::move(f));
  };
  auto leave = [&](Frame &f) {
    invocationsVisit_[static_cast<size_t>(f.id)] = Visit::Done;
    if (!f.result.empty()) invocations_.emplace(f.id, std::move(f.result));
    stack.pop_back();
  };
  enter(root);
  while (!stack.empty()) {
    Frame &f = stack.back();
    if (isChoice(f.id)) { // what any of the definitions does
      const Choice &choice = choices_[static_cast<size_t>(f.id) - byId_.size()];
      if (f.call < choice.ids.size()) { // each definition solved first
        Id option = choice.ids[f.call++];
        if (invocationsVisit_[static_cast<size_t>(option)] == Visit::No) enter(option);
        continue;
      }
      for (Id option : choice.ids)
        if (auto it = invocations_.find(option); it != invocations_.end())
          for (const auto &[param, list] : it->second) f.result[param].insert(f.result[param].end(), list.begin(), list.end());
      leave(f);
      continue;
    }
    const FunctionFacts &fn = *byId_[static_cast<size_t>(f.id)];
    // The next callable parameter passed on to a helper that runs it.
    while (f.call < fn.calls.size() &&
           (f.callable >= fn.calls[f.call].callables.size() || fn.calls[f.call].callables[f.callable].forwardsParam < 0)) {
      if (f.callable >= fn.calls[f.call].callables.size()) ++f.call, f.callable = 0;
      else ++f.callable;
    }
    if (f.call == fn.calls.size()) {
      leave(f);
      continue;
    }
    const CallEvent &call = fn.calls[f.call];
    const CallableArg &ca = call.callables[f.callable];
    Id callee = idOf(call.callee);
    if (callee != kNoId && invocationsVisit_[static_cast<size_t>(callee)] == Visit::No) {
      enter(callee); // `f` is stale now; this pair is looked at again once the callee is done
      continue;
    }
    const Invocations *inner = &none;
    if (callee != kNoId && invocationsVisit_[static_cast<size_t>(callee)] == Visit::Done)
      if (auto it = invocations_.find(callee); it != invocations_.end()) inner = &it->second;
    if (auto it = inner->find(ca.index); it != inner->end())
      for (const auto &sub : it->second) {
        Invocation inv;
        inv.held = call.held;
        for (const auto &h : sub.held) {
          HeldLock t = h;
          t.lock.key = h.lock.key.translate(call.thisArg, call.argLocks);
          if (!t.lock.key.empty()) inv.held.push_back(t);
        }
        inv.path = prepend(call.where, Note::PassedOn, call.calleeName, sub.path);
        f.result[static_cast<unsigned>(ca.forwardsParam)].push_back(std::move(inv));
      }
    ++f.callable;
  }
}

const std::vector<ProgramLinker::Acquisition> &ProgramLinker::acquisitions(const InternedString &key) {
  number();
  return solved(idOf(key), acquisitionsVisit_, acquisitions_, [&](Id id) { solveAcquisitions(id); });
}

void ProgramLinker::solveAcquisitions(Id root) {
  static const std::vector<Acquisition> none;
  struct Frame {
    Id id;
    std::vector<Acquisition> result;
    size_t call = 0;
  };
  std::vector<Frame> stack;
  auto enter = [&](Id id) {
    acquisitionsVisit_[static_cast<size_t>(id)] = Visit::InProgress;
    Frame f{id, {}};
    if (!isChoice(id))
      for (const auto &a : byId_[static_cast<size_t>(id)]->acquires)
        f.result.push_back(
            Acquisition{a.lock, a.bounded, a.reacquire, prepend(a.where, Note::Acquired, a.lock.display, kNoChain)});
    stack.push_back(std::move(f));
  };
  auto leave = [&](Frame &f) {
    acquisitionsVisit_[static_cast<size_t>(f.id)] = Visit::Done;
    if (!f.result.empty()) acquisitions_.emplace(f.id, std::move(f.result)).first->second.shrink_to_fit();
    stack.pop_back();
  };
  enter(root);
  while (!stack.empty()) {
    Frame &f = stack.back();
    if (isChoice(f.id)) { // what any of the definitions takes; `maybe` unless all of them do
      const Choice &choice = choices_[static_cast<size_t>(f.id) - byId_.size()];
      if (f.call < choice.ids.size()) { // each definition solved first
        Id option = choice.ids[f.call++];
        if (acquisitionsVisit_[static_cast<size_t>(option)] == Visit::No) enter(option);
        continue;
      }
      auto takes = [&](Id other, const LockKey &key) {
        auto it = acquisitions_.find(other);
        return it != acquisitions_.end() && std::any_of(it->second.begin(), it->second.end(),
                                                        [&](const Acquisition &a) { return a.lock.key == key; });
      };
      for (Id option : choice.ids)
        if (auto it = acquisitions_.find(option); it != acquisitions_.end())
          for (const auto &sub : it->second) {
            if (f.result.size() >= 64) break;
            Acquisition t = sub;
            t.maybe = t.maybe || !std::all_of(choice.ids.begin(), choice.ids.end(),
                                              [&](Id other) { return takes(other, sub.lock.key); });
            f.result.push_back(std::move(t));
          }
      leave(f);
      continue;
    }
    const FunctionFacts &fn = *byId_[static_cast<size_t>(f.id)];
    if (f.call == fn.calls.size()) {
      leave(f);
      continue;
    }
    const CallEvent &call = fn.calls[f.call];
    Id callee = idOf(call.callee);
    if (callee != kNoId && acquisitionsVisit_[static_cast<size_t>(callee)] == Visit::No) {
      enter(callee); // `f` is stale now; this call is looked at again once the callee is done
      continue;
    }
    const std::vector<Acquisition> *subs = &none;
    if (callee != kNoId && acquisitionsVisit_[static_cast<size_t>(callee)] == Visit::Done)
      if (auto it = acquisitions_.find(callee); it != acquisitions_.end()) subs = &it->second;
    for (const auto &sub : *subs) {
      Acquisition t = sub;
      t.lock.key = sub.lock.key.translate(call.thisArg, call.argLocks);
      if (t.lock.key.empty()) continue;
      if (!t.lock.order.isDeclaration()) t.lock.order = t.lock.key;
      // A lock this function holds on entry can only be taken again after it let go of it.
      if (std::find(fn.entryLocks.begin(), fn.entryLocks.end(), t.lock.key) != fn.entryLocks.end())
        t.reacquire = true;
      t.path = prepend(call.where, Note::Calls, call.calleeName, sub.path);
      if (f.result.size() < 64) f.result.push_back(std::move(t));
    }
    ++f.call;
  }
}

bool ProgramLinker::waitsOnCallersLock(const InternedString &key) const {
  for (const FunctionFacts *fn : definitionsOf(key))
    if (std::any_of(fn->calls.begin(), fn->calls.end(), [](const CallEvent &c) { return c.isWait && c.waitsOnAdopted; }))
      return true;
  return false;
}

std::vector<Finding> ProgramLinker::link(const LinkRulesFactory &rules) {
  number();
  // Calls of wrappers defined in other TUs act on locks from here on (issue 26).
  replayLearnedLocks(functions_, *rules(local_));
  indirect_.finish(functions_, decls_);
  calls_.finish(functions_);
  for (const auto &[key, aliases] : variants_) calls_.addDefinitions(key, aliases);
  streams_.finish(calls_);
  for (const auto &[key, fn] : functions_) invocations(key); // callBlocks needs them
  for (const auto &choice : choices_) invocations(choice.key);
  solveBlocking();
  std::vector<Finding> out = local_;
  rules(out)->link(*this);
  // One finding per anchor line and rule (docs/spec.md §2: the anchor is a line): the first,
  // leftmost explanation wins.
  sortFindings(out);
  std::set<std::tuple<std::string, unsigned, std::string>> seen;
  std::erase_if(out, [&](const Finding &f) { return !seen.insert({f.anchor.file, f.anchor.line, f.rule}).second; });
  return out;
}

} // namespace lockcheck
