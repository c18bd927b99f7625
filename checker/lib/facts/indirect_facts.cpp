#include "facts/indirect_facts.h"

namespace lockcheck {
using nlohmann::json;

void indirectFactsToDocument(const TUFacts &facts, json &doc) {
  if (!facts.classes.empty()) {
    json classes = json::object();
    for (const auto &[name, c] : facts.classes) {
      json methods = json::array();
      for (const auto &m : c.methods) {
        json jm = {{"key", m.key}};
        if (!m.overrides.empty()) jm["overrides"] = m.overrides;
        if (m.pure) jm["pure"] = true;
        if (m.final) jm["final"] = true;
        methods.push_back(std::move(jm));
      }
      json jc = {{"methods", std::move(methods)}};
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
      flows[slot] = std::move(js);
    }
    doc["callable_flows"] = std::move(flows);
  }
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
      for (const auto &jm : jc.at("methods"))
        c.methods.push_back(VirtualMethod{jm.at("key"), strings(jm, "overrides"), flag(jm, "pure"), flag(jm, "final")});
      out.classes.emplace(name, std::move(c));
    }
  if (auto it = doc.find("callable_flows"); it != doc.end())
    for (const auto &[slot, js] : it->items())
      out.callableFlows.emplace(slot, CallableSources{strings(js, "targets"), strings(js, "slots"), flag(js, "unknown")});
}

} // namespace lockcheck
