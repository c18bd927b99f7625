#include "facts/stream_facts.h"

namespace lockcheck {
using nlohmann::json;

void streamFactsToDocument(const TUFacts &facts, json &doc) {
  if (facts.streamFlows.empty()) return;
  json flows = json::object();
  for (const auto &[slot, s] : facts.streamFlows) {
    json js = json::object();
    if (s.console) js["console"] = true;
    if (s.nonblocking) js["nonblocking"] = true;
    if (s.unknown) js["unknown"] = true;
    if (!s.slots.empty()) js["slots"] = s.slots;
    if (s.madeNonblocking) js["made_nonblocking"] = true;
    flows[slot] = std::move(js);
  }
  doc["stream_flows"] = std::move(flows);
}

void streamFactsFromDocument(const json &doc, TUFacts &out) {
  auto it = doc.find("stream_flows");
  if (it == doc.end()) return;
  auto flag = [](const json &j, const char *key) { return j.contains(key) && j.at(key).get<bool>(); };
  for (const auto &[slot, js] : it->items()) {
    StreamSources s;
    s.console = flag(js, "console");
    s.nonblocking = flag(js, "nonblocking");
    s.unknown = flag(js, "unknown");
    if (auto slots = js.find("slots"); slots != js.end()) s.slots = slots->get<std::vector<std::string>>();
    s.madeNonblocking = flag(js, "made_nonblocking");
    out.streamFlows[slot] = std::move(s);
  }
}

} // namespace lockcheck
