// Indirect call targets (issue 19) on hand-built facts: virtual calls narrowed by the
// receiver's static type and `final`, slots bounded only when everything flowing in is
// known, "indirect_exclude", and the facts round trip of the new fields.
#include "facts/facts.h"
#include "link/indirect_targets.h"

#include <gtest/gtest.h>

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

CallEvent slotCall(const std::string &slot) {
  CallEvent c;
  c.through = slot;
  return c;
}

class IndirectTargetsTest : public ::testing::Test {
protected:
  void SetUp() override {
    // Sink (pure put) <- FileSink, Sink <- Quiet <- LoudQuiet; Middle::put is final.
    tu_.classes["Sink"] = cls({}, {VirtualMethod{"Sink::put", {}, true, false}});
    tu_.classes["FileSink"] = cls({"Sink"}, {VirtualMethod{"FileSink::put", {"Sink::put"}, false, false}});
    tu_.classes["Quiet"] = cls({"Sink"}, {VirtualMethod{"Quiet::put", {"Sink::put"}, false, true}});
    tu_.classes["LoudQuiet"] = cls({"Quiet"}, {});
    tu_.callableFlows["f:W::cb"] = CallableSources{{"lambda:a"}, {"p:W::set#0"}, false};
    tu_.callableFlows["p:W::set#0"] = CallableSources{{"lambda:b"}, {}, false};
    tu_.callableFlows["g:plugin"] = CallableSources{{"slow"}, {}, true};
    tu_.callableFlows["f:V::cb"] = CallableSources{{}, {"p:V::set#0"}, false}; // set() never called
  }
  std::vector<std::string> targets(const CallEvent &call, IndirectOptions options = {}) {
    IndirectTargets t;
    t.setOptions(std::move(options));
    TUFacts copy = tu_; // add() takes the classes
    t.add(copy);
    t.finish({}, {});
    const std::vector<std::string> *out = t.targets(call);
    return out ? *out : std::vector<std::string>{"<unbounded>"};
  }
  TUFacts tu_;
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
  EXPECT_EQ(back.callableFlows.at("f:W::cb").slots, std::vector<std::string>{"p:W::set#0"});
  EXPECT_TRUE(back.callableFlows.at("g:plugin").unknown);
  EXPECT_EQ(back.functions.at("f").calls.at(0).through, "f:W::cb");
}

} // namespace
} // namespace lockcheck
