#include "facts/stream_facts.h"

#include "facts/document_reader.h"

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
  using namespace facts_doc;
  eachEntry(doc, "stream_flows", At{}, [&](const std::string &slot, const json &js, const At &at) {
    object(js, at, {"console", "nonblocking", "unknown", "slots", "made_nonblocking"});
    StreamSources s;
    s.console = optBoolean(js, "console", at);
    s.nonblocking = optBoolean(js, "nonblocking", at);
    s.unknown = optBoolean(js, "unknown", at);
    s.slots = optStrings(js, "slots", at);
    s.madeNonblocking = optBoolean(js, "made_nonblocking", at);
    out.streamFlows[slot] = std::move(s);
  });
}

} // namespace lockcheck
