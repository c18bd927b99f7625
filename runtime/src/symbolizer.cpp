#include "symbolizer.h"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

extern char **environ;

namespace lockcheck_rt {
namespace {

const void *ownBase() {
  Dl_info info{};
  dladdr(reinterpret_cast<void *>(&ownBase), &info);
  return info.dli_fbase;
}

std::string programPath() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  return n > 0 ? std::string(path, size_t(n)) : std::string();
}

std::string demangled(const char *name) {
  int status = 0;
  char *d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string out = status == 0 && d ? d : name;
  free(d);
  return out;
}

// "ns::f(int) const" -> "ns::f": the static report names functions without parameters.
std::string withoutParameters(std::string name) {
  if (name.size() > 6 && name.compare(name.size() - 6, 6, " const") == 0) name.resize(name.size() - 6);
  if (name.empty() || name.back() != ')') return name;
  int depth = 0;
  for (size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')') ++depth;
    else if (name[i] == '(' && --depth == 0) return name.substr(0, i);
  }
  return name;
}

// The child gets the environment without LD_PRELOAD: addr2line must not load the runtime.
std::vector<char *> environmentWithoutPreload() {
  std::vector<char *> env;
  for (char **e = environ; e && *e; ++e)
    if (strncmp(*e, "LD_PRELOAD=", 11) != 0) env.push_back(*e);
  env.push_back(nullptr);
  return env;
}

// Runs `args` (first: the program, looked up in PATH); returns its standard output, or false
// when it could not be started.
bool runSymbolizer(std::vector<std::string> args, std::string &out) {
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipeFds[2];
  if (pipe(pipeFds) != 0) return false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&actions, pipeFds[0]);
  posix_spawn_file_actions_addclose(&actions, pipeFds[1]);
  std::vector<char *> env = environmentWithoutPreload();
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(pipeFds[1]);
  if (rc == 0) {
    char buf[65536];
    ssize_t n;
    while ((n = read(pipeFds[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    int status;
    waitpid(pid, &status, 0);
  }
  close(pipeFds[0]);
  return rc == 0;
}

// llvm-symbolizer names inlined functions right (addr2line 2.40 shifts them by one); both print
// the same format with these flags. LOCKCHECK_RUNTIME_SYMBOLIZER picks another llvm-symbolizer.
std::string symbolizerOutput(const std::string &module, const std::vector<std::string> &offsets) {
  std::vector<std::vector<std::string>> candidates = {
      {"llvm-symbolizer", "--output-style=GNU"}, {"llvm-symbolizer-19", "--output-style=GNU"}, {"addr2line"}};
  if (const char *chosen = getenv("LOCKCHECK_RUNTIME_SYMBOLIZER"); chosen && *chosen)
    candidates.insert(candidates.begin(), {chosen, "--output-style=GNU"});
  for (auto args : candidates) {
    for (const char *flag : {"-a", "-f", "-C", "-i", "-e"}) args.push_back(flag);
    args.push_back(module);
    args.insert(args.end(), offsets.begin(), offsets.end());
    std::string out;
    if (runSymbolizer(args, out)) return out;
  }
  return "";
}

// `-a -f -i` output: an "0x..." line, then (function, file:line) pairs, innermost first.
std::vector<std::vector<SourceFrame>> parseSymbolizer(const std::string &text, const std::string &module) {
  std::vector<std::vector<SourceFrame>> blocks;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("0x", 0) == 0) {
      blocks.emplace_back();
      continue;
    }
    if (blocks.empty()) continue;
    std::string where;
    if (!std::getline(in, where)) break;
    SourceFrame frame;
    frame.module = module;
    frame.function = line == "??" ? "" : withoutParameters(line);
    if (auto space = where.find(" ("); space != std::string::npos) where.resize(space); // "(discriminator N)"
    auto colon = where.rfind(':');
    if (colon != std::string::npos && where.compare(0, 2, "??") != 0) {
      frame.file = where.substr(0, colon);
      frame.line = unsigned(strtoul(where.c_str() + colon + 1, nullptr, 10));
      if (frame.line == 0) frame.file.clear();
    }
    blocks.back().push_back(frame);
  }
  return blocks;
}

} // namespace

std::map<void *, std::vector<SourceFrame>> symbolize(const std::vector<void *> &addresses) {
  struct Pending {
    std::vector<void *> addresses;
    std::vector<std::string> offsets;
  };
  std::map<std::string, Pending> byModule;
  std::map<void *, std::vector<SourceFrame>> out;
  const void *own = ownBase();
  for (void *address : addresses) {
    if (out.count(address)) continue;
    out[address] = {};
    // A return address points after the call: look up the call instruction.
    const char *call = static_cast<const char *>(address) - 1;
    Dl_info info{};
    if (!dladdr(call, &info) || info.dli_fbase == own) continue;
    // The main program's name is argv[0], maybe relative: take the kernel's path instead.
    std::string module = info.dli_fname && info.dli_fname[0] == '/' ? info.dli_fname : programPath();
    // Position-independent modules are looked up by offset, fixed executables by address.
    auto type = static_cast<const ElfW(Ehdr) *>(info.dli_fbase)->e_type;
    uintptr_t where = type == ET_DYN ? uintptr_t(call - static_cast<const char *>(info.dli_fbase)) : uintptr_t(call);
    char hex[32];
    snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(where));
    byModule[module].addresses.push_back(address);
    byModule[module].offsets.push_back(hex);
    if (info.dli_sname) // fallback when no symbolizer is installed or it finds nothing
      out[address] = {SourceFrame{withoutParameters(demangled(info.dli_sname)), "", 0, module}};
  }
  for (auto &[module, pending] : byModule) {
    auto blocks = parseSymbolizer(symbolizerOutput(module, pending.offsets), module);
    for (size_t i = 0; i < blocks.size() && i < pending.addresses.size(); ++i) {
      auto &frames = out[pending.addresses[i]];
      bool anyFile = false;
      for (auto &f : blocks[i]) anyFile |= !f.file.empty();
      if (anyFile || frames.empty()) frames = std::move(blocks[i]);
    }
  }
  return out;
}

bool isSystemModule(const std::string &module) {
  return module.rfind("/lib", 0) == 0 || module.rfind("/usr/lib", 0) == 0;
}

bool calledFromSystemLibrary(const void *caller) {
  Dl_info info{};
  return dladdr(static_cast<const char *>(caller) - 1, &info) && info.dli_fname && info.dli_fname[0] == '/' &&
         isSystemModule(info.dli_fname);
}

std::string globalName(const void *object) {
  Dl_info info{};
  void *entry = nullptr;
  if (!dladdr1(object, &info, &entry, RTLD_DL_SYMENT) || !info.dli_sname || !entry) return "";
  const auto *sym = static_cast<const ElfW(Sym) *>(entry);
  auto offset = static_cast<const char *>(object) - static_cast<const char *>(info.dli_saddr);
  if (offset < 0 || size_t(offset) >= sym->st_size) return "";
  std::string name = demangled(info.dli_sname);
  return offset == 0 ? name : name + "+" + std::to_string(offset);
}

} // namespace lockcheck_rt
