#include "driver/compile_database.h"

#include "support/bounded_read.h"

#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/JSONCompilationDatabase.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/JSON.h>
#include <llvm/Support/StringSaver.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace lockcheck {
using namespace clang::tooling;
namespace fs = std::filesystem;

namespace {

// Listed files keep their commands; others get the defaults (docs/spec.md §6: -std=c++20 and
// the path's include directories).
class WithDefaults : public CompilationDatabase {
public:
  WithDefaults(std::unique_ptr<CompilationDatabase> inner, std::vector<std::string> extra)
      : inner_(std::move(inner)), extra_(std::move(extra)) {}

  std::vector<CompileCommand> getCompileCommands(llvm::StringRef file) const override {
    std::vector<CompileCommand> found;
    if (inner_) found = inner_->getCompileCommands(file);
    if (!found.empty()) {
      // Flags go before the input: interpolated commands end in "-- FILE", and anything
      // after "--" would be read as another input file.
      for (auto &c : found) {
        auto &args = c.CommandLine;
        auto at = std::find(args.begin(), args.end(), "--");
        if (at == args.end() && !args.empty() && args.back() == c.Filename) at = args.end() - 1;
        args.insert(at, extra_.begin(), extra_.end());
      }
      return found;
    }
    fs::path path(file.str());
    std::vector<std::string> args{"clang++", "-std=c++20", "-I" + path.parent_path().string()};
    std::error_code ec; // a path that cannot be resolved (a symlink loop) is no include directory
    for (fs::path dir = path.parent_path(); !dir.empty() && dir != dir.parent_path(); dir = dir.parent_path()) {
      if (fs::is_directory(dir / "include", ec)) args.push_back("-I" + (dir / "include").string());
      if (fs::exists(dir / ".git", ec)) break;
    }
    args.insert(args.end(), extra_.begin(), extra_.end());
    args.push_back(file.str());
    // Relative paths in the extra flags (`-- -Iinclude`, Bazel's execroot-relative
    // include paths) mean the invoking directory, as they would to a compiler.
    return {CompileCommand(fs::current_path(ec).string(), file.str(), args, "")};
  }
  std::vector<std::string> getAllFiles() const override { return inner_ ? inner_->getAllFiles() : std::vector<std::string>{}; }

private:
  std::unique_ptr<CompilationDatabase> inner_;
  std::vector<std::string> extra_;
};

// `@file` arguments expanded as the compiler reads them (relative to the command's directory),
// like Clang's expandResponseFiles, except that a file that cannot be expanded (a cycle, an
// unreadable file) is recorded for the TU's error message instead of printed on stderr.
class WithResponseFiles : public CompilationDatabase {
public:
  WithResponseFiles(std::unique_ptr<CompilationDatabase> inner, std::shared_ptr<CommandErrors> errors)
      : inner_(std::move(inner)), errors_(std::move(errors)) {}

  std::vector<CompileCommand> getCompileCommands(llvm::StringRef file) const override {
    return expand(inner_->getCompileCommands(file), file);
  }
  std::vector<std::string> getAllFiles() const override { return inner_->getAllFiles(); }
  std::vector<CompileCommand> getAllCompileCommands() const override {
    return expand(inner_->getAllCompileCommands(), {});
  }

private:
  std::vector<CompileCommand> expand(std::vector<CompileCommand> commands, llvm::StringRef file) const {
    for (CompileCommand &c : commands) {
      auto &args = c.CommandLine;
      if (std::none_of(args.begin(), args.end(), [](const std::string &a) { return !a.empty() && a[0] == '@'; }))
        continue;
      llvm::BumpPtrAllocator alloc;
      llvm::cl::ExpansionContext context(alloc, llvm::cl::TokenizeGNUCommandLine);
      auto fileSystem = llvm::vfs::getRealFileSystem();
      context.setVFS(fileSystem.get()).setCurrentDir(c.Directory);
      llvm::SmallVector<const char *, 32> argv;
      for (const auto &a : args) argv.push_back(a.c_str());
      if (llvm::Error error = context.expandResponseFiles(argv)) {
        std::lock_guard<std::mutex> lock(errors_->mutex);
        errors_->byFile[file.empty() ? c.Filename : file.str()] =
            "the compile command's response file cannot be read: " + llvm::toString(std::move(error));
        continue;
      }
      args = std::vector<std::string>(argv.begin(), argv.end()); // argv points into `alloc` and `args`
    }
    return commands;
  }
  std::unique_ptr<CompilationDatabase> inner_;
  std::shared_ptr<CommandErrors> errors_;
};

// Whether some "directory" value does not start with '/' (a cheap look before a full parse:
// inside a JSON string a quote is escaped, so `"directory"` is always a member name).
bool mayHaveRelativeDirectory(const std::string &text) {
  static const std::string kName = "\"directory\"";
  for (size_t at = text.find(kName); at != std::string::npos; at = text.find(kName, at + kName.size())) {
    size_t p = text.find_first_not_of(" \t\r\n", at + kName.size());
    if (p == std::string::npos || text[p] != ':') continue;
    p = text.find_first_not_of(" \t\r\n", p + 1);
    if (p == std::string::npos || text[p] != '"') return true;
    if (text.compare(p + 1, 1, "/") != 0 && text.compare(p + 1, 2, "\\/") != 0) return true;
  }
  return false;
}

} // namespace

