// The link phase on hand-built facts (no AST, no parsing): the blocking solver over a call
// graph, entry locks released before blocking, recursion, and lock-order cycles.
#include "config/rule_pack.h"
#include "link/program_linker.h"
#include "link/strong_components.h"

#include <gtest/gtest.h>

namespace lockcheck {
namespace {

SourcePoint at(unsigned line, unsigned column = 3) { return {"prog.cpp", line, column}; }

LockRef lock(const LockKey &key, const LockKey &order, const std::string &display) {
  return LockRef{key, order, display, false, false};
}
LockRef global(const std::string &name) { return lock(LockKey::global(name), LockKey::global(name), name); }
LockRef member(const std::string &cls, const std::string &field) {
  return lock(LockKey::thisMember(field), LockKey::field(cls, field), field);
}

HeldLock held(const LockRef &l, unsigned line) { return HeldLock{l, at(line)}; }

CallEvent call(const std::string &callee, unsigned line, std::vector<HeldLock> locks = {}) {
  CallEvent c;
  c.callee = callee;
  c.calleeName = callee;
  c.where = at(line);
  c.held = std::move(locks);
  c.thisArg = LockKey::thisObject();
  return c;
}

FunctionFacts function(const std::string &name, std::vector<CallEvent> calls) {
  FunctionFacts f;
  f.key = f.name = f.qualified = name;
  f.where = at(1, 6);
  f.calls = std::move(calls);
  return f;
}

class LinkTest : public ::testing::Test {
protected:
  void add(FunctionFacts f) { tu_.functions.emplace(f.key, std::move(f)); }
  void blockingLeaf(const std::string &name) {
    DeclFacts d;
    d.key = d.name = d.qualified = name;
    d.annotatedBlocking = true;
    tu_.decls.emplace(name, d);
  }
  std::vector<Finding> link() {
    ProgramLinker linker(packs_);
    linker.add(tu_);
    return linker.link();
  }
  RulePacks packs_;
  TUFacts tu_;
};

TEST_F(LinkTest, BlockingThroughAChainIsReportedAtTheCallUnderTheLock) {
  LockRef mu = global("mu");
  blockingLeaf("sleepy");
  add(function("outer", {call("middle", 10, {held(mu, 9)})}));
  add(function("middle", {call("inner", 20)}));
  add(function("inner", {call("sleepy", 30)}));
  auto findings = link();
  ASSERT_EQ(findings.size(), 1u);
  const Finding &f = findings[0];
  EXPECT_EQ(f.rule, "blocking-under-lock");
  EXPECT_EQ(f.anchor, at(10));
  EXPECT_EQ(f.message, "middle() blocks (annotated: sleepy) while 'mu' is held");
  EXPECT_EQ(f.function, "outer");
  ASSERT_EQ(f.trace.size(), 3u);
  EXPECT_EQ(f.trace[0].note, "'mu' acquired here");
  EXPECT_EQ(f.trace[1].where, at(20));
  EXPECT_EQ(f.trace[1].note, "calls inner");
  EXPECT_EQ(f.trace[2].note, "calls sleepy (annotated)");
}

TEST_F(LinkTest, RecursionEndsAndStillBlocks) {
  LockRef mu = global("mu");
  blockingLeaf("sleepy");
  add(function("caller", {call("a", 5, {held(mu, 4)})}));
  add(function("a", {call("b", 10)}));
  add(function("b", {call("a", 20), call("sleepy", 21)}));
  auto findings = link();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor, at(5));
}

// docs/design.md "Summaries": a callee that lets go of its required lock before blocking.
TEST_F(LinkTest, EntryLockReleasedBeforeBlockingIsNotHeldByTheCaller) {
  LockRef mu = member("DB", "mu_"), stats = member("DB", "stats_");
  blockingLeaf("unlink");
  FunctionFacts remove = function("RemoveObsoleteFiles", {call("unlink", 10)});
  remove.entryLocks = {LockKey::thisMember("mu_")};
  add(remove);
  add(function("Write", {call("RemoveObsoleteFiles", 20, {held(mu, 19)})}));
  add(function("Both", {call("RemoveObsoleteFiles", 30, {held(stats, 28), held(mu, 29)})}));
  auto findings = link();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor, at(30));
  EXPECT_EQ(findings[0].message, "RemoveObsoleteFiles() blocks (annotated: unlink) while 'stats_' is held");
}

TEST_F(LinkTest, OppositeOrdersInTwoFunctionsAreBothReported) {
  LockRef a = global("a"), b = global("b");
  FunctionFacts first = function("first", {}), second = function("second", {});
  first.acquires.push_back(AcquireEvent{b, at(11), false, false, {held(a, 10)}});
  second.acquires.push_back(AcquireEvent{a, at(21), false, false, {held(b, 20)}});
  add(first);
  add(second);
  auto findings = link();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule, "lock-order-inversion");
  EXPECT_EQ(findings[0].anchor, at(11));
  EXPECT_EQ(findings[0].message,
            "'b' is acquired while 'a' is held, but elsewhere they are taken in the opposite order (possible deadlock)");
  EXPECT_EQ(findings[1].anchor, at(21));
}

