// A facts directory written by the Clang plugin (checker/plugin/, docs/user-guide.md): one
// file per translation unit, at a path that names its source, so that `lockcheck link DIR`
// can tell facts whose source is gone from the ones of the current build.
//
//   DIR/.lockcheck-plugin-facts                           marks the layout
//   DIR/<absolute source path>.<hash of the object path>.lcfacts
//
// One object is one compile of a source, so two translation units never share a file (the
// same source built into two libraries has two objects), and a rebuild of the object writes
// the same path again.
#pragma once

#include <string>

namespace lockcheck {

inline constexpr const char *kPluginFactsMarker = ".lockcheck-plugin-facts";

// Where the facts of `source` compiled into `object` go (both absolute; `object` empty when
// the compile writes none, as with -fsyntax-only).
std::string pluginFactsPath(const std::string &dir, const std::string &source, const std::string &object);

// Whether `dir` holds the marker, i.e. was written by the plugin.
bool isPluginFactsDir(const std::string &dir);
// Creates `dir` and its marker when missing. False with `error` if it cannot.
bool preparePluginFactsDir(const std::string &dir, std::string &error);

// The source a facts file below a plugin facts directory `dir` was made from; empty if
// `factsPath` is not named as pluginFactsPath() names files.
std::string pluginFactsSource(const std::string &dir, const std::string &factsPath);

// Writes `bytes` to a temporary file beside `path` and renames it over `path`, so a reader
// sees the old file or the new one, never part of one. False with `error` on failure.
bool writeFileAtomically(const std::string &path, const std::string &bytes, std::string &error);

} // namespace lockcheck
