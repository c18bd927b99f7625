// Findings as LSP diagnostics: range, severity, rule code with a link to its page, and the
// trace (lock site, each call step) as related information.
#pragma once

#include "findings/finding.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace lockcheck::lsp {

struct DiagnosticStyle {
  // Rule pages are <docsBaseUrl>/<rule-id>.md. Empty: the installed pages (file://).
  std::string docsBaseUrl;
  // The text of a line (1-based) of an absolute path, if known (open buffers): used to turn
  // byte columns into UTF-16 positions and to underline the whole name at the anchor.
  std::function<bool(const std::string &path, unsigned line, std::string &text)> lineText;
};

// The default docsBaseUrl: a file:// URL of the directory holding the rule pages.
std::string defaultDocsBaseUrl();
// A finding's path (relative to the working directory, or absolute) made absolute.
std::string absolutePath(const std::string &findingPath);
nlohmann::json toDiagnostic(const Finding &f, const DiagnosticStyle &style);
// UTF-16 code units in the first `bytes` bytes of `line` (LSP's default position encoding).
unsigned utf16Units(const std::string &line, size_t bytes);

} // namespace lockcheck::lsp