TEST_F(LinkTest, OneOrderOnlyIsNoInversion) {
  LockRef a = global("a"), b = global("b");
  FunctionFacts first = function("first", {}), second = function("second", {});
  first.acquires.push_back(AcquireEvent{b, at(11), false, false, {held(a, 10)}});
  second.acquires.push_back(AcquireEvent{b, at(21), false, false, {held(a, 20)}});
  add(first);
  add(second);
  EXPECT_TRUE(link().empty());
}

TEST(StrongComponents, CyclesShareAComponentChainsDoNot) {
  auto c = strongComponents(Graph<std::string>{{"a", {"b"}}, {"b", {"c"}}, {"c", {"a", "d"}}, {"e", {"a"}}});
  EXPECT_EQ(c.at("a"), c.at("b"));
  EXPECT_EQ(c.at("b"), c.at("c"));
  EXPECT_NE(c.at("c"), c.at("d")); // a successor that is no key gets its own component
  EXPECT_NE(c.at("e"), c.at("a"));
}

// A call chain 10^5 deep is linked on the thread's own stack (no recursion per call):
// the lock taken at its bottom is the lock the top holds, and the callable the top passes
// down is run at the bottom under it.
TEST_F(LinkTest, CallChainsOfAnyDepthFitTheDefaultStack) {
  constexpr int kDepth = 100000;
  LockRef mu = global("mu");
  auto name = [](int i) { return "f" + std::to_string(i); };
  for (int i = 1; i < kDepth; ++i) {
    CallEvent next = call(name(i + 1), 10 * i);
    next.callables = {CallableArg{0, {}, 0}};
    add(function(name(i), {next}));
  }
  FunctionFacts bottom = function(name(kDepth), {});
  bottom.acquires.push_back(AcquireEvent{mu, at(1), false, false, {}});
  bottom.invokes.push_back(InvokeEvent{0, at(2), {}});
  add(bottom);
  ProgramLinker linker(packs_);
  linker.add(tu_);
  ASSERT_EQ(linker.acquisitions("f1").size(), 1u);
  std::vector<TraceStep> path;
  linker.appendChain(linker.acquisitions("f1").front().path, path);
  EXPECT_EQ(path.size(), size_t(kDepth));
  ASSERT_EQ(linker.invocations("f1").count(0), 1u);
  add(function("top", {call("f1", 5, {held(mu, 4)})}));
  auto findings = link();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "double-lock");
  EXPECT_EQ(findings[0].trace.size(), size_t(kDepth) + 1); // "acquired here" and the path
}

// Issue 24, definition identity: several programs in one analysed tree.
class DefinitionsTest : public LinkTest {
protected:
  // One TU of main file `file` defining `fn` there.
  static TUFacts unit(const std::string &file, std::vector<FunctionFacts> fns) {
    TUFacts tu;
    tu.file = file;
    for (auto &fn : fns) tu.functions.emplace(fn.key, std::move(fn));
    return tu;
  }
  static FunctionFacts in(const std::string &file, FunctionFacts fn) {
    fn.where.file = file;
    for (auto &c : fn.calls) {
      c.where.file = file;
      for (auto &h : c.held) h.acquired.file = file;
    }
    for (auto &a : fn.acquires) a.where.file = file;
    return fn;
  }
  std::vector<Finding> linkUnits(const std::vector<TUFacts> &units) {
    ProgramLinker linker(packs_);
    linker.add(tu_); // the blocking leaves' declarations
    for (const auto &u : units) linker.add(u);
    return linker.link();
  }
};

// Two programs, each with its own main: both bodies are analysed, in either file order.
TEST_F(DefinitionsTest, TwoMainsAreTwoFunctions) {
  blockingLeaf("sleepy");
  LockRef a = global("a_mu"), b = global("b_mu");
  TUFacts first = unit("a_main.cpp", {in("a_main.cpp", function("main", {call("noop", 5, {held(a, 4)})}))});
  TUFacts second = unit("b_main.cpp", {in("b_main.cpp", function("main", {call("sleepy", 6, {held(b, 5)})}))});
  for (bool reversed : {false, true}) {
    auto findings = reversed ? linkUnits({second, first}) : linkUnits({first, second});
    ASSERT_EQ(findings.size(), 1u) << reversed;
    EXPECT_EQ(findings[0].anchor, (SourcePoint{"b_main.cpp", 6, 3}));
    EXPECT_EQ(findings[0].function, "main");
    EXPECT_EQ(findings[0].severity, Severity::Error);
  }
}

