// The fast facts reader (facts/facts_stream.h) against the reference JSON decoder: the
// same TUFacts for every field, the same errors, and header functions met before skipped.
#include "facts/facts_stream.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>

namespace lockcheck {
namespace {

SourcePoint at(unsigned line) { return {"src/a.cpp", line, 7}; }

// `"lockcheck_facts": N` for the version this build reads.
const std::string kVersionMember = "\"lockcheck_facts\": " + std::to_string(kFactsVersion);

// Both decoders refuse `text`, with the same message: that message.
std::string rejectedByBoth(const std::string &text) {
  StreamedFacts fast;
  TUFacts reference;
  std::string fastError, referenceError;
  EXPECT_FALSE(readFacts(text, nullptr, fast, fastError)) << text.substr(0, 200);
  EXPECT_FALSE(factsFromJson(text, reference, referenceError)) << text.substr(0, 200);
  EXPECT_EQ(fastError, referenceError);
  return referenceError;
}

// Every field of the format set to something other than its default.
TUFacts everyField() {
  TUFacts tu;
  tu.file = "src/a.cpp";
  LockRef mu{LockKey::thisMember("mu_"), LockKey::field("A", "mu_"), "mu_", true, true};
  FunctionFacts fn;
  fn.key = "c:@S@A@F@run#";
  fn.name = "A::run";
  fn.qualified = "A::run";
  fn.where = at(3);
  fn.annotatedBlocking = fn.annotatedNonblocking = fn.annotatedHandler = fn.isLambda = true;
  fn.entryLocks = {LockKey::thisMember("mu_"), LockKey::parameter(1)};
  CallEvent c;
  c.callee = "c:@F@helper#";
  c.calleeName = "helper \"quoted\" \\ \u00e9\u4e2d\U0001F600";
  c.receiverType = "std::fstream";
  c.where = at(5);
  c.held = {HeldLock{mu, at(4)}};
  c.isWait = c.waitsOnAdopted = c.unresolved = true;
  c.waitReleases = LockKey::thisMember("mu_");
  c.thisArg = LockKey::thisObject();
  c.argLocks = {LockKey(), LockKey::global("store")};
  c.callables = {CallableArg{1, {"lambda:src/a.cpp:5:20", "lambda:src/a.cpp:5:30"}, 2, {}, {}},
                 CallableArg{2, {}, -1, {"A", "B"}, SlotKey::field("A::sink_")}};
  c.through = SlotKey::field("A::on_done_");
  c.path = CallPath::Error;
  c.streams = {StreamArg{-1, "$console"}, StreamArg{3, "f:A::out_"}, StreamArg{0, "a:2"}};
  c.unshared = {UnsharedObject{LockKey::local("db", 40), {0, 2}}, UnsharedObject{LockKey::local("j", 41), {}}};
  CallEvent dying = c;
  dying.path = CallPath::Dying;
  fn.calls = {c, dying};
  fn.escapes = {-1, 2};
  fn.acquires = {AcquireEvent{mu, at(4), true, true, {HeldLock{mu, at(2)}}, true}};
  fn.invokes = {InvokeEvent{3, at(6), {HeldLock{mu, at(4)}}}};
  LockEffect effect;
  effect.kind = LockEffect::Kind::TryAcquire;
  effect.key = LockKey::parameter(0, "impl_");
  effect.order = LockKey::field("A", "impl_");
  effect.display = "impl_";
  effect.shared = effect.recursive = effect.bounded = effect.heldOnZero = true;
  effect.via = "mu_";
  effect.ifParam = 1;
  effect.ifValue = true;
  fn.effects = {effect, LockEffect{}};
  fn.effects.back().key = LockKey::global("g");
  PendingCall pending;
  pending.call = 1;
  pending.at = at(5);
  pending.names.self = mu;
  pending.names.selfIsCallersThis = true;
  pending.names.args = {std::nullopt, mu};
  pending.var = LockKey::local("lock", 5);
  pending.role = PendingCall::Role::Construct;
  pending.constArgs = {std::nullopt, -3};
  fn.program.pending = {pending};
  ProgramBlock entry;
  entry.steps = {ProgramStep{ProgramStep::Kind::Call, 0, {}}, ProgramStep{ProgramStep::Kind::Pending, 0, {}},
                 ProgramStep{ProgramStep::Kind::Acquire, 0, {}},
                 ProgramStep{ProgramStep::Kind::Release, 0, LockKey::thisMember("mu_")}};
  entry.succ = {1, -1};
  entry.test = 0;
  entry.nonZeroSucc = 1;
  ProgramBlock last;
  last.exit = 0;
  fn.program.blocks = {entry, last};
  fn.program.exits = {ProgramExit{at(7), true, 0, true, true, -1}};
  fn.program.fieldInits = {{"mu_", LockKey::parameter(2)}};
  tu.functions.emplace(fn.key, fn);
  tu.decls.emplace("c:@F@helper#", DeclFacts{"c:@F@helper#", "helper", "helper", true, true, true});
  Finding f;
  f.rule = "double-lock";
  f.severity = Severity::Warning;
  f.anchor = at(9);
  f.message = "m\tn\n";
  f.lock = "mu_";
  f.function = "A::run";
  f.trace = {TraceStep{at(8), "first"}, TraceStep{at(9), "second"}};
  tu.findings = {f};
  tu.classes["A"] = ClassFacts{{"Base"}, true, {VirtualMethod{"c:@S@A@F@run#", {"c:@S@Base@F@run#"}, true, true}}};
  tu.callableFlows[SlotKey::field("A::on_done_")] =
      CallableSources{{"c:@F@helper#"}, {SlotKey::parameter("c:@S@A@F@set#", 0), SlotKey::local("c:@F@f#", "cb", 9)},
                      true, "std::function<void (int)>"};
  tu.callableTypes["std::function<void (int)>"] = {"c:@F@helper#"};
  tu.escapingClasses = {"A"};
  tu.streamFlows["f:A::out_"] = StreamSources{true, true, true, {"p:c:@S@A@F@A#0", "r:c:@F@open#"}, true};
  return tu;
}

TEST(FactsStream, DecodesEveryFieldAsTheReferenceDecoderDoes) {
  std::string text = factsToJson(everyField());
  StreamedFacts fast;
  std::string error;
  ASSERT_TRUE(readFacts(text, nullptr, fast, error)) << error;
  EXPECT_EQ(factsToJson(fast.facts), text);
  TUFacts reference;
  ASSERT_TRUE(factsFromJson(text, reference, error));
  EXPECT_EQ(factsToJson(fast.facts), factsToJson(reference));
}

TEST(FactsStream, EscapesAndAnyMemberOrderAreRead) {
  std::string text = R"({"findings": [], )" + kVersionMember + R"(,
    "functions": {"k\u00e9": {"where": ["f\ud83d\ude00.cpp", 1, 2], "name": "c\"d\/e"}},
    "decls": {}, "file": "f.cpp"})";
  StreamedFacts fast;
  std::string error;
  ASSERT_TRUE(readFacts(text, nullptr, fast, error)) << error;
  TUFacts reference;
  ASSERT_TRUE(factsFromJson(text, reference, error)) << error;
  EXPECT_EQ(factsToJson(fast.facts), factsToJson(reference));
  EXPECT_EQ(fast.facts.functions.begin()->first, "k\u00e9");
  EXPECT_EQ(fast.facts.functions.begin()->second.name, "c\"d/e");
}

