#include "json_body.h"

namespace lcs {

std::optional<nlohmann::json> parse_json_object(std::string_view body, std::string& error) {
  using json = nlohmann::json;
  bool too_deep = false;
  bool has_nul = false;
  // `depth` is the number of enclosing containers; a discarded value is not
  // built, so after the first violation the rest is only scanned.
  auto limits = [&](int depth, json::parse_event_t event, json& parsed) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth) {
      too_deep = true;
      return false;
    }
    if ((event == json::parse_event_t::key || event == json::parse_event_t::value) && parsed.is_string() &&
        parsed.get_ref<const std::string&>().find('\0') != std::string::npos) {
      has_nul = true;
      return false;
    }
    return true;
  };
  // The parser takes a raw NUL byte for the end of the input and would accept
  // `{...}\0anything` as `{...}`: no valid JSON text holds one, so refuse it.
  if (body.find('\0') != std::string_view::npos) {
    error = "body must not contain a NUL byte";
    return std::nullopt;
  }
  json doc = json::parse(body.begin(), body.end(), limits, /*allow_exceptions=*/false);
  if (too_deep) {
    error = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  } else if (has_nul) {
    error = "JSON strings must not contain \\u0000";
  } else if (doc.is_discarded() || !doc.is_object()) {
    error = "body must be a JSON object";
  } else {
    return doc;
  }
  return std::nullopt;
}

}  // namespace lcs
