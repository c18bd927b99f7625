// What a new file could change about a translation unit: for every #include and
// __has_include, the candidate paths the preprocessor probed before the one it used
// (or all of them, when nothing was found). A file created at one of those paths
// would shadow the header that was read, so the cache records them as "must not exist".
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace clang {
class PPCallbacks;
class Preprocessor;
} // namespace clang

namespace lockcheck {

// Appends absolute paths that did not exist when probed to `absent` (each once).
std::unique_ptr<clang::PPCallbacks> makeIncludeLookupRecorder(clang::Preprocessor &pp, std::vector<std::string> &absent);

} // namespace lockcheck