// Issue 25: a facts file comes from another machine or a build cache. Both decoders refuse
// what the format does not allow, with the same message naming where: an unknown field, a
// field or key given twice, numbers out of range, indices past the class's methods, JSON
// nested too deep. (Formerly unknown fields were skipped and the last repeat won.)
TEST(FactsStream, WhatTheFormatDoesNotAllowIsAnErrorNamingWhere) {
  std::string good = factsToDocument(everyField()).dump(); // compact: no spaces to match
  auto with = [&](const std::string &from, const std::string &to) {
    std::string text = good;
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  const std::string version = "\"lockcheck_facts\":" + std::to_string(kFactsVersion);
  const std::pair<std::string, std::string> cases[] = {
      {with(version, version + R"(,"unknown":1)"), "malformed facts: unknown: unknown field"},
      {with(R"("name":"A::run")", R"("colour":"blue","name":"A::run")"), R"(functions["c:@S@A@F@run#"].colour: unknown field)"},
      {with(R"("name":"A::run")", R"("name":"A::run","name":"B")"), "name: duplicate key"},
      {with(R"("functions":{)", R"("functions":{"k":{"where":["a",1,1]},"k":{"where":["a",2,1]},)"), "functions.k: duplicate key"},
      {with(R"("where":["src/a.cpp",3,7])", R"("where":["src/a.cpp",-3,7])"),
       R"(functions["c:@S@A@F@run#"].where[1]: -3 is out of range (0 to 2147483647))"},
      {with(R"("where":["src/a.cpp",3,7])", R"("where":["src/a.cpp",3,4294967296])"),
       R"(functions["c:@S@A@F@run#"].where[2]: 4294967296 is out of range (0 to 2147483647))"},
      {with(R"("where":["src/a.cpp",3,7])", R"("where":["src/a.cpp",3,7,9])"),
       R"(functions["c:@S@A@F@run#"].where: expected [file, line, column])"},
      {with(R"("pure":[0])", R"("pure":[1])"), R"(classes["A"].pure[0]: method index 1 is out of range (the class has 1 methods))"},
      {with(R"("final_methods":[0])", R"("final_methods":[-1])"), R"(classes["A"].final_methods[0]: -1 is out of range (0 to 2147483647))"},
      {with(R"("forwards_param":2)", R"("forwards_param":-2)"), "forwards_param: -2 is out of range (-1 to 2147483647)"},
      {with(R"("findings":[)", R"("findings":[)" + std::string(300, '[')), "nested deeper than 256 levels"},
      // Issue 30's fields (format 4), read as strictly.
      {with(R"("escapes":[-1,2])", R"("escapes":[-2,2])"), R"(functions["c:@S@A@F@run#"].escapes[0]: -2 is out of range (-1 to 2147483647))"},
      {with(R"([-1,"$console"])", R"([-2,"$console"])"), "streams[0][0]: -2 is out of range (-1 to 2147483647)"},
      {with(R"([3,"f:A::out_"])", R"([3])"), "streams[1]: expected [argument position, stream value]"},
      {with(R"([3,"f:A::out_"])", R"([3,7])"), "streams[1][1]: expected a string, found a number"},
      {with(R"("path":"error")", R"("path":true)"), "calls[0].path: expected a string, found a boolean"},
      {with(R"("after":[0,2])", R"("after":[0,-2])"), "unshared[0].after[1]: -2 is out of range (0 to 2147483647)"},
      {with(R"("object":"l:db@40")", R"("object":"l:db@40","colour":1)"), "unshared[0].colour: unknown field"},
      {with(R"("object":"l:db@40")", R"("object":"db")"), "unshared[0].object: not a lock key"},
      {with(R"("made_nonblocking":true)", R"("made_nonblocking":true,"colour":1)"),
       R"(stream_flows["f:A::out_"].colour: unknown field)"},
      {with(R"("made_nonblocking":true)", R"("made_nonblocking":1)"),
       R"(stream_flows["f:A::out_"].made_nonblocking: expected true or false, found a number)"},
      {with(R"("stream_flows":{)", R"("stream_flows":{"g:x":[],)"), R"(stream_flows["g:x"]: expected an object, found an array)"},
      // Lock wrappers (format 4): effects and the replay skeleton are read as strictly.
      {with(R"("held_on_zero":true)", R"("held_on_zero":true,"colour":1)"),
       R"(functions["c:@S@A@F@run#"].effects[0].colour: unknown field)"},
      {with(R"("via":"mu_")", R"("via":"mu_","via":"x")"), "via: duplicate key"},
      {with(R"("if_param":1)", R"("if_param":-1)"), R"(effects[0].if_param: -1 is out of range (0 to 2147483647))"},
      {with(R"("exits":[)", R"("colour":1,"exits":[)"), R"(functions["c:@S@A@F@run#"].program.colour: unknown field)"},
      {with(R"("const_args":[null,-3])", R"("const_args":[null,"-3"])"),
       R"(program.pending[0].const_args[1]: expected an integer, found a string)"},
      {with(R"("succ":[1,-1])", R"("succ":[1,-2])"), R"(program.blocks[0].succ[1]: -2 is out of range (-1 to 2147483647))"},
      {with(R"(["mu_","p2:"])", R"(["mu_","p2:",1])"), R"(program.field_inits[0]: expected [member, lock key])"},
      // Issue 27's fields (format 4), read as strictly.
      {with(R"("slot":"f:A::sink_")", R"("slot":"f:A::sink_","colour":1)"), "callables[1].colour: unknown field"},
      {with(R"("classes":["A","B"])", R"("classes":[1,"B"])"), "callables[1].classes[0]: expected a string, found a number"},
      {with(R"("type":"std::function<void (int)>")", R"("type":7)"),
       R"(callable_flows["f:A::on_done_"].type: expected a string, found a number)"},
      {with(R"("std::function<void (int)>":["c:@F@helper#"])", R"("std::function<void (int)>":"c:@F@helper#")"),
       R"(callable_types["std::function<void (int)>"]: expected an array, found a string)"},
      {with(R"("escaping_classes":["A"])", R"("escaping_classes":"A")"), "escaping_classes: expected an array, found a string"},
  };
  for (const auto &[text, expected] : cases) {
    std::string error = rejectedByBoth(text);
    EXPECT_NE(error.find(expected), std::string::npos) << error;
  }
}

TEST(FactsStream, FunctionsAndDeclarationsMetBeforeAreSkipped) {
  TUFacts first = everyField(), second = everyField();
  second.file = "src/b.cpp";
  FunctionFacts own;
  own.key = own.name = own.qualified = "b_only";
  own.where = at(1);
  second.functions.emplace(own.key, own);
  SeenKeys seen;
  StreamedFacts a, b;
  std::string error;
  ASSERT_TRUE(readFacts(factsToJson(first), &seen, a, error));
  ASSERT_TRUE(readFacts(factsToJson(second), &seen, b, error));
  EXPECT_EQ(a.facts.functions.size(), 1u);
  EXPECT_TRUE(a.skippedFunctions.empty());
  ASSERT_EQ(b.facts.functions.size(), 1u);
  EXPECT_EQ(b.facts.functions.begin()->first, "b_only");
  EXPECT_EQ(b.skippedFunctions, (std::vector<SkippedDefinition>{{"c:@S@A@F@run#", at(3)}}));
  EXPECT_TRUE(b.facts.decls.empty());
  EXPECT_EQ(b.skippedDecls, std::vector<InternedString>{"c:@F@helper#"});
  EXPECT_EQ(b.facts.findings.size(), 1u); // findings are never skipped
}

// Issue 24: a definition of the same key at another position is another function (two
// programs' `main`): it is decoded, whatever the order of the files.
TEST(FactsStream, ASameNamedDefinitionElsewhereIsDecoded) {
  TUFacts first = everyField(), second = everyField();
  second.file = "src/b.cpp";
  FunctionFacts &other = second.functions.begin()->second;
  other.where = SourcePoint{"src/b.cpp", 3, 7};
  other.name = "A::run (b)";
  SeenKeys seen;
  StreamedFacts a, b, again;
  std::string error;
  ASSERT_TRUE(readFacts(factsToJson(first), &seen, a, error));
  ASSERT_TRUE(readFacts(factsToJson(second), &seen, b, error));
  ASSERT_TRUE(readFacts(factsToJson(first), &seen, again, error));
  EXPECT_TRUE(b.skippedFunctions.empty());
  ASSERT_EQ(b.facts.functions.size(), 1u);
  EXPECT_EQ(b.facts.functions.begin()->second.name, "A::run (b)");
  EXPECT_EQ(b.facts.functions.begin()->second.calls.size(), 2u); // read again from its start
  EXPECT_EQ(b.facts.functions.begin()->second.invokes.size(), 1u);
  EXPECT_EQ(again.skippedFunctions, (std::vector<SkippedDefinition>{{"c:@S@A@F@run#", at(3)}}));
}

TEST(FactsStream, BadDocumentsGiveTheReferenceDecodersErrors) {
  std::string good = factsToJson(everyField());
  // A malformed slot key, in a call's "through" and in the flows: the reference decoder names it.
  auto replaced = [&](const std::string &from, const std::string &to) {
    std::string text = good;
    return text.replace(text.find(from), from.size(), to);
  };
  std::string badThrough = replaced("\"through\": \"f:A::on_done_\"", "\"through\": \"q:A::on_done_\"");
  std::string badFlow = replaced("\"l:c:@F@f##cb@9\"", "\"l:c:@F@f##cb@09\"");
  for (const std::string &text : {badThrough, badFlow}) {
    StreamedFacts fast;
    std::string error;
    EXPECT_FALSE(readFacts(text, nullptr, fast, error));
    EXPECT_NE(error.find("not a callable slot key"), std::string::npos) << error;
  }
  std::string wrongVersion = good;
  wrongVersion.replace(wrongVersion.find(kVersionMember), kVersionMember.size(), "\"lockcheck_facts\": 1");
  std::string noWhere = "{" + kVersionMember + R"(, "file": "f", "functions": {"k": {"name": "n"}}, "decls": {}, "findings": []})";
  for (const std::string &text : {std::string("{"), good + "x", wrongVersion, noWhere, std::string("[]"),
                                  std::string("{\"a\": \"\xff\"}"), good.substr(0, good.size() / 2)})
    rejectedByBoth(text);
}

// A call's path is one of the words the format names; anything else rejects the file.
TEST(FactsStream, AnUnknownCallPathIsAnError) {
  std::string text = factsToJson(everyField());
  text.replace(text.find("\"error\""), 7, "\"maybe\"");
  StreamedFacts fast;
  TUFacts reference;
  std::string fastError, referenceError;
  EXPECT_FALSE(readFacts(text, nullptr, fast, fastError));
  EXPECT_FALSE(factsFromJson(text, reference, referenceError));
  EXPECT_EQ(fastError, referenceError);
  EXPECT_NE(fastError.find("call path"), std::string::npos) << fastError;
}

// Lock keys are typed once read: a string that is no key, in any field that holds one,
// rejects the file on both decoders with the same error, which names the string.
TEST(FactsStream, AMalformedLockKeyIsAnError) {
  std::string good = factsToJson(everyField());
  const std::pair<std::string, std::string> spoilt[] = {
      {R"("key": "t:mu_")", R"("key": "q:mu_")"},
      {R"("order": "f:A::mu_")", R"("order": "A::mu_")"},
      {R"("wait_releases": "t:mu_")", R"("wait_releases": "p01:mu_")"},
      {R"("this_arg": "t:")", R"("this_arg": "t")"},
      {R"("g:store")", R"("g")"},   // in arg_locks
      {R"("p1:")", R"("p:")"},      // in entry_locks
      {R"("p0:impl_")", R"("p:impl_")"},  // an effect's key
      {R"("l:lock@5")", R"("l")"}}; // a pending call's local
  for (const auto &[from, to] : spoilt) {
    std::string text = good;
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::string error = rejectedByBoth(text);
    EXPECT_NE(error.find("not a lock key"), std::string::npos) << error;
  }
}

// A replay skeleton whose indices do not fit its function is refused by both decoders,
// with the same error.
TEST(FactsStream, AProgramOutOfRangeIsAnError) {
  const nlohmann::json good = nlohmann::json::parse(factsToJson(everyField()));
  const std::function<void(nlohmann::json &)> spoilers[] = {
      [](nlohmann::json &p) { p["pending"][0]["call"] = 2; },            // the pending call's own call
      [](nlohmann::json &p) { p["blocks"][0]["steps"][2][1] = 1; },      // an acquisition step
      [](nlohmann::json &p) { p["blocks"][0]["succ"][0] = 2; },          // a successor block
      [](nlohmann::json &p) { p["blocks"][1]["exit"] = 1; },             // an exit
      [](nlohmann::json &p) { p["blocks"][0]["nonzero_succ"] = 2; },     // a test's successor
      [](nlohmann::json &p) { p["pending"][0]["role"] = "build"; }};
  for (const auto &spoil : spoilers) {
    nlohmann::json doc = good;
    spoil(doc["functions"]["c:@S@A@F@run#"]["program"]);
    std::string text = doc.dump(1);
    StreamedFacts fast;
    TUFacts reference;
    std::string fastError, referenceError;
    EXPECT_FALSE(readFacts(text, nullptr, fast, fastError)) << text;
    EXPECT_FALSE(factsFromJson(text, reference, referenceError));
    EXPECT_EQ(fastError, referenceError);
  }
}

TEST(FactsStream, ASkippedValueMustStillBeJson) {
  std::string text = factsToJson(everyField());
  SeenKeys seen;
  StreamedFacts out;
  std::string error;
  ASSERT_TRUE(readFacts(text, &seen, out, error));
  std::string broken = text;
  broken.replace(broken.find("\"A::run\""), 8, "\"A::run\" 1"); // inside the function met before
  EXPECT_FALSE(readFacts(broken, &seen, out, error));
  EXPECT_EQ(error.rfind("malformed facts", 0), 0u) << error;
}

// Member names and skipped strings may hold escapes: a name is still the field it spells
// (the value read after it reuses the parser's buffer), and a skipped string is checked as
// a decoded one is.
TEST(FactsStream, EscapesInNamesAndSkippedValues) {
  std::string text = factsToJson(everyField());
  std::string escapedName = text;
  escapedName.replace(escapedName.find("\"qualified\""), 11, "\"qualifie\\u0064\"");
  StreamedFacts plain, escaped;
  std::string error;
  ASSERT_TRUE(readFacts(text, nullptr, plain, error)) << error;
  ASSERT_TRUE(readFacts(escapedName, nullptr, escaped, error)) << error;
  EXPECT_EQ(factsToJson(escaped.facts), factsToJson(plain.facts));

  SeenKeys seen;
  StreamedFacts first, second;
  ASSERT_TRUE(readFacts(escapedName, &seen, first, error)) << error;
  ASSERT_TRUE(readFacts(escapedName, &seen, second, error)) << error; // skipped this time
  EXPECT_EQ(second.skippedFunctions.size(), 1u);
  std::string badEscape = escapedName;
  badEscape.replace(badEscape.find("\\u0064"), 6, "\\u00g4");
  StreamedFacts out;
  EXPECT_FALSE(readFacts(badEscape, &seen, out, error)); // in the function met before
  EXPECT_EQ(error.rfind("malformed facts", 0), 0u) << error;
}

// A skipped value nested deeper than any decoder reads is left to the reference decoder,
// which says why it refuses it.
TEST(FactsStream, ASkippedValueTooDeepGetsTheReferenceDecodersError) {
  std::string text = factsToJson(everyField());
  SeenKeys seen;
  StreamedFacts out;
  std::string error;
  ASSERT_TRUE(readFacts(text, &seen, out, error));
  std::string deep = text;
  std::string nested = std::string(300, '[') + std::string(300, ']');
  deep.replace(deep.find("\"name\""), 0, "\"x\": " + nested + ", ");
  TUFacts reference;
  std::string referenceError;
  EXPECT_FALSE(readFacts(deep, &seen, out, error));
  EXPECT_FALSE(factsFromJson(deep, reference, referenceError));
  EXPECT_EQ(error, referenceError);
}

// The merged program keeps millions of these strings: no spare capacity (a string grown
// by appends holds twice what it needs).
TEST(FactsStream, DecodedStringsHaveNoSpareCapacity) {
  std::string text = factsToJson(everyField());
  StreamedFacts out;
  std::string error;
  ASSERT_TRUE(readFacts(text, nullptr, out, error));
  const FunctionFacts &fn = out.facts.functions.begin()->second;
  const std::string &plain = fn.calls.front().callables.front().targets.front(); // no escapes
  const std::string &escaped = fn.calls.front().calleeName;
  ASSERT_GT(plain.size(), 15u); // longer than the in-place buffer
  ASSERT_GT(escaped.size(), 15u);
  EXPECT_EQ(plain.capacity(), plain.size());
  EXPECT_EQ(escaped.capacity(), escaped.size());
}

TEST(FactsStream, SeenKeysRemembersEveryKeyAsItGrows) {
  SeenKeys seen;
  for (int i = 0; i < 20000; ++i) EXPECT_FALSE(seen.functionSeen("k" + std::to_string(i), at(1)));
  for (int i = 0; i < 20000; ++i) EXPECT_TRUE(seen.functionSeen("k" + std::to_string(i), at(1)));
  EXPECT_FALSE(seen.functionSeen("k1", at(2))); // the same key elsewhere is another definition
  EXPECT_FALSE(seen.functionSeen("k1", SourcePoint{"src/b.cpp", 1, 7}));
  EXPECT_FALSE(seen.declSeen("k1")); // declarations are a separate key space
}

} // namespace
} // namespace lockcheck
