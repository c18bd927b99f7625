// Where each translation unit's compile command comes from: compile_commands.json when one
// is found (its relative "directory" resolved against its own folder, `@file` response
// files expanded, commands inferred for files it does not list), else defaults; and which
// sources under a PATH the database lists (issue 24: with a database, a directory means
// the database's entries under it).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace clang::tooling {
class CompilationDatabase;
}

namespace lockcheck {

class RevisionFiles;

// Why a file's compile command could not be completed (a response file in a cycle or
// unreadable), by the path it was asked for: that TU's error instead of Clang's.
struct CommandErrors {
  std::mutex mutex;
  std::map<std::string, std::string> byFile;
};

struct CompileSetup {
  std::shared_ptr<clang::tooling::CompilationDatabase> database; // never null after setup
  std::string databasePath;                                      // empty when defaults are used
  // Set for the revision's version of the program (--changed-since): the files Clang reads
  // (driver/revision_files.h). Parsed in this process: workers read the disk.
  std::shared_ptr<const RevisionFiles> revision;
  std::shared_ptr<CommandErrors> commandErrors = std::make_shared<CommandErrors>();
};

// Finds compile_commands.json: in `buildDir` when given (error if absent), else in
// ./build, then upward from `firstPath`. Files it does not list get defaults.
bool setupCompilation(const std::string &buildDir, const std::string &firstPath,
                      const std::vector<std::string> &extraArgs, CompileSetup &out, std::string &error);

// The recorded reason `file`'s command is incomplete; empty when there is none.
std::string commandError(const CompileSetup &setup, const std::string &file);

// The files the database lists, absolute and normalised (empty without a database).
std::set<std::string> listedFiles(const CompileSetup &setup);

// A compile_commands.json text with every relative "directory" made absolute against
// `folder` (the database's own); `text` itself when none is relative or it is no JSON
// array (the loader then names the problem). Exposed for tests.
std::string withAbsoluteDirectories(const std::string &text, const std::string &folder);

} // namespace lockcheck
