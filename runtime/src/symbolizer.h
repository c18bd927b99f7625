// Turns return addresses into source frames (function, file:line, inlined callers included) by
// running llvm-symbolizer (or addr2line) on each module once, at report time, with the runtime's hooks off.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace lockcheck_rt {

struct SourceFrame {
  std::string function; // demangled, parameters removed; may be empty
  std::string file;     // empty when the module has no debug info
  unsigned line = 0;
  std::string module;
};

// For each address: its frames, innermost inlined first. Addresses inside the runtime itself are
// mapped to an empty list.
std::map<void *, std::vector<SourceFrame>> symbolize(const std::vector<void *> &addresses);

// Installed system code (/lib..., /usr/lib...), as opposed to the program and its own libraries.
bool isSystemModule(const std::string &module);

// Whether the code that called the lock function lies in a system library: libpq's, OpenSSL's
// or libstdc++'s own locks, not the program's.
bool calledFromSystemLibrary(const void *caller);

// A global's name when `object` lies inside one (e.g. "g_store+8"), else "".
std::string globalName(const void *object);

} // namespace lockcheck_rt
