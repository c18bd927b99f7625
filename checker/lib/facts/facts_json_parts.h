// Pieces of the facts file's JSON that its parts share (facts.cpp, lock_effects_json.cpp).
// The readers are strict (facts/document_reader.h): they throw facts_doc::Malformed,
// naming where, on anything lockcheck does not write.
#pragma once

#include "facts/document_reader.h"
#include "facts/lock_ref.h"

#include <nlohmann/json.hpp>

namespace lockcheck {

// Leaves out the fields equal to their default (false, "", [], null): format 2.
nlohmann::json compactJson(nlohmann::json object);
// A line, column, parameter or argument index.
unsigned natural(const nlohmann::json &v, const facts_doc::At &at);
nlohmann::json pointJson(const SourcePoint &p);
SourcePoint pointFrom(const nlohmann::json &j, const facts_doc::At &at);
// The required member `key` of `obj`, a [file, line, column].
SourcePoint pointAt(const nlohmann::json &obj, const char *key, const facts_doc::At &at);
nlohmann::json lockJson(const LockRef &l);
LockRef lockFrom(const nlohmann::json &j, const facts_doc::At &at);

} // namespace lockcheck
