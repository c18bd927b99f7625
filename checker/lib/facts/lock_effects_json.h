// The facts file's "effects" and "program" of a function (docs/facts-format.md "Lock
// wrappers"), for both readers (facts.cpp and the streaming facts_stream.cpp).
#pragma once

#include "facts/facts.h"

#include <nlohmann/json.hpp>

namespace lockcheck {

nlohmann::json effectsToJson(const std::vector<LockEffect> &effects);
std::vector<LockEffect> effectsFromJson(const nlohmann::json &j);
// null for an empty program (left out of the file).
nlohmann::json programToJson(const LockProgram &program);
LockProgram programFromJson(const nlohmann::json &j);
// Throws std::invalid_argument when the program's indices do not fit the function (its
// calls, acquisitions, pending calls, blocks and exits).
void checkProgram(const FunctionFacts &fn);

} // namespace lockcheck
