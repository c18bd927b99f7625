// Which Clang the process loading us is, asked without using Clang: a plugin built against
// another version must not run a line of Clang code before it knows (docs/design.md,
// "The Clang plugin"). Used by both modules: the gate before it loads the plugin, the plugin
// before it registers itself (in case it is loaded directly).
#pragma once

#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <unistd.h>

#ifndef LOCKCHECK_PLUGIN_CLANG_MAJOR
#error "LOCKCHECK_PLUGIN_CLANG_MAJOR: the Clang major version the plugin is built for"
#endif

namespace lockcheck::plugin {

inline std::string builtFor() { return std::to_string(LOCKCHECK_PLUGIN_CLANG_MAJOR); }

// The path of the module that holds `address` (for messages, and to find files beside it).
inline std::string modulePath(const void *address) {
  Dl_info info;
  if (dladdr(address, &info) && info.dli_fname) return info.dli_fname;
  return "liblockcheck-plugin.so";
}

// The host's LLVM major version, 0 if it does not say; `described` for messages.
inline unsigned hostMajor(std::string &described) {
  using GetVersion = void (*)(unsigned *, unsigned *, unsigned *);
  if (auto get = reinterpret_cast<GetVersion>(dlsym(RTLD_DEFAULT, "LLVMGetVersion"))) { // LLVM 16 and later
    unsigned major = 0, minor = 0, patch = 0;
    get(&major, &minor, &patch);
    described = "Clang " + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    return major;
  }
  // Older ones: clang::getClangFullVersion(), "Debian clang version 14.0.6". Only a libstdc++
  // build of Clang has this name, so the std::string it returns is ours too.
  using FullVersion = std::string (*)();
  if (auto full = reinterpret_cast<FullVersion>(dlsym(RTLD_DEFAULT, "_ZN5clang19getClangFullVersionB5cxx11Ev"))) {
    std::string text = full();
    size_t at = text.find("version ");
    if (at == std::string::npos) return 0;
    unsigned major = static_cast<unsigned>(std::strtoul(text.c_str() + at + 8, nullptr, 10));
    described = "Clang " + std::to_string(major) + " (" + text + ")";
    return major;
  }
  return 0;
}

// Ends the compile with one line saying why. Inside the dynamic loader, with the compiler
// half set up: leave without running its exit code.
[[noreturn]] inline void refuse(const std::string &module, const std::string &why) {
  std::string text = "error: " + module + ": " + why + "; compile with clang++-" + builtFor() +
                     ", or run lockcheck without the plugin (lockcheck -p BUILD_DIR)\n";
  (void)!::write(STDERR_FILENO, text.data(), text.size());
  ::_exit(1);
}

// Refuses a host of another major version; a host that does not say passes.
inline void refuseOtherClang(const std::string &module) {
  std::string described;
  unsigned major = hostMajor(described);
  if (major != 0 && major != LOCKCHECK_PLUGIN_CLANG_MAJOR)
    refuse(module, "lockcheck's plugin is built for Clang " + builtFor() + " and cannot run in " + described);
}

} // namespace lockcheck::plugin
