// The link phase on hand-built facts (no AST, no parsing): the blocking solver over a call
// graph, entry locks released before blocking, recursion, and lock-order cycles.
#include "config/rule_pack.h"
#include "link/program_linker.h"
#include "link/strong_components.h"
#include "rules/registry.h"

#include <gtest/gtest.h>

#include <algorithm>

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
    return linker.link(makeRuleSet);
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
    next.callables = {CallableArg{0, {}, 0, {}, {}}};
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
    return linker.link(makeRuleSet);
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
  linker.link(makeRuleSet);
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

namespace lockcheck {
namespace {

// docs/spec.md §3 "What is reported", on hand-built facts.
class JudgementTest : public DefinitionsTest {
protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(packs_.loadText(R"({"lockcheck_pack": 1, "name": "t",
        "blocking": [{"name": "write", "category": "io"}, {"name": "unlink", "category": "io"},
                     {"name": "open", "category": "io"}],
        "stream_calls": [{"name": "write", "stream_arg": 0, "quiet_on": ["console", "nonblocking"]}]})",
                                "t", error))
        << error;
    for (const char *name : {"write", "unlink", "open"}) {
      DeclFacts d;
      d.key = d.name = d.qualified = name;
      d.system = true;
      tu_.decls.emplace(name, d);
    }
  }
  static CallEvent onStream(CallEvent c, int position, const std::string &value) {
    c.streams.push_back(StreamArg{position, value});
    return c;
  }
};

// A helper that writes to its descriptor parameter blocks or not as each call site's
// descriptor is (one level of calling context, muduo's sockets::write).
TEST_F(JudgementTest, AStreamParameterIsJudgedAtEachCallSite) {
  LockRef mu = global("mu");
  add(function("write_fd", {onStream(call("write", 10), 0, "a:0")}));
  add(function("wakeup", {onStream(call("write_fd", 20, {held(mu, 19)}), 0, "f:Loop::wakeup_fd_")}));
  add(function("save", {onStream(call("write_fd", 30, {held(mu, 29)}), 0, "f:Loop::file_fd_")}));
  add(function("console", {onStream(call("write_fd", 40, {held(mu, 39)}), 0, "$console")}));
  tu_.streamFlows["f:Loop::wakeup_fd_"] = StreamSources{false, true, false, {}, false};
  tu_.streamFlows["f:Loop::file_fd_"] = StreamSources{false, false, true, {}, false};
  auto findings = link();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor, at(30));
  EXPECT_EQ(findings[0].message, "write_fd() blocks (io: write) while 'mu' is held");
}

// A value the facts do not know (a malformed parameter number, no stream recorded) is IO.
TEST_F(JudgementTest, AnUnknownOrMalformedStreamIsIo) {
  LockRef mu = global("mu");
  add(function("a", {onStream(call("write", 10, {held(mu, 9)}), 0, "a:x")}));
  add(function("b", {call("write", 20, {held(mu, 19)})}));
  add(function("c", {onStream(call("write", 30, {held(mu, 29)}), 0, "f:Never::written_")}));
  EXPECT_EQ(link().size(), 3u);
}

TEST_F(JudgementTest, DyingCallsNeverBlockAndErrorPathsNameTheNormalTarget) {
  LockRef mu = global("mu");
  CallEvent dying = call("unlink", 10);
  dying.path = CallPath::Dying;
  add(function("crash", {dying}));
  CallEvent cleanup = call("unlink", 20);
  cleanup.path = CallPath::Error;
  add(function("install", {cleanup, call("open", 21)}));
  add(function("caller", {call("crash", 30, {held(mu, 29)}), call("install", 31, {held(mu, 29)})}));
  auto findings = link();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor, at(31));
  EXPECT_EQ(findings[0].message, "install() blocks (io: open) while 'mu' is held");
  EXPECT_TRUE(findings[0].judgements.empty());
}

