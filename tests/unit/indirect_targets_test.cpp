// Indirect call targets (issues 19, 27) on hand-built facts: virtual calls narrowed by the
// receiver's static type and `final`, slots bounded only when everything flowing in is
// known, the fallback to functions converted to a lost slot's type, narrowing to the
// classes passed at a call site, which targets a call's flow reaches, "indirect_exclude",
// and the facts round trip of the new fields.
#include "facts/facts.h"
#include "link/indirect_targets.h"

#include <gtest/gtest.h>

#include <memory>

namespace lockcheck {
namespace {

ClassFacts cls(std::vector<std::string> bases, std::vector<VirtualMethod> methods, bool final = false) {
  return ClassFacts{std::move(bases), final, std::move(methods)};
}

CallEvent virtualCall(const std::string &method, const std::string &receiver) {
  CallEvent c;
  c.callee = method;
  c.receiverType = receiver;
  c.unresolved = true;
  return c;
}

SlotKey slot(const char *text) {
  auto parsed = SlotKey::parse(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(SlotKey{});
}

CallEvent slotCall(const char *key) {
  CallEvent c;
  c.through = slot(key);
  return c;
}

CallableSources flows(std::vector<std::string> targets, std::vector<const char *> slots, bool unknown = false) {
  CallableSources s{std::move(targets), {}, unknown, {}};
  for (const char *k : slots) s.slots.push_back(slot(k));
  return s;
}

class IndirectTargetsTest : public ::testing::Test {
protected:
  void SetUp() override {
    // Sink (pure put) <- FileSink, Sink <- Quiet <- LoudQuiet; Middle::put is final.
    tu_.classes["Sink"] = cls({}, {VirtualMethod{"Sink::put", {}, true, false}});
    tu_.classes["FileSink"] = cls({"Sink"}, {VirtualMethod{"FileSink::put", {"Sink::put"}, false, false}});
    tu_.classes["Quiet"] = cls({"Sink"}, {VirtualMethod{"Quiet::put", {"Sink::put"}, false, true}});
    tu_.classes["LoudQuiet"] = cls({"Quiet"}, {});
    tu_.callableFlows[slot("f:W::cb")] = flows({"lambda:a"}, {"p:W::set#0"});
    tu_.callableFlows[slot("p:W::set#0")] = flows({"lambda:b"}, {});
    tu_.callableFlows[slot("g:plugin")] = flows({"slow"}, {}, true);
    tu_.callableFlows[slot("f:V::cb")] = flows({}, {"p:V::set#0"}); // set() never called
  }
  IndirectTargets &linked(IndirectOptions options = {}) {
    linked_ = std::make_unique<IndirectTargets>();
    linked_->setOptions(std::move(options));
    TUFacts copy = tu_; // add() takes the classes
    linked_->add(copy);
    linked_->finish({}, {});
    return *linked_;
  }
  std::vector<std::string> targets(const CallEvent &call, IndirectOptions options = {}) {
    const IndirectResolution *out = linked(std::move(options)).targets(call);
    return out ? out->targets : std::vector<std::string>{"<unbounded>"};
  }
  TUFacts tu_;
  std::unique_ptr<IndirectTargets> linked_;
};

TEST_F(IndirectTargetsTest, VirtualCallGoesToEveryOverrideBelowTheStaticType) {
  EXPECT_EQ(targets(virtualCall("Sink::put", "Sink")), (std::vector<std::string>{"FileSink::put", "Quiet::put"}));
}

TEST_F(IndirectTargetsTest, SiblingsOfTheReceiverTypeAreNotTargets) {
  EXPECT_EQ(targets(virtualCall("Sink::put", "Quiet")), (std::vector<std::string>{"Quiet::put"}));
  // Inherited by the receiver's class: the static method itself (Clang names the nearest).
  EXPECT_EQ(targets(virtualCall("Quiet::put", "LoudQuiet")), (std::vector<std::string>{"Quiet::put"}));
}

TEST_F(IndirectTargetsTest, UnknownClassOrOnlyPureMethodsIsUnbounded) {
  EXPECT_EQ(targets(virtualCall("Other::run", "Other")), std::vector<std::string>{"<unbounded>"});
  tu_.classes.erase("FileSink");
  tu_.classes.erase("Quiet");
  EXPECT_EQ(targets(virtualCall("Sink::put", "Sink")), std::vector<std::string>{"<unbounded>"});
}

TEST_F(IndirectTargetsTest, ExcludedClassesAreLeftOut) {
  IndirectOptions options;
  options.exclude.emplace_back("File*");
  EXPECT_EQ(targets(virtualCall("Sink::put", "Sink"), options), std::vector<std::string>{"Quiet::put"});
  options.resolve = false;
  EXPECT_EQ(targets(virtualCall("Sink::put", "Sink"), options), std::vector<std::string>{"<unbounded>"});
}

TEST_F(IndirectTargetsTest, SlotsCollectWhatFlowsInThroughOtherSlots) {
  EXPECT_EQ(targets(slotCall("f:W::cb")), (std::vector<std::string>{"lambda:a", "lambda:b"}));
}

TEST_F(IndirectTargetsTest, UnknownSourcesAndUnfedParametersAreUnbounded) {
  EXPECT_EQ(targets(slotCall("g:plugin")), std::vector<std::string>{"<unbounded>"});
  EXPECT_EQ(targets(slotCall("f:V::cb")), std::vector<std::string>{"<unbounded>"});
  EXPECT_EQ(targets(slotCall("f:Nobody::cb")), std::vector<std::string>{"<unbounded>"});
}

TEST_F(IndirectTargetsTest, FactsRoundTripKeepsHierarchyAndFlows) {
  tu_.file = "a.cpp";
  tu_.functions["f"].key = "f";
  tu_.functions["f"].calls.push_back(slotCall("f:W::cb"));
  TUFacts back;
  std::string error;
  ASSERT_TRUE(factsFromJson(factsToJson(tu_), back, error)) << error;
  ASSERT_EQ(back.classes.size(), tu_.classes.size());
  EXPECT_EQ(back.classes.at("Quiet").bases, std::vector<std::string>{"Sink"});
  EXPECT_TRUE(back.classes.at("Quiet").methods.at(0).final);
  EXPECT_TRUE(back.classes.at("Sink").methods.at(0).pure);
  EXPECT_EQ(back.classes.at("FileSink").methods.at(0).overrides, std::vector<std::string>{"Sink::put"});
  EXPECT_EQ(back.callableFlows.at(slot("f:W::cb")).slots, std::vector<SlotKey>{slot("p:W::set#0")});
  EXPECT_TRUE(back.callableFlows.at(slot("g:plugin")).unknown);
  EXPECT_EQ(back.functions.at("f").calls.at(0).through, slot("f:W::cb"));
}

TEST_F(IndirectTargetsTest, FactsRoundTripKeepsTypesEscapesAndArguments) {
  tu_.file = "a.cpp";
  tu_.callableFlows[slot("f:V::cb")].type = "void (*)(int)";
  tu_.callableTypes["void (*)(int)"] = {"log_to_file", "log_to_memory"};
  tu_.escapingClasses = {"FileSink"};
  CallEvent call = virtualCall("Sink::put", "Sink");
  call.through = slot("p:c:@F@drain#*$@S@Sink##0");
  call.callables.push_back(CallableArg{0, {}, -1, {"FileSink"}, {}});
  call.callables.push_back(CallableArg{1, {}, -1, {}, slot("f:Pipe::sink_")});
  tu_.functions["f"].key = "f";
  tu_.functions["f"].calls.push_back(call);
  TUFacts back;
  std::string error;
  ASSERT_TRUE(factsFromJson(factsToJson(tu_), back, error)) << error;
  EXPECT_EQ(back.callableFlows.at(slot("f:V::cb")).type, "void (*)(int)");
  EXPECT_EQ(back.callableTypes, tu_.callableTypes);
  EXPECT_EQ(back.escapingClasses, tu_.escapingClasses);
  const CallEvent &c = back.functions.at("f").calls.at(0);
  EXPECT_EQ(c.through, call.through);
  ASSERT_EQ(c.callables.size(), 2u);
  EXPECT_EQ(c.callables[0].classes, std::vector<std::string>{"FileSink"});
  EXPECT_EQ(c.callables[1].slot, slot("f:Pipe::sink_"));
}

TEST_F(IndirectTargetsTest, MalformedSlotKeyRejectsTheFactsFile) {
  tu_.file = "a.cpp";
  std::string text = factsToJson(tu_);
  size_t at = text.find("\"p:W::set#0\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 12, "\"p:W::set#x\"");
  TUFacts back;
  std::string error;
  EXPECT_FALSE(factsFromJson(text, back, error));
  EXPECT_NE(error.find("not a callable slot key: \"p:W::set#x\""), std::string::npos) << error;
}

// A lost flow falls back to the functions the program converts to the slot's type; what
// was seen flowing in is preferred when naming; "flows" turns the fallback off.
TEST_F(IndirectTargetsTest, LostFlowFallsBackToFunctionsConvertedToItsType) {
  tu_.callableFlows[slot("f:V::cb")].type = "void (*)(int)";
  tu_.callableFlows[slot("g:plugin")].type = "void (*)()";
  tu_.callableTypes["void (*)(int)"] = {"log_to_file", "log_to_memory"};
  tu_.callableTypes["void (*)()"] = {"slow", "fast"};
  // targets() memoises by the call's address: each call is a distinct, living object.
  const CallEvent cbCall = slotCall("f:V::cb"), pluginCall = slotCall("g:plugin");
  const IndirectResolution *r = linked().targets(cbCall);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->byType);
  EXPECT_EQ(r->type, "void (*)(int)");
  EXPECT_EQ(r->targets, (std::vector<std::string>{"log_to_file", "log_to_memory"}));
  const IndirectResolution *plugin = linked_->targets(pluginCall);
  ASSERT_TRUE(plugin);
  EXPECT_TRUE(plugin->byType);
  EXPECT_TRUE(linked_->reaches(pluginCall, *plugin, "slow"));
  EXPECT_FALSE(linked_->reaches(pluginCall, *plugin, "fast"));
  // A followed flow is never widened by type.
  tu_.callableFlows[slot("f:W::cb")].type = "void (*)(int)";
  EXPECT_EQ(targets(slotCall("f:W::cb")), (std::vector<std::string>{"lambda:a", "lambda:b"}));
  IndirectOptions flowsOnly;
  flowsOnly.matchByType = false;
  EXPECT_EQ(targets(slotCall("f:V::cb"), flowsOnly), std::vector<std::string>{"<unbounded>"});
}

TEST_F(IndirectTargetsTest, NothingConvertedToTheTypeStaysUnbounded) {
  tu_.callableFlows[slot("f:V::cb")].type = "void (*)(double)";
  tu_.callableTypes["void (*)(int)"] = {"log_to_file"};
  EXPECT_EQ(targets(slotCall("f:V::cb")), std::vector<std::string>{"<unbounded>"});
  // A slot only ever set to null (an entry with nothing in it) is not a followed flow.
  tu_.callableFlows[slot("f:N::cb")].type = "void (*)(int)";
  tu_.callableTypes["void (*)(int)"] = {"log_to_file"};
  EXPECT_EQ(targets(slotCall("f:N::cb")), std::vector<std::string>{"log_to_file"});
}

TEST_F(IndirectTargetsTest, NarrowedToTheFinalOverriderOfEachClassPassed) {
  IndirectTargets &t = linked();
  CallEvent call = virtualCall("Sink::put", "Sink");
  const std::vector<std::string> *file = t.narrowed(call, {"FileSink"});
  ASSERT_TRUE(file);
  EXPECT_EQ(*file, std::vector<std::string>{"FileSink::put"});
  const std::vector<std::string> *inherited = t.narrowed(call, {"LoudQuiet", "FileSink"});
  ASSERT_TRUE(inherited);
  EXPECT_EQ(*inherited, (std::vector<std::string>{"FileSink::put", "Quiet::put"}));
  EXPECT_FALSE(t.narrowed(call, {"Unrecorded"})); // the caller falls back to every override
}

TEST_F(IndirectTargetsTest, VirtualTargetsReachWhenTheirObjectsMayBeInTheReceiversSlot) {
  tu_.classes["MemorySink"] = cls({"Sink"}, {VirtualMethod{"MemorySink::put", {"Sink::put"}, false, false}});
  tu_.callableFlows[slot("f:Log::out_")] = flows({"Quiet"}, {"p:Log::Log#0"});
  tu_.callableFlows[slot("p:Log::Log#0")] = flows({}, {}, true); // from a factory's result
  tu_.escapingClasses = {"MemorySink"};
  IndirectTargets &t = linked();
  CallEvent call = virtualCall("Sink::put", "Sink");
  call.through = slot("f:Log::out_");
  const IndirectResolution *r = t.targets(call);
  ASSERT_TRUE(r);
  EXPECT_TRUE(t.reaches(call, *r, "Quiet::put"));      // flows in
  EXPECT_TRUE(t.reaches(call, *r, "MemorySink::put")); // escapes, and the flow is not all followed
  EXPECT_FALSE(t.reaches(call, *r, "FileSink::put"));  // every FileSink is followed elsewhere
  std::vector<std::string> classes;
  EXPECT_FALSE(t.slotClasses(slot("f:Log::out_"), classes));
  EXPECT_EQ(classes, std::vector<std::string>{"Quiet"});
}

} // namespace
} // namespace lockcheck
