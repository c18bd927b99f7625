// liblockcheck-plugin.so, the file `-fplugin=` names. It uses nothing of Clang or LLVM, so it
// loads into any compiler. Its initialiser asks the host which LLVM it is and loads the plugin
// built for that major version (liblockcheck-plugin-clang<N>.so beside it), or stops the
// compile saying why. Loaded into another Clang, the plugin itself would fail in the dynamic
// loader on some unresolved symbol before any code of ours could explain, or load (its
// symbols are bound lazily) and crash on a changed class layout. docs/design.md.
#include "host_version.h"

namespace {

__attribute__((constructor)) void loadPluginForHost() {
  using namespace lockcheck::plugin;
  std::string self = modulePath(reinterpret_cast<const void *>(&loadPluginForHost));
  refuseOtherClang(self);
  std::string dir = self.find('/') == std::string::npos ? "." : self.substr(0, self.rfind('/'));
  std::string plugin = dir + "/liblockcheck-plugin-clang" + builtFor() + ".so";
  // RTLD_NOW: a symbol this Clang lacks fails here, whole, not later in the middle of a compile.
  if (!dlopen(plugin.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    const char *why = dlerror();
    refuse(self, "cannot load " + plugin + " (" + (why ? why : "unknown error") + "); it needs Clang " + builtFor());
  }
}

} // namespace
