// Strict reading of the JSON files users write (.lockcheck.json, rule packs).
// The standard parser keeps the last of duplicate keys and decodes "\u0000" into strings
// that C code downstream (paths, names, compiler flags) would cut short: a file that says
// two things, or says something other than it shows, is an error naming where.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace lockcheck::strict_json {

// One step from the document root to a value: an object key or an array index.
struct Step {
  std::string key;
  bool isIndex = false;
};
using Path = std::vector<Step>;

std::string dotted(const Path &path);  // "rules.double-lock.severity", "exclude[0]"
std::string pointer(const Path &path); // "/rules/double-lock/severity", "/exclude/0"

struct Error {
  enum Kind { NulByte, Syntax, DuplicateKey, NulString } kind = Syntax;
  Path path;              // DuplicateKey: the repeated key; NulString: the value or key holding it
  unsigned line = 0;      // NulByte, Syntax: 1-based; 0 if the parser gave none
  unsigned column = 0;    // Syntax: 1-based; 0 if the parser gave none
  std::string what;       // Syntax: the parser's reason, without its position prefix
  bool inKey = false;     // NulString: the NUL is in an object key
};

// "FILE:LINE:COLUMN" (or "FILE:LINE" without a column) of a Syntax or NulByte error, as a compiler writes it.
std::string position(const std::string &file, const Error &error);

// Parses `bytes` into `out`. False, with `error` filled, on a raw NUL byte, invalid JSON,
// a key repeated in one object, or a NUL character in any string or key.
bool parse(const std::string &bytes, nlohmann::json &out, Error &error);

} // namespace lockcheck::strict_json
