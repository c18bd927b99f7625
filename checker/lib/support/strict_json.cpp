#include "support/strict_json.h"

#include "support/utf8.h"

#include <algorithm>
#include <cstdio>

namespace lockcheck::strict_json {
using nlohmann::json;

namespace {

// nlohmann says "[json.exception.parse_error.101] parse error at line L, column C: WHY".
void describeSyntaxError(const std::string &what, size_t byte, std::string_view bytes, bool text, Error &error) {
  error.kind = Error::Syntax;
  size_t at = what.find(" at line ");
  if (at != std::string::npos && std::sscanf(what.c_str() + at, " at line %u, column %u", &error.line, &error.column) == 2) {
    size_t colon = what.find(": ", at);
    error.what = colon == std::string::npos ? what : what.substr(colon + 2);
    return;
  }
  // No position in the message (an empty document, a number out of range, CBOR): count lines.
  if (text) {
    byte = std::min(byte, bytes.size());
    error.line = 1 + static_cast<unsigned>(std::count(bytes.begin(), bytes.begin() + static_cast<long>(byte), '\n'));
  }
  error.column = 0;
  size_t bracket = what.find("] ");
  error.what = bracket == std::string::npos ? what : what.substr(bracket + 2);
}

// nlohmann's SAX events turned into a value, as its own DOM builder does, with the checks
// of Options on the way: the first failed check stops the parse (a callback returning false).
class CheckedBuilder {
public:
  CheckedBuilder(json &root, const Options &options, Error &error, std::string_view bytes, bool text)
      : root_(root), options_(options), error_(error), bytes_(bytes), text_(text) {}

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(json::number_integer_t v) { return value(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(v); }
  bool number_float(json::number_float_t v, const json::string_t &) { return value(v); }
  bool string(json::string_t &v) {
    elementStarts();
    if (options_.rejectNul && v.find('\0') != std::string::npos) return fail(Error::NulString, here());
    // JSON text is checked by the parser; CBOR text strings are not, and one that is not
    // UTF-8 would throw later, when a value holding it is written as JSON.
    if (!text_ && !wellFormedUtf8(v)) return notUtf8(here());
    *slot() = std::move(v);
    return true;
  }
  bool binary(json::binary_t &) {
    elementStarts();
    error_.what = "binary data (a CBOR byte string)";
    return fail(Error::Syntax, here());
  }
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t &k) {
    Level &top = levels_.back();
    top.position = {k, false};
    if (options_.rejectNul && k.find('\0') != std::string::npos) {
      error_.inKey = true;
      Path path = here();
      path.pop_back();
      return fail(Error::NulString, std::move(path));
    }
    if (!text_ && !wellFormedUtf8(k)) {
      Path path = here();
      path.pop_back();
      return notUtf8(std::move(path));
    }
    if (options_.rejectDuplicateKeys && top.node->contains(k)) return fail(Error::DuplicateKey, here());
    return true;
  }
  bool parse_error(std::size_t byte, const std::string &, const nlohmann::detail::exception &e) {
    describeSyntaxError(e.what(), byte, bytes_, text_, error_);
    failed_ = true;
    return false;
  }
  bool failed() const { return failed_; }

private:
  struct Level {
    json *node;
    Step position; // the element being read: its key, or its index in an array
    size_t count = 0;
  };

  // At the start of every value: an array's next element gets its index.
  void elementStarts() {
    if (levels_.empty() || !levels_.back().node->is_array()) return;
    Level &top = levels_.back();
    top.position = {std::to_string(top.count++), true};
  }
  // Where the value that just started goes.
  json *slot() {
    if (levels_.empty()) return &root_;
    Level &top = levels_.back();
    if (top.node->is_array()) {
      top.node->push_back(nullptr);
      return &top.node->back();
    }
    return &(*top.node)[top.position.key];
  }
  template <class V> bool value(V &&v) {
    elementStarts();
    *slot() = std::forward<V>(v);
    return true;
  }
  bool open(json container) {
    elementStarts();
    if (levels_.size() >= options_.maxDepth) {
      error_.what = "nested deeper than " + std::to_string(options_.maxDepth) + " levels";
      Path path = here(); // where the nesting starts, not hundreds of steps of it
      if (path.size() > 4) {
        path.resize(3);
        path.push_back({"...", false});
      }
      return fail(Error::TooDeep, std::move(path));
    }
    json *node = slot();
    *node = std::move(container);
    levels_.push_back({node, {}, 0});
    return true;
  }
  bool close() {
    levels_.pop_back();
    return true;
  }
  Path here() const {
    Path path;
    for (const auto &l : levels_) path.push_back(l.position);
    return path;
  }
  bool notUtf8(Path path) {
    error_.what = "a text string that is not UTF-8";
    return fail(Error::Syntax, std::move(path));
  }
  bool fail(Error::Kind kind, Path path) {
    error_.kind = kind;
    error_.path = std::move(path);
    failed_ = true;
    return false;
  }

  json &root_;
  const Options &options_;
  Error &error_;
  std::string_view bytes_;
  bool text_;
  std::vector<Level> levels_;
  bool failed_ = false;
};

bool run(std::string_view bytes, json &out, Error &error, const Options &options, bool text) {
  error = Error{};
  if (text && options.rejectNul) {
    if (size_t nul = bytes.find('\0'); nul != std::string::npos) {
      error.kind = Error::NulByte;
      error.line = 1 + static_cast<unsigned>(std::count(bytes.begin(), bytes.begin() + static_cast<long>(nul), '\n'));
      return false;
    }
  }
  json root;
  CheckedBuilder builder(root, options, error, bytes, text);
  const char *begin = bytes.data(), *end = bytes.data() + bytes.size();
  bool ok = json::sax_parse(begin, end, &builder, text ? json::input_format_t::json : json::input_format_t::cbor);
  if (!ok || builder.failed()) {
    if (!builder.failed()) describeSyntaxError("not a complete value", bytes.size(), bytes, text, error);
    return false;
  }
  out = std::move(root);
  return true;
}

} // namespace

std::string dotted(const Path &path) {
  std::string out;
  for (const auto &s : path)
    out += s.isIndex ? "[" + s.key + "]" : (out.empty() || s.key == "..." ? "" : ".") + s.key;
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

std::string describe(const Error &e) {
  std::string where = e.path.empty() ? std::string("(top level)") : dotted(e.path);
  switch (e.kind) {
  case Error::NulByte: return "line " + std::to_string(e.line) + ": NUL byte in the text";
  case Error::Syntax:
    if (e.line == 0) return "invalid data: " + e.what;
    return "line " + std::to_string(e.line) + (e.column ? ", column " + std::to_string(e.column) : "") +
           ": invalid JSON: " + e.what;
  case Error::DuplicateKey: return where + ": duplicate key";
  case Error::NulString: return where + (e.inKey ? " (a key)" : "") + ": NUL character (\\u0000) in a string";
  case Error::TooDeep: return where + ": " + e.what;
  }
  return e.what;
}

bool parse(std::string_view bytes, json &out, Error &error, const Options &options) {
  return run(bytes, out, error, options, true);
}

bool parseCbor(std::string_view bytes, json &out, Error &error, const Options &options) {
  return run(bytes, out, error, options, false);
}

} // namespace lockcheck::strict_json
