// Pieces of the facts file's JSON that its parts share (facts.cpp, lock_effects_json.cpp).
#pragma once

#include "facts/lock_ref.h"

#include <nlohmann/json.hpp>

namespace lockcheck {

// Leaves out the fields equal to their default (false, "", [], null): format 2.
nlohmann::json compactJson(nlohmann::json object);
nlohmann::json pointJson(const SourcePoint &p);
SourcePoint pointFrom(const nlohmann::json &j);
nlohmann::json lockJson(const LockRef &l);
LockRef lockFrom(const nlohmann::json &j);

} // namespace lockcheck
