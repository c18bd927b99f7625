#include "extract/include_lookups.h"

#include <clang/Basic/FileManager.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/HeaderSearch.h>
#include <clang/Lex/HeaderSearchOptions.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Lex/PreprocessorOptions.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <set>

namespace lockcheck {
using namespace clang;

namespace {

// One directory of the include search path as the header search options list it, existing
// or not, in the order Clang searches them (InitHeaderSearch::Realize).
struct SearchDir {
  std::string path;
  bool quotedOnly = false; // -iquote: searched for "name" only
};

class IncludeLookupRecorder : public PPCallbacks {
public:
  IncludeLookupRecorder(Preprocessor &pp, std::vector<std::string> &absent, std::vector<std::string> &found)
      : pp_(pp), absent_(absent), found_(found) {}

  void InclusionDirective(SourceLocation hashLoc, const Token &, StringRef fileName, bool isAngled,
                          CharSourceRange, OptionalFileEntryRef file, StringRef searchPath, StringRef,
                          const Module *, bool, SrcMgr::CharacteristicKind) override {
    if (file) probe(hashLoc, fileName, isAngled, searchPath);
  }

  void HasInclude(SourceLocation loc, StringRef fileName, bool isAngled, OptionalFileEntryRef file,
                  SrcMgr::CharacteristicKind) override {
    // Found: the hit is the first candidate that exists. Not found: every candidate counts.
    probe(loc, fileName, isAngled, {}, file.has_value());
    if (file) noteFound(file->getName());
  }

  void EmbedDirective(SourceLocation hashLoc, StringRef fileName, bool isAngled, OptionalFileEntryRef file,
                      const LexEmbedParametersResult &) override {
    probeEmbed(hashLoc, fileName, isAngled);
    (void)file; // read: an input of the TU already
  }

  void HasEmbed(SourceLocation loc, StringRef fileName, bool isAngled, OptionalFileEntryRef file) override {
    probeEmbed(loc, fileName, isAngled);
    if (file) noteFound(file->getName()); // its emptiness is part of the answer: hashed as an input
  }

private:
  enum class Probe { File, Directory, Missing };

  // A candidate the lookup would take (a file), step over (a directory) or record as absent.
  Probe check(StringRef path) {
    llvm::SmallString<256> candidate(path);
    pp_.getFileManager().getVirtualFileSystem().makeAbsolute(candidate);
    llvm::sys::path::remove_dots(candidate, false); // keeps "..": see noteFound
    llvm::sys::fs::file_status status;
    if (!llvm::sys::fs::status(candidate, status)) return llvm::sys::fs::is_directory(status) ? Probe::Directory : Probe::File;
    if (recorded_.insert(std::string(candidate.str())).second) absent_.push_back(std::string(candidate.str()));
    return Probe::Missing;
  }

  // Walks the lookup order (the includer's directory for "quoted" names, then the search
  // path) up to `hitDir`, or, with `stopAtExisting`, up to the first candidate that exists.
  void probe(SourceLocation loc, StringRef fileName, bool isAngled, StringRef hitDir, bool stopAtExisting = false) {
    if (fileName.empty() || llvm::sys::path::is_absolute(fileName)) return;
    if (!seen_.insert({isAngled ? std::string() : includerDir(loc), fileName.str(), hitDir.str()}).second) return;
    auto consider = [&](StringRef dir) { // false: stop here
      if (!hitDir.empty() && dir == hitDir) return false;
      llvm::SmallString<256> candidate(dir);
      llvm::sys::path::append(candidate, fileName);
      return !(check(candidate) == Probe::File && stopAtExisting); // an #include_next skips a file
    };
    if (!isAngled && !consider(includerDir(loc))) return;
    for (const SearchDir &dir : searchDirs())
      if ((!isAngled || !dir.quotedOnly) && !consider(dir.path)) return;
  }

