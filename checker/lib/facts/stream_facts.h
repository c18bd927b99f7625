// JSON of the stream flows (what each FILE*, std::ostream or descriptor slot may hold:
// docs/spec.md §3 "The console is logging", "Self-wakeups do not block"), kept apart from
// facts.cpp; format: docs/facts-format.md "Streams and descriptors".
#pragma once

#include "facts/facts.h"

#include <nlohmann/json.hpp>

namespace lockcheck {

// Adds "stream_flows" to a facts document (left out when empty).
void streamFactsToDocument(const TUFacts &facts, nlohmann::json &doc);
// Reads it back strictly (facts/document_reader.h); throws facts_doc::Malformed on a
// malformed document.
void streamFactsFromDocument(const nlohmann::json &doc, TUFacts &out);

} // namespace lockcheck
