#include "config/strict_json.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

namespace lockcheck::strict_json {
using nlohmann::json;

namespace {

// Follows the parser's events to know the path of the value being read; records the first
// duplicate key. Array elements are counted so that paths carry their indices.
json::parser_callback_t rejectDuplicateKeys(Path &duplicate, bool &found) {
  struct Level {
    bool isArray = false;
    std::set<std::string> keys;
    Step step; // the key (object) or index (array) of the element being read
    size_t count = 0;
  };
  auto levels = std::make_shared<std::vector<Level>>();
  auto pathHere = [levels] {
    Path path;
    for (const auto &l : *levels) path.push_back(l.step);
    return path;
  };
  auto elementStarts = [levels] {
    if (levels->empty() || !levels->back().isArray) return;
    Level &top = levels->back();
    top.step = {std::to_string(top.count++), true};
  };
  return [=, &duplicate, &found](int, json::parse_event_t event, json &parsed) {
    switch (event) {
    case json::parse_event_t::object_start:
    case json::parse_event_t::array_start:
      elementStarts();
      levels->push_back({});
      levels->back().isArray = event == json::parse_event_t::array_start;
      break;
    case json::parse_event_t::object_end:
    case json::parse_event_t::array_end: levels->pop_back(); break;
    case json::parse_event_t::key: {
      Level &top = levels->back();
      top.step = {parsed.get<std::string>(), false};
      if (!top.keys.insert(top.step.key).second && !found) {
        found = true;
        duplicate = pathHere();
      }
      break;
    }
    case json::parse_event_t::value:
      // Objects and arrays end with their own event; a scalar array element starts and ends here.
      if (!parsed.is_structured()) elementStarts();
      break;
    }
    return true;
  };
}

bool findNul(const json &value, Path &path, Error &error) {
  if (value.is_string() && value.get_ref<const std::string &>().find('\0') != std::string::npos) {
    error.path = path;
    return true;
  }
  if (value.is_object())
    for (const auto &[name, item] : value.items()) {
      path.push_back({name, false});
      if (name.find('\0') != std::string::npos) {
        path.pop_back();
        error.path = path;
        error.inKey = true;
        return true;
      }
      if (findNul(item, path, error)) return true;
      path.pop_back();
    }
  if (value.is_array())
    for (size_t i = 0; i < value.size(); ++i) {
      path.push_back({std::to_string(i), true});
      if (findNul(value[i], path, error)) return true;
      path.pop_back();
    }
  return false;
}

// nlohmann says "[json.exception.parse_error.101] parse error at line L, column C: WHY".
void describeSyntaxError(const json::exception &e, size_t byte, const std::string &bytes, Error &error) {
  std::string what = e.what();
  size_t at = what.find(" at line ");
  if (at != std::string::npos && std::sscanf(what.c_str() + at, " at line %u, column %u", &error.line, &error.column) == 2) {
    size_t colon = what.find(": ", at);
    error.what = colon == std::string::npos ? what : what.substr(colon + 2);
    return;
  }
  // No position in the message (an empty document, a number out of range): count lines.
  byte = std::min(byte, bytes.size());
  error.line = 1 + static_cast<unsigned>(std::count(bytes.begin(), bytes.begin() + static_cast<long>(byte), '\n'));
  error.column = 0;
  size_t bracket = what.find("] ");
  error.what = bracket == std::string::npos ? what : what.substr(bracket + 2);
}

} // namespace

std::string dotted(const Path &path) {
  std::string out;
  for (const auto &s : path) out += s.isIndex ? "[" + s.key + "]" : (out.empty() ? "" : ".") + s.key;
  return out;
}

std::string pointer(const Path &path) {
  std::string out;
  for (const auto &s : path) out += "/" + s.key;
  return out;
}

std::string position(const std::string &file, const Error &error) {
  std::string out = file + ":" + std::to_string(error.line);
  if (error.column != 0) out += ":" + std::to_string(error.column);
  return out;
}

bool parse(const std::string &bytes, json &out, Error &error) {
  error = Error{};
  if (size_t nul = bytes.find('\0'); nul != std::string::npos) {
    error.kind = Error::NulByte;
    error.line = 1 + static_cast<unsigned>(std::count(bytes.begin(), bytes.begin() + static_cast<long>(nul), '\n'));
    return false;
  }
  Path duplicate;
  bool found = false;
  try {
    out = json::parse(bytes, rejectDuplicateKeys(duplicate, found));
  } catch (const json::parse_error &e) {
    error.kind = Error::Syntax;
    describeSyntaxError(e, e.byte, bytes, error);
    return false;
  } catch (const json::exception &e) { // out_of_range for a number like 1e400
    error.kind = Error::Syntax;
    describeSyntaxError(e, bytes.size(), bytes, error);
    return false;
  }
  if (found) {
    error.kind = Error::DuplicateKey;
    error.path = duplicate;
    return false;
  }
  Path path;
  if (findNul(out, path, error)) {
    error.kind = Error::NulString;
    return false;
  }
  return true;
}

} // namespace lockcheck::strict_json
