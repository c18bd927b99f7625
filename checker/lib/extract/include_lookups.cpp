#include "extract/include_lookups.h"

#include <clang/Basic/FileManager.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/HeaderSearch.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>

#include <set>

namespace lockcheck {
using namespace clang;

namespace {

class IncludeLookupRecorder : public PPCallbacks {
public:
  IncludeLookupRecorder(Preprocessor &pp, std::vector<std::string> &absent) : pp_(pp), absent_(absent) {}

  void InclusionDirective(SourceLocation hashLoc, const Token &, StringRef fileName, bool isAngled,
                          CharSourceRange, OptionalFileEntryRef file, StringRef searchPath, StringRef,
                          const Module *, bool, SrcMgr::CharacteristicKind) override {
    if (file) probe(hashLoc, fileName, isAngled, searchPath);
  }

  void HasInclude(SourceLocation loc, StringRef fileName, bool isAngled, OptionalFileEntryRef file,
                  SrcMgr::CharacteristicKind) override {
    // Found: the hit is the first candidate that exists. Not found: every candidate counts.
    probe(loc, fileName, isAngled, {}, file.has_value());
  }

private:
  // Walks the lookup order (the includer's directory for "quoted" names, then the search
  // path) up to `hitDir`, or, with `stopAtExisting`, up to the first candidate that exists.
  void probe(SourceLocation loc, StringRef fileName, bool isAngled, StringRef hitDir, bool stopAtExisting = false) {
    if (fileName.empty() || llvm::sys::path::is_absolute(fileName)) return;
    if (!seen_.insert({isAngled ? std::string() : includerDir(loc), fileName.str(), hitDir.str()}).second) return;
    auto consider = [&](StringRef dir) { // false: stop here
      if (!hitDir.empty() && dir == hitDir) return false;
      llvm::SmallString<256> candidate(dir);
      llvm::sys::path::append(candidate, fileName);
      pp_.getFileManager().getVirtualFileSystem().makeAbsolute(candidate);
      llvm::sys::path::remove_dots(candidate, true);
      if (llvm::sys::fs::exists(candidate)) return !stopAtExisting; // an #include_next skips it
      if (recorded_.insert(std::string(candidate.str())).second) absent_.push_back(std::string(candidate.str()));
      return true;
    };
    if (!isAngled && !consider(includerDir(loc))) return;
    HeaderSearch &hs = pp_.getHeaderSearchInfo();
    for (auto it = isAngled ? hs.angled_dir_begin() : hs.search_dir_begin(); it != hs.search_dir_end(); ++it)
      if (it->isNormalDir() && !consider(it->getDirRef()->getName())) return;
  }

  std::string includerDir(SourceLocation loc) const {
    const SourceManager &sm = pp_.getSourceManager();
    if (auto entry = sm.getFileEntryRefForID(sm.getFileID(sm.getExpansionLoc(loc)))) return entry->getDir().getName().str();
    return {};
  }

  Preprocessor &pp_;
  std::vector<std::string> &absent_;
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
  std::set<std::string> recorded_;
};

} // namespace

std::unique_ptr<PPCallbacks> makeIncludeLookupRecorder(Preprocessor &pp, std::vector<std::string> &absent) {
  return std::make_unique<IncludeLookupRecorder>(pp, absent);
}

} // namespace lockcheck
