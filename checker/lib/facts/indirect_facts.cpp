#include "facts/indirect_facts.h"

#include "facts/document_reader.h"

namespace lockcheck {
using nlohmann::json;

void indirectFactsToDocument(const TUFacts &facts, json &doc) {
  if (!facts.classes.empty()) {
    json classes = json::object();
    for (const auto &[name, c] : facts.classes) {
      // Arrays, not objects: every TU that includes a class's header writes it again.
      json methods = json::array(), pure = json::array(), finals = json::array();
      for (size_t i = 0; i < c.methods.size(); ++i) {
        const VirtualMethod &m = c.methods[i];
        json jm = json::array({m.key});
        for (const auto &o : m.overrides) jm.push_back(o);
        methods.push_back(std::move(jm));
        if (m.pure) pure.push_back(i);
        if (m.final) finals.push_back(i);
      }
      json jc = {{"methods", std::move(methods)}};
      if (!pure.empty()) jc["pure"] = std::move(pure);
      if (!finals.empty()) jc["final_methods"] = std::move(finals);
      if (!c.bases.empty()) jc["bases"] = c.bases;
      if (c.final) jc["final"] = true;
      classes[name] = std::move(jc);
    }
    doc["classes"] = std::move(classes);
  }
  if (!facts.callableFlows.empty()) {
    json flows = json::object();
    for (const auto &[slot, s] : facts.callableFlows) {
      json js = json::object();
      if (!s.targets.empty()) js["targets"] = s.targets;
      if (!s.slots.empty()) js["slots"] = s.slots;
      if (s.unknown) js["unknown"] = true;
      if (!s.type.empty()) js["type"] = s.type;
      flows[slot.toString()] = std::move(js);
    }
    doc["callable_flows"] = std::move(flows);
  }
  if (!facts.callableTypes.empty()) doc["callable_types"] = facts.callableTypes;
  if (!facts.escapingClasses.empty()) doc["escaping_classes"] = facts.escapingClasses;
}

void indirectFactsFromDocument(const json &doc, TUFacts &out) {
  using namespace facts_doc;
  const At top;
  eachEntry(doc, "classes", top, [&](const std::string &name, const json &jc, const At &at) {
    object(jc, at, {"methods", "pure", "final_methods", "bases", "final"});
    ClassFacts c;
    c.bases = optStrings(jc, "bases", at);
    c.final = optBoolean(jc, "final", at);
    At methods = at.field("methods");
    const json &list = array(required(jc, "methods", at), methods);
    for (size_t i = 0; i < list.size(); ++i) {
      // [its key, the keys it overrides...]
      std::vector<std::string> keys = strings(list[i], methods.element(i));
      if (keys.empty()) malformed(methods.element(i), "expected [method key, overridden keys...], found []");
      VirtualMethod m;
      m.key = std::move(keys.front());
      m.overrides.assign(std::make_move_iterator(keys.begin() + 1), std::make_move_iterator(keys.end()));
      c.methods.push_back(std::move(m));
    }
    auto mark = [&](const char *key, bool VirtualMethod::*flag) {
      const json *indices = optional(jc, key);
      if (!indices) return;
      At marks = at.field(key);
      for (size_t i = 0; i < array(*indices, marks).size(); ++i) {
        long long index = integer((*indices)[i], marks.element(i), 0);
        if (static_cast<size_t>(index) >= c.methods.size())
          malformed(marks.element(i), "method index " + std::to_string(index) + " is out of range (the class has " +
                                          std::to_string(c.methods.size()) + " methods)");
        c.methods[static_cast<size_t>(index)].*flag = true;
      }
    };
    mark("pure", &VirtualMethod::pure);
    mark("final_methods", &VirtualMethod::final);
    out.classes.emplace(name, std::move(c));
  });
  eachEntry(doc, "callable_flows", top, [&](const std::string &slot, const json &js, const At &at) {
    object(js, at, {"targets", "slots", "unknown", "type"});
    out.callableFlows.emplace(slotKey(json(slot), at),
                              CallableSources{optStrings(js, "targets", at), optSlotKeys(js, "slots", at),
                                              optBoolean(js, "unknown", at), optString(js, "type", at)});
  });
  eachEntry(doc, "callable_types", top, [&](const std::string &type, const json &keys, const At &at) {
    out.callableTypes.emplace(type, strings(keys, at));
  });
  out.escapingClasses = optStrings(doc, "escaping_classes", top);
}

} // namespace lockcheck
