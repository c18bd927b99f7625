#include "lsp/diagnostics.h"

#include "report/file_uri.h"
#include "findings/catalog.h"

#include <cctype>
#include <filesystem>

namespace lockcheck::lsp {
namespace fs = std::filesystem;
using nlohmann::json;

std::string defaultDocsBaseUrl() {
  std::string page = ruleDocPath(allRules().front().id);
  return page.empty() ? std::string() : fileUri(fs::path(page).parent_path().string());
}

std::string absolutePath(const std::string &findingPath) {
  std::error_code ec;
  fs::path p(findingPath);
  if (p.is_relative()) p = fs::absolute(p, ec);
  return p.lexically_normal().string();
}

unsigned utf16Units(const std::string &line, size_t bytes) {
  unsigned units = 0;
  for (size_t i = 0; i < bytes && i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += (c >= 0xF0) ? 2 : 1;      // 4-byte sequences are surrogate pairs in UTF-16
  }
  if (bytes > line.size()) units += static_cast<unsigned>(bytes - line.size());
  return units;
}

namespace {

json position(unsigned line0, unsigned character) { return {{"line", line0}, {"character", character}}; }

// The range of a point: the identifier (or qualified name) starting there when the line is
// known, else one character. Columns are 1-based bytes; 0 means the whole line's start.
json rangeOf(const SourcePoint &p, const DiagnosticStyle &style) {
  unsigned line0 = p.line ? p.line - 1 : 0;
  size_t byte = p.column ? p.column - 1 : 0;
  std::string text;
  if (style.lineText && style.lineText(absolutePath(p.file), p.line, text) && byte <= text.size()) {
    size_t end = byte;
    auto word = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == ':' || c >= 0x80; };
    while (end < text.size() && word(static_cast<unsigned char>(text[end]))) ++end;
    if (end == byte && end < text.size()) ++end;
    return {{"start", position(line0, utf16Units(text, byte))}, {"end", position(line0, utf16Units(text, end))}};
  }
  return {{"start", position(line0, static_cast<unsigned>(byte))}, {"end", position(line0, static_cast<unsigned>(byte + 1))}};
}

int lspSeverity(Severity s) {
  switch (s) {
  case Severity::Error: return 1;
  case Severity::Warning: return 2;
  case Severity::Note: return 3; // Information: Hint is rendered too faintly for a finding
  }
  return 1;
}

} // namespace

json toDiagnostic(const Finding &f, const DiagnosticStyle &style) {
  json d = {{"range", rangeOf(f.anchor, style)},
            {"severity", lspSeverity(f.severity)},
            {"code", f.rule},
            {"source", "lockcheck"},
            {"message", f.fix.empty() ? f.message : f.message + "\nto fix: " + f.fix}};
  std::string base = style.docsBaseUrl.empty() ? defaultDocsBaseUrl() : style.docsBaseUrl;
  if (!base.empty()) {
    if (base.back() != '/') base += '/';
    d["codeDescription"] = {{"href", base + f.rule + ".md"}};
  }
  json related = json::array();
  for (const auto &step : f.trace) {
    if (!step.where.valid()) continue;
    related.push_back({{"location", {{"uri", fileUri(absolutePath(step.where.file))}, {"range", rangeOf(step.where, style)}}},
                       {"message", step.note}});
  }
  if (!related.empty()) d["relatedInformation"] = std::move(related);
  return d;
}

} // namespace lockcheck::lsp
