#include "facts/indirect_facts.h"

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
  auto strings = [](const json &j, const char *key) {
    auto it = j.find(key);
    return it == j.end() ? std::vector<std::string>{} : it->get<std::vector<std::string>>();
  };
  auto flag = [](const json &j, const char *key) { return j.contains(key) && j.at(key).get<bool>(); };
  if (auto it = doc.find("classes"); it != doc.end())
    for (const auto &[name, jc] : it->items()) {
      ClassFacts c;
      c.bases = strings(jc, "bases");
      c.final = flag(jc, "final");
      for (const auto &jm : jc.at("methods")) {
        VirtualMethod m;
        m.key = jm.at(0).get<std::string>();
        for (size_t i = 1; i < jm.size(); ++i) m.overrides.push_back(jm.at(i).get<std::string>());
        c.methods.push_back(std::move(m));
      }
      auto mark = [&](const char *key, bool VirtualMethod::*flag) {
        if (auto it = jc.find(key); it != jc.end())
          for (const auto &i : *it) c.methods.at(i.get<size_t>()).*flag = true;
      };
      mark("pure", &VirtualMethod::pure);
      mark("final_methods", &VirtualMethod::final);
      out.classes.emplace(name, std::move(c));
    }
  if (auto it = doc.find("callable_flows"); it != doc.end())
    for (const auto &[slot, js] : it->items()) {
      CallableSources s{strings(js, "targets"), {}, flag(js, "unknown"), {}};
      if (auto slots = js.find("slots"); slots != js.end()) s.slots = slots->get<std::vector<SlotKey>>();
      if (auto type = js.find("type"); type != js.end()) s.type = type->get<std::string>();
      out.callableFlows.emplace(json(slot).get<SlotKey>(), std::move(s));
    }
  if (auto it = doc.find("callable_types"); it != doc.end())
    out.callableTypes = it->get<std::map<std::string, std::vector<std::string>>>();
  out.escapingClasses = strings(doc, "escaping_classes");
}

} // namespace lockcheck