  // #embed and __has_embed (Preprocessor::LookupEmbedFile): an absolute name; or for a
  // "quoted" one the directory of the file that names it, then the working directory; then
  // each --embed-dir. Up to the first file.
  void probeEmbed(SourceLocation loc, StringRef fileName, bool isAngled) {
    if (fileName.empty()) return;
    if (!seen_.insert({"#embed", isAngled ? std::string() : includerDir(loc), fileName.str()}).second) return;
    auto consider = [&](StringRef dir) {
      llvm::SmallString<256> candidate(dir);
      llvm::sys::path::append(candidate, fileName);
      return check(candidate) != Probe::File;
    };
    if (llvm::sys::path::is_absolute(fileName)) {
      check(fileName);
      return;
    }
    if (!isAngled && (!consider(includerRealDir(loc)) || !consider("."))) return;
    for (const auto &dir : pp_.getPreprocessorOpts().EmbedEntries)
      if (!consider(dir)) return;
  }

  void noteFound(StringRef name) {
    llvm::SmallString<256> path(name);
    pp_.getFileManager().getVirtualFileSystem().makeAbsolute(path);
    llvm::sys::path::remove_dots(path, false); // not "..": a lexical "dir/.." is wrong through a symlink (/lib -> usr/lib)
    if (foundSet_.insert(std::string(path.str())).second) found_.push_back(std::string(path.str()));
  }

  // Every -I, -isystem, -iquote, -idirafter ... entry, with the sysroot applied as Clang
  // applies it. Clang keeps only those that exist; a missing one created later with a
  // header in it would shadow, so it is walked here too.
  const std::vector<SearchDir> &searchDirs() {
    if (searchDirsKnown_) return searchDirs_;
    searchDirsKnown_ = true;
    const HeaderSearchOptions &options = pp_.getHeaderSearchInfo().getHeaderSearchOpts();
    const LangOptions &lang = pp_.getLangOpts();
    bool sysroot = !options.Sysroot.empty() && options.Sysroot != "/";
    auto add = [&](auto inGroup, bool quotedOnly) {
      for (const auto &e : options.UserEntries) {
        if (e.IsFramework || !inGroup(e.Group)) continue;
        std::string path = e.Path;
        if (sysroot && !e.IgnoreSysRoot && llvm::sys::path::is_absolute(path)) path = options.Sysroot + path;
        searchDirs_.push_back({std::move(path), quotedOnly});
      }
    };
    using namespace frontend;
    add([](IncludeDirGroup g) { return g == Quoted; }, true);
    add([](IncludeDirGroup g) { return g == Angled || g == IndexHeaderMap; }, false);
    add([&](IncludeDirGroup g) {
      return g == System || g == ExternCSystem || (!lang.ObjC && !lang.CPlusPlus && g == CSystem) ||
             (lang.CPlusPlus && g == CXXSystem) || (lang.ObjC && !lang.CPlusPlus && g == ObjCSystem) ||
             (lang.ObjC && lang.CPlusPlus && g == ObjCXXSystem);
    }, false);
    add([](IncludeDirGroup g) { return g == After; }, false);
    return searchDirs_;
  }

  std::string includerDir(SourceLocation loc) const {
    const SourceManager &sm = pp_.getSourceManager();
    if (auto entry = sm.getFileEntryRefForID(sm.getFileID(sm.getExpansionLoc(loc)))) return entry->getDir().getName().str();
    return {};
  }
  std::string includerRealDir(SourceLocation loc) const {
    const SourceManager &sm = pp_.getSourceManager();
    if (auto entry = sm.getFileEntryRefForID(sm.getFileID(sm.getExpansionLoc(loc)))) {
      StringRef real = entry->getFileEntry().tryGetRealPathName();
      return (real.empty() ? entry->getDir().getName() : llvm::sys::path::parent_path(real)).str();
    }
    return {};
  }

  Preprocessor &pp_;
  std::vector<std::string> &absent_;
  std::vector<std::string> &found_;
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
  std::set<std::string> recorded_, foundSet_;
  std::vector<SearchDir> searchDirs_;
  bool searchDirsKnown_ = false;
};

} // namespace

std::unique_ptr<PPCallbacks> makeIncludeLookupRecorder(Preprocessor &pp, std::vector<std::string> &absent,
                                                       std::vector<std::string> &found) {
  return std::make_unique<IncludeLookupRecorder>(pp, absent, found);
}

} // namespace lockcheck