// Issue 24 with issue 30: keys with two definitions (two programs' write_fd, log_fd and
// Sink::Sink). A call left to the choice is judged by the stream it passes; a definition's
// parameter, and a slot fed by the shared key's parameter, receive what every call that may
// reach them passes, bound to that definition or left to the choice.
TEST_F(JudgementTest, StreamJudgementsSeeEveryDefinitionOfAKey) {
  LockRef mu = global("mu");
  tu_.streamFlows["f:Loop::file_fd_"] = StreamSources{false, false, true, {}, false};
  tu_.streamFlows["f:Sink::out_"] = StreamSources{false, false, false, {"p:Sink#0"}, false};
  auto writer = [&](const std::string &name, const std::string &file, std::vector<HeldLock> locks) {
    return in(file, function(name, {onStream(call("write", 7, std::move(locks)), 0, "a:0")}));
  };
  std::vector<TUFacts> units = {
      unit("a/io.cpp", {writer("write_fd", "a/io.cpp", {}), writer("log_fd", "a/io.cpp", {held(mu, 6)}),
                        in("a/io.cpp", function("local_log", {onStream(call("log_fd", 9), 0, "$console")})),
                        in("a/io.cpp", function("Sink", {})),
                        in("a/io.cpp", function("file_sink", {onStream(call("Sink", 11), 0, "f:Loop::file_fd_")}))}),
      unit("b/io.cpp", {writer("write_fd", "b/io.cpp", {}), writer("log_fd", "b/io.cpp", {held(mu, 6)}),
                        in("b/io.cpp", function("Sink", {}))}),
      unit("main.cpp", {in("main.cpp", function("save", {onStream(call("write_fd", 30, {held(mu, 29)}), 0, "f:Loop::file_fd_")})),
                        in("main.cpp", function("quiet", {onStream(call("write_fd", 40, {held(mu, 39)}), 0, "$console")})),
                        in("main.cpp", function("main_log", {onStream(call("log_fd", 50), 0, "f:Loop::file_fd_")})),
                        in("main.cpp", function("console_sink", {onStream(call("Sink", 60), 0, "$console")})),
                        in("main.cpp", function("put", {onStream(call("write", 70, {held(mu, 69)}), 0, "f:Sink::out_")}))})};
  std::vector<SourcePoint> anchors;
  for (const Finding &f : linkUnits(units)) anchors.push_back(f.anchor);
  std::sort(anchors.begin(), anchors.end());
  // Not main.cpp:40 (the console whichever write_fd runs); a/io.cpp:7 because main_log may
  // run a's log_fd with a file; main.cpp:70 because file_sink gives a's Sink a file.
  EXPECT_EQ(anchors, (std::vector<SourcePoint>{{"a/io.cpp", 7, 3}, {"b/io.cpp", 7, 3}, {"main.cpp", 30, 3},
                                               {"main.cpp", 70, 3}}));
}

// Issue 27 with issue 30: among a virtual call's targets, one that blocks whatever stream it
// is given is named before one whose flow reaches the call but blocks only off the console.
// Naming the reaching FdSink::put would make the call's summary depend on log()'s descriptor,
// which main passes as the console: a call that blocks anyway (Alarm::put) would go unreported.
TEST_F(JudgementTest, ATargetThatBlocksWhateverTheStreamIsNamedBeforeOneThatReaches) {
  LockRef mu = global("mu");
  ClassFacts sink, fdSink, alarm;
  sink.methods = {VirtualMethod{"Sink::put", {}, true, false}};
  fdSink.bases = alarm.bases = {"Sink"};
  fdSink.methods = {VirtualMethod{"FdSink::put", {"Sink::put"}, false, false}};
  alarm.methods = {VirtualMethod{"Alarm::put", {"Sink::put"}, false, false}};
  tu_.classes = {{"Sink", sink}, {"FdSink", fdSink}, {"Alarm", alarm}};
  tu_.callableFlows[SlotKey::field("Log::out_")] = CallableSources{{"FdSink"}, {}, false, {}}; // only FdSinks
  add(function("FdSink::put", {onStream(call("write", 10), 0, "a:0")}));
  add(function("Alarm::put", {call("unlink", 20)}));
  CallEvent put = onStream(call("Sink::put", 31, {held(mu, 30)}), 0, "a:0");
  put.unresolved = true;
  put.receiverType = "Sink";
  put.through = SlotKey::field("Log::out_");
  add(function("Log::log", {put}));
  add(function("main", {onStream(call("Log::log", 40), 0, "$console")}));
  auto findings = link();
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].anchor, at(31));
  EXPECT_NE(findings[0].message.find("via Alarm::put"), std::string::npos) << findings[0].message;
}

// A fresh object's lock before a call that publishes it: a note; after: an error.
TEST_F(JudgementTest, ObjectsNotYetSharedGiveNotesUntilPublished) {
  LockRef dbmu = lock(LockKey::local("db", 5).join("mu_"), LockKey::field("Db", "mu_"), "db->mu_");
  LockKey db = LockKey::local("db", 5);
  CallEvent recover = call("recover", 10, {held(dbmu, 6)});
  recover.thisArg = db;
  recover.unshared = {UnsharedObject{db, {}}};
  CallEvent publish = call("schedule", 11, {held(dbmu, 6)});
  publish.thisArg = db;
  publish.unshared = {UnsharedObject{db, {}}};
  CallEvent after = call("recover", 12, {held(dbmu, 6)});
  after.thisArg = db;
  after.unshared = {UnsharedObject{db, {1}}};
  add(function("open_db", {recover, publish, after}));
  add(function("recover", {call("open", 20)}));
  FunctionFacts schedule = function("schedule", {});
  schedule.escapes = {-1};
  add(schedule);
  auto findings = link();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].anchor, at(10));
  EXPECT_EQ(findings[0].severity, Severity::Note);
  EXPECT_EQ(findings[0].message, "recover() blocks (io: open) while 'db->mu_' is held (not yet shared)");
  EXPECT_EQ(findings[0].judgements, std::vector<std::string>{"not-yet-shared"});
  EXPECT_EQ(findings[1].anchor, at(12));
  EXPECT_EQ(findings[1].severity, Severity::Error);
}

} // namespace
} // namespace lockcheck
