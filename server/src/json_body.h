#pragma once
// Request bodies as JSON objects, with the limits the database would only
// hit later checked while parsing: nesting at most kMaxJsonDepth levels (the
// parser is iterative, so a deep document costs no stack; PostgreSQL would
// fail with 54001) and no U+0000 in any string or key (PostgreSQL text and
// jsonb cannot hold it: 22P05), nor a raw NUL byte anywhere (the parser
// would stop there and drop the rest). All are the client's fault: 400.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lcs {

inline constexpr int kMaxJsonDepth = 64;

// The body as a JSON object, or nullopt with `error` saying what is wrong.
std::optional<nlohmann::json> parse_json_object(std::string_view body, std::string& error);

}  // namespace lcs