// The same definition brought by three TUs (an inline function of a header) is one.
TEST_F(DefinitionsTest, OneHeaderFunctionInThreeUnitsIsReportedOnce) {
  blockingLeaf("sleepy");
  LockRef mu = global("mu");
  FunctionFacts inlined = in("util.h", function("helper", {call("sleepy", 8, {held(mu, 7)})}));
  auto findings = linkUnits({unit("a.cpp", {inlined}), unit("b.cpp", {inlined}), unit("c.cpp", {inlined})});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor, (SourcePoint{"util.h", 8, 3}));
}

// run() has two definitions, one blocking: a caller in neither file may run either (a
// warning naming the definition that blocks); a caller beside a definition runs that one.
TEST_F(DefinitionsTest, ACallToAKeyWithTwoDefinitionsGoesToTheOneBesideItOrToBoth) {
  blockingLeaf("sleepy");
  LockRef mu = global("mu");
  TUFacts slow = unit("a/run.cpp", {in("a/run.cpp", function("run", {call("sleepy", 3)}))});
  TUFacts fast = unit("b/run.cpp", {in("b/run.cpp", function("run", {call("noop", 3)})),
                                    in("b/run.cpp", function("local", {call("run", 9, {held(mu, 8)})}))});
  TUFacts user = unit("main.cpp", {in("main.cpp", function("main", {call("run", 5, {held(mu, 4)})}))});
  for (bool reversed : {false, true}) {
    auto findings = reversed ? linkUnits({user, fast, slow}) : linkUnits({slow, fast, user});
    ASSERT_EQ(findings.size(), 1u) << reversed;
    const Finding &f = findings[0];
    EXPECT_EQ(f.anchor, (SourcePoint{"main.cpp", 5, 3}));
    EXPECT_EQ(f.severity, Severity::Warning);
    EXPECT_EQ(f.message, "run() may block (annotated: sleepy) while 'mu' is held");
    ASSERT_GE(f.trace.size(), 2u);
    EXPECT_EQ(f.trace[1].where, (SourcePoint{"a/run.cpp", 1, 6}));
    EXPECT_EQ(f.trace[1].note, "may run this definition of run (1 of 2 definitions block)");
  }
}

// Both definitions block: the call surely blocks (an error), and each body is its own function.
TEST_F(DefinitionsTest, EveryDefinitionBlockingIsAnError) {
  blockingLeaf("sleepy");
  LockRef mu = global("mu");
  auto findings = linkUnits({unit("a/run.cpp", {in("a/run.cpp", function("run", {call("sleepy", 3)}))}),
                             unit("b/run.cpp", {in("b/run.cpp", function("run", {call("sleepy", 4)}))}),
                             unit("main.cpp", {in("main.cpp", function("main", {call("run", 5, {held(mu, 4)})}))})});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::Error);
  EXPECT_EQ(findings[0].trace[1].note, "runs this definition of run (2 of 2 definitions block)");
}

// Locks taken by only some definitions: a double lock through the call is a warning.
TEST_F(DefinitionsTest, ALockTakenByOnlySomeDefinitionsIsAWarning) {
  LockRef mu = global("mu");
  FunctionFacts locking = in("a/run.cpp", function("run", {}));
  locking.acquires.push_back(AcquireEvent{mu, SourcePoint{"a/run.cpp", 2, 3}, false, false, {}});
  auto findings = linkUnits({unit("a/run.cpp", {locking}), unit("b/run.cpp", {in("b/run.cpp", function("run", {}))}),
                             unit("main.cpp", {in("main.cpp", function("main", {call("run", 5, {held(mu, 4)})}))})});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "double-lock");
  EXPECT_EQ(findings[0].severity, Severity::Warning);
}

// The streaming reader's check: a definition is known by its key and position.
TEST_F(DefinitionsTest, DefinesKnowsEachDefinitionByPosition) {
  ProgramLinker linker(packs_);
  linker.add(unit("a.cpp", {in("a.cpp", function("main", {}))}));
  linker.add(unit("b.cpp", {in("b.cpp", function("main", {}))}));
  EXPECT_TRUE(linker.defines("main", SourcePoint{"a.cpp", 1, 6}));
  EXPECT_TRUE(linker.defines("main", SourcePoint{"b.cpp", 1, 6}));
  EXPECT_FALSE(linker.defines("main", SourcePoint{"c.cpp", 1, 6}));
  linker.link();
  EXPECT_TRUE(linker.defines("main", SourcePoint{"b.cpp", 1, 6}));
  EXPECT_TRUE(linker.ambiguous("main"));
  EXPECT_EQ(linker.definitionsOf("main").size(), 2u);
  EXPECT_EQ(linker.functions().size(), 2u);
}

TEST(StrongComponents, ACycleThroughALotOfNodesFitsTheDefaultStack) {
  Graph<std::string> ring;
  for (int i = 0; i < 200000; ++i) ring["n" + std::to_string(i)] = {"n" + std::to_string((i + 1) % 200000)};
  auto c = strongComponents(ring);
  EXPECT_EQ(c.at("n0"), c.at("n199999"));
}

} // namespace
} // namespace lockcheck
