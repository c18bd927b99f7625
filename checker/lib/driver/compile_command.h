// What Clang is run with for one file: the compilation database's command, adjusted for
// lockcheck (no output or dependency files, flags clang does not know dropped, syntax only,
// its own resource directory), and the part of the facts cache key that names it.
#pragma once

#include <clang/Tooling/ArgumentsAdjusters.h>

#include <string>

namespace clang::tooling {
class CompilationDatabase;
}

namespace lockcheck {

// The adjustments ClangTool makes to each command before parsing (tu_runner.cpp).
clang::tooling::ArgumentsAdjuster parseArgumentsAdjuster();

// How `file` is compiled, as a cache key: each command's directory and arguments, and the
// frontend (-cc1) command line Clang's driver derives from the adjusted arguments. The
// driver is where the environment (CPATH, C_INCLUDE_PATH, CPLUS_INCLUDE_PATH,
// OBJC_INCLUDE_PATH, OBJCPLUS_INCLUDE_PATH, SDKROOT on Apple targets, SOURCE_DATE_EPOCH),
// configuration files and the detected GCC installation (a newer one brings its own C++
// headers) turn into include paths and flags, so a change in any of them is a new key.
std::string compileKey(const clang::tooling::CompilationDatabase &database, const std::string &file);

} // namespace lockcheck
