#include "config/baseline.h"

#include "report/output_file.h"
#include "support/bounded_read.h"
#include "support/strict_json.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <fstream>
#include <map>
#include <tuple>

namespace lockcheck {
namespace {
using nlohmann::ordered_json;

constexpr int kBaselineVersion = 1;
constexpr char kSeparator = '\x1f';

// "x.cpp:42:7" → "x.cpp:#:#", "line 42" → "line #": line numbers in messages or in lambda
// names ("(lambda at x.cpp:12:3)") would otherwise tie the key to one position.
std::string stripLineNumbers(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool afterColon = !out.empty() && out.back() == ':';
    bool afterLine = out.size() >= 5 && (out.compare(out.size() - 5, 5, "line ") == 0);
    bool afterLines = out.size() >= 6 && (out.compare(out.size() - 6, 6, "lines ") == 0);
    if (std::isdigit(static_cast<unsigned char>(text[i])) && (afterColon || afterLine || afterLines)) {
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      out += '#';
      continue;
    }
    out += text[i++];
  }
  return out;
}

struct Entry {
  std::string file, function, rule, lock, message;
  auto tie() const { return std::tie(file, function, rule, lock, message); }
  bool operator<(const Entry &o) const { return tie() < o.tie(); }
};

Entry entryOf(const Finding &f) {
  return {f.anchor.file, stripLineNumbers(f.function), f.rule, f.lock, stripLineNumbers(f.message)};
}

std::string keyOf(const Entry &e) {
  return e.file + kSeparator + e.function + kSeparator + e.rule + kSeparator + e.lock + kSeparator + e.message;
}

bool readEntries(const std::string &path, std::map<std::string, unsigned> &counts, std::string &error) {
  std::string text, why;
  if (!readBounded(path, kReportFileLimit, text, why)) {
    error = path + ": cannot read baseline: " + why + " (create it with --write-baseline)";
    return false;
  }
  nlohmann::json root;
  if (strict_json::Error e; !strict_json::parse(text, root, e, {true, false, strict_json::kMaxDepth})) {
    error = path + ": not a lockcheck baseline (" + strict_json::describe(e) + ")";
    return false;
  }
  if (!root.is_object()) {
    error = path + ": not a lockcheck baseline (invalid JSON)";
    return false;
  }
  auto version = root.find("lockcheck_baseline");
  if (version == root.end() || !version->is_number_integer()) {
    error = path + ": lockcheck_baseline: missing; not a lockcheck baseline";
    return false;
  }
  if (version->get<int>() != kBaselineVersion) {
    error = path + ": lockcheck_baseline: version " + version->dump() + " is not supported (this lockcheck reads " +
            std::to_string(kBaselineVersion) + "); rewrite it with --write-baseline";
    return false;
  }
  auto entries = root.find("findings");
  if (entries == root.end() || !entries->is_array()) {
    error = path + ": findings: expected an array";
    return false;
  }
  for (size_t i = 0; i < entries->size(); ++i) {
    const auto &item = (*entries)[i];
    std::string where = path + ": findings[" + std::to_string(i) + "]";
    if (!item.is_object()) {
      error = where + ": expected an object";
      return false;
    }
    Entry e;
    for (auto [name, field] : {std::pair{"file", &e.file}, {"function", &e.function}, {"rule", &e.rule},
                               {"lock", &e.lock}, {"message", &e.message}}) {
      auto it = item.find(name);
      if (it == item.end() || !it->is_string()) {
        error = where + "." + name + ": expected a string";
        return false;
      }
      *field = it->get<std::string>();
    }
    unsigned count = 1;
    if (auto it = item.find("count"); it != item.end()) {
      if (!it->is_number_unsigned() || it->get<unsigned>() == 0) {
        error = where + ".count: expected a positive integer";
        return false;
      }
      count = it->get<unsigned>();
    }
    counts[keyOf(e)] += count;
  }
  return true;
}

} // namespace

std::string baselineKey(const Finding &finding) { return keyOf(entryOf(finding)); }

bool writeBaseline(const std::string &path, const std::vector<Finding> &findings, std::string &error) {
  std::map<Entry, unsigned> counts;
  for (const auto &f : findings) ++counts[entryOf(f)];
  ordered_json list = ordered_json::array();
  for (const auto &[e, count] : counts)
    list.push_back({{"file", e.file},
                    {"function", e.function},
                    {"rule", e.rule},
                    {"lock", e.lock},
                    {"message", e.message},
                    {"count", count}});
  ordered_json root = {{"lockcheck_baseline", kBaselineVersion}, {"findings", std::move(list)}};
  return writeFile(path, root.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n", error);
}

namespace {
void removeCounted(std::vector<Finding> &findings, std::map<std::string, unsigned> &counts) {
  std::erase_if(findings, [&](const Finding &f) {
    auto it = counts.find(baselineKey(f));
    if (it == counts.end() || it->second == 0) return false;
    --it->second;
    return true;
  });
}
} // namespace

bool applyBaseline(const std::string &path, std::vector<Finding> &findings, std::string &error) {
  std::map<std::string, unsigned> counts;
  if (!readEntries(path, counts, error)) return false;
  removeCounted(findings, counts);
  return true;
}

void removeKnown(std::vector<Finding> &findings, const std::vector<Finding> &known) {
  std::map<std::string, unsigned> counts;
  for (const auto &f : known) ++counts[baselineKey(f)];
  removeCounted(findings, counts);
}

} // namespace lockcheck
