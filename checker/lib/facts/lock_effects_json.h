// The facts file's "effects" and "program" of a function (docs/facts-format.md "Lock
// wrappers"), for both readers (facts.cpp and the streaming facts_stream.cpp).
#pragma once

#include "facts/document_reader.h"
#include "facts/facts.h"

#include <nlohmann/json.hpp>

namespace lockcheck {

nlohmann::json effectsToJson(const std::vector<LockEffect> &effects);
// The readers are strict (facts/document_reader.h): they throw facts_doc::Malformed,
// naming where, on anything lockcheck does not write.
std::vector<LockEffect> effectsFromJson(const nlohmann::json &j, const facts_doc::At &at);
// null for an empty program (left out of the file).
nlohmann::json programToJson(const LockProgram &program);
LockProgram programFromJson(const nlohmann::json &j, const facts_doc::At &at);
// Throws facts_doc::Malformed at `at` (the function's "program") when the program's
// indices do not fit the function (its calls, acquisitions, pending calls, blocks and exits).
void checkProgram(const FunctionFacts &fn, const facts_doc::At &at);

} // namespace lockcheck
