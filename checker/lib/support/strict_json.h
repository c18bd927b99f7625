// Strict, bounded reading of the JSON (and CBOR) that comes from outside: the files users
// write (.lockcheck.json, rule packs), baselines, facts files, cache entries, editor messages.
// The standard parser keeps the last of duplicate keys and decodes "\u0000" into strings
// that C code downstream (paths, names, compiler flags) would cut short: a file that says
// two things, or says something other than it shows, is an error naming where. Its parser
// does not recurse, but everything that walks the resulting value does (copies, dumps,
// decoders, and nlohmann's own CBOR reader): nesting deeper than kMaxDepth is an error
// here, never a stack overflow later.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace lockcheck::strict_json {

// No document lockcheck reads nests deeper than ~10 levels; an editor's messages ~8.
inline constexpr unsigned kMaxDepth = 256;

// One step from the document root to a value: an object key or an array index.
struct Step {
  std::string key;
  bool isIndex = false;
};
using Path = std::vector<Step>;

std::string dotted(const Path &path);  // "rules.double-lock.severity", "exclude[0]"
std::string pointer(const Path &path); // "/rules/double-lock/severity", "/exclude/0"

struct Options {
  bool rejectDuplicateKeys = true;
  bool rejectNul = true; // a NUL byte in the text, "\u0000" in a string or key
  unsigned maxDepth = kMaxDepth;
};
// For documents lockcheck wrote itself and protocol messages: only the depth is bounded.
inline constexpr Options kBoundedOnly{false, false, kMaxDepth};

struct Error {
  enum Kind { NulByte, Syntax, DuplicateKey, NulString, TooDeep } kind = Syntax;
  Path path;              // DuplicateKey: the repeated key; NulString: the value or key holding it;
                          // TooDeep: the array or object that opens one level too many
  unsigned line = 0;      // NulByte, Syntax: 1-based; 0 if the parser gave none
  unsigned column = 0;    // Syntax: 1-based; 0 if the parser gave none
  std::string what;       // Syntax: the parser's reason, without its position prefix; TooDeep: the limit
  bool inKey = false;     // NulString: the NUL is in an object key
};

// "FILE:LINE:COLUMN" (or "FILE:LINE" without a column) of a Syntax or NulByte error, as a compiler writes it.
std::string position(const std::string &file, const Error &error);
// The error in one line, values named by dotted path, for messages that add the file themselves.
std::string describe(const Error &error);

// Parses JSON text `bytes` into `out`. False, with `error` filled, on invalid JSON, nesting
// deeper than options.maxDepth, and (as options say) a key repeated in one object, a raw NUL
// byte, or a NUL character in any string or key.
bool parse(std::string_view bytes, nlohmann::json &out, Error &error, const Options &options = {});
// The same for CBOR (RFC 8949) bytes.
bool parseCbor(std::string_view bytes, nlohmann::json &out, Error &error, const Options &options = kBoundedOnly);

} // namespace lockcheck::strict_json
