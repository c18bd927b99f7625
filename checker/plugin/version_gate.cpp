// liblockcheck-plugin.so, the file `-fplugin=` names. It uses nothing of Clang or LLVM, so it
// loads into any compiler. Its initialiser asks the host which LLVM it is and loads the plugin
// built for that major version (liblockcheck-plugin-clang<N>.so beside it), or stops the
// compile saying why. Loaded directly into another Clang, the plugin itself would fail in the
// dynamic loader on some unresolved symbol, before any code of ours could explain, or worse,
// load and then break on a changed class layout. docs/user-guide.md, "Facts from the build".
#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <unistd.h>

#ifndef LOCKCHECK_PLUGIN_CLANG_MAJOR
#error "LOCKCHECK_PLUGIN_CLANG_MAJOR: the Clang major version the plugin is built for"
#endif

namespace {

// Not a global std::string: the loader runs the initialiser below in no set order with them.
std::string builtFor() { return std::to_string(LOCKCHECK_PLUGIN_CLANG_MAJOR); }

std::string thisLibrary() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&thisLibrary), &info) && info.dli_fname) return info.dli_fname;
  return "liblockcheck-plugin.so";
}

// The host's LLVM major version, 0 if it does not say; `described` for messages.
unsigned hostMajor(std::string &described) {
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
    described = full();
    size_t at = described.find("version ");
    if (at != std::string::npos) return static_cast<unsigned>(std::strtoul(described.c_str() + at + 8, nullptr, 10));
  }
  return 0;
}

[[noreturn]] void refuse(const std::string &why) {
  std::string text = "error: " + thisLibrary() + ": " + why +
                     "; compile with clang++-" + builtFor() +
                     ", or run lockcheck without the plugin (lockcheck -p BUILD_DIR)\n";
  (void)!::write(STDERR_FILENO, text.data(), text.size());
  // Inside the dynamic loader, with the compiler half set up: leave without running its exit code.
  ::_exit(1);
}

__attribute__((constructor)) void loadPluginForHost() {
  std::string described;
  unsigned major = hostMajor(described);
  if (major != 0 && major != LOCKCHECK_PLUGIN_CLANG_MAJOR)
    refuse("lockcheck's plugin is built for Clang " + builtFor() + " and cannot run in " + described);
  std::string self = thisLibrary();
  std::string dir = self.find('/') == std::string::npos ? "." : self.substr(0, self.rfind('/'));
  std::string plugin = dir + "/liblockcheck-plugin-clang" + builtFor() + ".so";
  if (!dlopen(plugin.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    const char *why = dlerror();
    refuse("cannot load " + plugin + " (" + (why ? why : "unknown error") + ")" +
           (major == 0 ? "; this compiler does not say which LLVM it is, the plugin needs Clang " + builtFor() : ""));
  }
}

} // namespace
