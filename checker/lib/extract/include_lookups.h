// What a new (or removed) file could change about a translation unit: for every #include,
// __has_include, #embed and __has_embed, the candidate paths the preprocessor probed before
// the one it used (or all of them, when nothing was found), including those under search
// directories that did not exist (Clang drops them from its search list, so they are read
// from the header search options). A file created at one of those paths would shadow what
// was read, so the cache records them as "must not exist"; a file found by __has_include
// or __has_embed without being read is recorded as found, so that its removal is seen too.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace clang {
class PPCallbacks;
class Preprocessor;
} // namespace clang

namespace lockcheck {

// Appends absolute paths that did not exist when probed to `absent` (each once), and the
// absolute paths __has_include / __has_embed found to `found`.
std::unique_ptr<clang::PPCallbacks> makeIncludeLookupRecorder(clang::Preprocessor &pp, std::vector<std::string> &absent,
                                                              std::vector<std::string> &found);

} // namespace lockcheck
