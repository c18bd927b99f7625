#include "config/suppressions.h"

#include <fstream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>
#include <map>
#include <set>
#include <tuple>

namespace lockcheck {
namespace {

constexpr std::string_view kMarker = "lockcheck:";
constexpr std::string_view kIgnore = "ignore[";

std::string trim(std::string_view s, std::string_view chars = " \t\r") {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(chars);
  return std::string(s.substr(b, e - b + 1));
}

// Lines of a file, 1-based (index 0 unused). Empty if the file cannot be read.
using Lines = std::vector<std::string>;

const Lines &linesOf(const std::string &file, std::map<std::string, Lines> &cache, const SourceReader &read) {
  auto [it, inserted] = cache.try_emplace(file);
  if (!inserted) return it->second;
  std::string text;
  if (read) {
    if (!read(file, text)) return it->second;
  } else {
    // A source is a regular file; a finding (from a facts file) may name anything, /dev/zero too.
    struct stat st;
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return it->second;
    std::ifstream in(file, std::ios::binary);
    if (!in) return it->second;
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::istringstream lines(text);
  it->second.emplace_back();
  for (std::string line; std::getline(lines, line);) it->second.push_back(std::move(line));
  return it->second;
}

bool covers(const Suppression &s, const std::string &rule) {
  for (const auto &r : s.rules)
    if (r == "*" || r == rule) return true;
  return false;
}

} // namespace

bool parseSuppression(const std::string &line, Suppression &out) {
  // Only in a comment: "//" or "/*", then optional blanks, then the marker. A string literal
  // that happens to contain the words does not count unless it also contains the comment opener.
  for (size_t pos = line.find('/'); pos != std::string::npos; pos = line.find('/', pos + 1)) {
    if (pos + 1 >= line.size() || (line[pos + 1] != '/' && line[pos + 1] != '*')) continue;
    size_t p = line.find_first_not_of("/* \t", pos);
    if (p == std::string::npos || line.compare(p, kMarker.size(), kMarker) != 0) continue;
    p = line.find_first_not_of(" \t", p + kMarker.size());
    if (p == std::string::npos || line.compare(p, kIgnore.size(), kIgnore) != 0) continue;
    size_t open = p + kIgnore.size();
    size_t close = line.find(']', open);
    if (close == std::string::npos) continue;
    Suppression s;
    std::string_view ids(line.data() + open, close - open);
    for (size_t start = 0; start <= ids.size();) {
      size_t comma = ids.find(',', start);
      if (comma == std::string_view::npos) comma = ids.size();
      std::string id = trim(ids.substr(start, comma - start));
      if (!id.empty()) s.rules.push_back(id);
      start = comma + 1;
    }
    if (s.rules.empty()) continue;
    std::string reason = line.substr(close + 1);
    if (size_t end = reason.find("*/"); end != std::string::npos) reason.erase(end);
    // Separators people put before a reason ("-- reason", ": reason") are not the reason.
    s.reason = trim(reason, " \t\r-:;,.");
    s.column = static_cast<unsigned>(pos + 1);
    s.wholeLine = line.find_first_not_of(" \t") == pos;
    out = std::move(s);
    return true;
  }
  return false;
}

void applySuppressions(std::vector<Finding> &findings, const SourceReader &read) {
  std::map<std::string, Lines> cache;
  std::vector<Finding> kept;
  std::vector<Finding> notes;
  std::set<std::tuple<std::string, unsigned, std::string>> noted; // file, line, rule
  for (auto &f : findings) {
    const Lines &lines = linesOf(f.anchor.file, cache, read);
    unsigned line = f.anchor.line;
    Suppression s;
    unsigned at = 0;
    if (line > 0 && line < lines.size() && parseSuppression(lines[line], s) && covers(s, f.rule)) {
      at = line;
    } else if (line > 1 && line < lines.size() && parseSuppression(lines[line - 1], s) && s.wholeLine &&
               covers(s, f.rule)) {
      // Only a comment on its own line reaches down: a trailing comment on the statement above
      // is about that statement.
      at = line - 1;
    }
    if (at == 0) {
      kept.push_back(std::move(f));
      continue;
    }
    if (s.reason.empty() && noted.emplace(f.anchor.file, at, f.rule).second) {
      Finding note;
      note.rule = f.rule;
      note.severity = Severity::Note;
      note.anchor = {f.anchor.file, at, s.column};
      note.message = "suppression of " + f.rule + " has no reason; say why it is safe";
      note.lock = f.lock;
      note.function = f.function;
      notes.push_back(std::move(note));
    }
  }
  kept.insert(kept.end(), std::make_move_iterator(notes.begin()), std::make_move_iterator(notes.end()));
  findings = std::move(kept);
}

} // namespace lockcheck
