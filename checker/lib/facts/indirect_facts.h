// JSON of the facts that indirect calls need (class hierarchy, callable flows), kept
// apart from facts.cpp; format: docs/facts-format.md "Indirect calls".
#pragma once

#include "facts/facts.h"

#include <nlohmann/json.hpp>

namespace lockcheck {

// Adds "classes", "callable_flows", "callable_types" and "escaping_classes" to a facts
// document (left out when empty).
void indirectFactsToDocument(const TUFacts &facts, nlohmann::json &doc);
// Reads them back, strictly (facts/document_reader.h); throws facts_doc::Malformed, naming
// where, on a malformed document.
void indirectFactsFromDocument(const nlohmann::json &doc, TUFacts &out);

} // namespace lockcheck