std::string withAbsoluteDirectories(const std::string &text, const std::string &folder) {
  if (!mayHaveRelativeDirectory(text)) return text;
  llvm::Expected<llvm::json::Value> parsed = llvm::json::parse(text);
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return text;
  }
  llvm::json::Array *entries = parsed->getAsArray();
  if (!entries) return text;
  for (llvm::json::Value &entry : *entries) {
    llvm::json::Object *object = entry.getAsObject();
    if (!object) continue;
    std::optional<llvm::StringRef> dir = object->getString("directory");
    if (!dir || fs::path(dir->str()).is_absolute()) continue;
    fs::path absolute = (fs::path(folder) / dir->str()).lexically_normal();
    if (!absolute.has_filename() && absolute.has_relative_path()) absolute = absolute.parent_path(); // "..": no trailing '/'
    (*object)["directory"] = absolute.string();
  }
  std::string out;
  llvm::raw_string_ostream os(out);
  os << *parsed;
  return os.str();
}

bool setupCompilation(const std::string &buildDir, const std::string &firstPath,
                      const std::vector<std::string> &extraArgs, CompileSetup &out, std::string &error) {
  std::unique_ptr<CompilationDatabase> db;
  auto load = [&](const fs::path &dir) -> bool {
    fs::path file = dir / "compile_commands.json";
    std::error_code ec;
    if (!fs::exists(file, ec)) return false;
    if (!fs::is_regular_file(file, ec)) { // a device or a pipe would be read without end
      error = file.string() + ": not a regular file";
      return false;
    }
    std::string text, why;
    if (!readBounded(file.string(), kCompileDatabaseLimit, text, why)) {
      error = file.string() + ": cannot read: " + why;
      return false;
    }
    std::string loadError;
    fs::path folder = fs::absolute(file, ec).parent_path();
    db = JSONCompilationDatabase::loadFromBuffer(withAbsoluteDirectories(text, folder.string()), loadError,
                                                 JSONCommandLineSyntax::AutoDetect);
    if (!db) {
      error = file.string() + ": " + loadError;
      return false;
    }
    out.databasePath = file.string();
    return true;
  };
  if (!buildDir.empty()) {
    if (!load(buildDir)) {
      if (error.empty()) error = buildDir + ": no compile_commands.json there";
      return false;
    }
  } else {
    if (!load("build") && error.empty()) {
      std::error_code ec;
      fs::path start = fs::absolute(firstPath.empty() ? "." : firstPath, ec);
      if (!fs::is_directory(start, ec)) start = start.parent_path();
      for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
        if (load(dir) || load(dir / "build") || !error.empty()) break;
        if (dir == dir.parent_path()) break;
      }
    }
    if (!error.empty()) return false;
  }
  // `@file` arguments as the compiler reads them (relative to the command's directory), then
  // commands for unlisted files (headers, new sources) inferred from the nearest listed one.
  if (db) db = inferMissingCompileCommands(std::make_unique<WithResponseFiles>(std::move(db), out.commandErrors));
  out.database = std::make_shared<WithDefaults>(std::move(db), extraArgs);
  return true;
}

std::string commandError(const CompileSetup &setup, const std::string &file) {
  std::lock_guard<std::mutex> lock(setup.commandErrors->mutex);
  auto it = setup.commandErrors->byFile.find(file);
  return it == setup.commandErrors->byFile.end() ? std::string() : it->second;
}

std::set<std::string> listedFiles(const CompileSetup &setup) {
  std::set<std::string> out;
  if (setup.databasePath.empty()) return out;
  std::error_code ec;
  for (const auto &file : setup.database->getAllFiles()) out.insert(fs::absolute(file, ec).lexically_normal().string());
  return out;
}

} // namespace lockcheck
