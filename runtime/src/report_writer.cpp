#include "report_writer.h"

#include "event_table.h"
#include "symbolizer.h"
#include "timing.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace lockcheck_rt {
namespace {

std::atomic<bool> g_dumpRequested{false};
std::atomic_flag g_writing = ATOMIC_FLAG_INIT;
uint64_t g_startNs = monotonicNs();
constexpr const char *kOwnerVariable = "LOCKCHECK_RUNTIME_OWNER_PID";

bool isOwner() {
  const char *owner = getenv(kOwnerVariable);
  return owner && atol(owner) == long(getpid());
}

std::string outputPath(bool owner) {
  std::string path = options().output;
  std::string pid = std::to_string(getpid());
  if (auto at = path.find("%p"); at != std::string::npos) return path.replace(at, 2, pid);
  return owner ? path : path + "." + pid;
}

std::string relativeToCwd(const std::string &file) {
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return file;
  std::string prefix = std::string(cwd) + "/";
  return file.rfind(prefix, 0) == 0 ? file.substr(prefix.size()) : file;
}

// The program's own code: has a source file, not a system header, not a system library.
bool isUserFrame(const SourceFrame &f) {
  auto startsWith = [](const std::string &s, const char *prefix) { return s.rfind(prefix, 0) == 0; };
  return !f.file.empty() && !startsWith(f.file, "/usr/") && !isSystemModule(f.module);
}

std::vector<SourceFrame> framesOf(const Stack &stack, const std::map<void *, std::vector<SourceFrame>> &symbols) {
  std::vector<SourceFrame> frames;
  for (int i = 0; i < stack.depth; ++i) {
    auto it = symbols.find(stack.frames[i]);
    if (it == symbols.end()) continue;
    for (const auto &f : it->second) {
      frames.push_back(f);
      if (!frames.back().file.empty()) frames.back().file = relativeToCwd(frames.back().file);
    }
  }
  return frames;
}


// The frame to anchor on: the innermost one in the program's own sources; without debug
// information, the innermost one in the program's own modules; else the innermost.
const SourceFrame *anchorOf(const std::vector<SourceFrame> &frames) {
  for (const auto &f : frames)
    if (isUserFrame(f)) return &f;
  for (const auto &f : frames)
    if (!isSystemModule(f.module)) return &f;
  return frames.empty() ? nullptr : &frames.front();
}

nlohmann::ordered_json stackJson(const std::vector<SourceFrame> &frames) {
  auto out = nlohmann::ordered_json::array();
  for (const auto &f : frames)
    out.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line}, {"module", f.module}});
  return out;
}

std::string where(const SourceFrame *f) {
  if (!f) return "an unknown place";
  if (!f->file.empty()) return f->file + ":" + std::to_string(f->line);
  return f->function.empty() ? f->module : f->function + " in " + f->module;
}

nlohmann::ordered_json findingJson(const Event &e, const std::map<void *, std::vector<SourceFrame>> &symbols) {
  auto stack = framesOf(e.stack, symbols);
  auto lockStack = framesOf(e.lockStack, symbols);
  const SourceFrame *anchor = anchorOf(stack);
  const SourceFrame *lockAnchor = anchorOf(lockStack);
  std::string lock = globalName(e.lock);
  if (lock.empty()) lock = lockKindName(e.kind);
  char longest[64];
  snprintf(longest, sizeof longest, "%.3f", double(e.longestNs) / 1e6);
  std::string message = std::string(e.site->function) + "() blocks (" + categoryName(e.site->category) +
                        ") while '" + lock + "' acquired at " + where(lockAnchor) + " is held; observed " +
                        std::to_string(e.count) + " time" + (e.count == 1 ? "" : "s") + ", longest " + longest +
                        " ms";
  auto trace = nlohmann::ordered_json::array();
  if (lockAnchor && !lockAnchor->file.empty()) {
    trace.push_back({{"file", lockAnchor->file}, {"line", lockAnchor->line}, {"column", 0},
                     {"note", "'" + lock + "' acquired here"}});
    // The callers that took it (a lock wrapper's own line says little): a few program frames.
    int shown = 0;
    for (auto it = lockStack.begin() + (lockAnchor - lockStack.data()) + 1; it != lockStack.end() && shown < 3; ++it)
      if (isUserFrame(*it) && !(it->file == lockAnchor->file && it->line == lockAnchor->line)) {
        trace.push_back(
            {{"file", it->file}, {"line", it->line}, {"column", 0}, {"note", "lock taken in " + it->function}});
        ++shown;
      }
  }
  for (const auto &f : stack)
    if (isUserFrame(f))
      trace.push_back({{"file", f.file}, {"line", f.line}, {"column", 0},
                       {"note", &f == anchor ? "calls " + std::string(e.site->function) + " (" +
                                                   categoryName(e.site->category) + ")"
                                             : "in " + f.function}});
  return {{"rule", "blocking-under-lock"},
          {"severity", "error"},
          {"file", anchor ? (anchor->file.empty() ? anchor->module : anchor->file) : ""},
          {"line", anchor ? anchor->line : 0},
          {"column", 0},
          {"message", message},
          {"lock", lock},
          {"function", anchor ? anchor->function : ""},
          {"trace", std::move(trace)},
          {"observed", true},
          {"blocking", e.site->function},
          {"category", categoryName(e.site->category)},
          {"count", e.count},
          {"longest_hold_us", e.longestNs / 1000},
          {"locks_held", e.locksHeld},
          {"stack", stackJson(stack)},
          {"lock_stack", stackJson(lockStack)}};
}

// write(2) until all is written: a short count (a file size limit, a full disk) is retried, and
// the error that ends it is returned (0: all written).
int writeAll(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    data += n;
    size -= size_t(n);
  }
  return 0;
}

std::string failure(const std::string &what, const std::string &path, int error) {
  return what + " " + path + ": " + strerror(error);
}

// Writes `text` to `path`; returns what went wrong ("" when it is all there). A regular file (or
// none yet) is replaced atomically through a temporary beside it, removed again on failure, so a
// reader never sees half a report. Anything else (a pipe, /dev/stderr, /dev/full) is written in
// place: renaming over a device would replace it with a file.
std::string storeReport(const std::string &path, const std::string &text) {
  struct stat st;
  bool inPlace = ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
  std::string target = inPlace ? path : path + ".tmp" + std::to_string(getpid());
  int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC | (inPlace ? 0 : O_CREAT | O_TRUNC), 0644);
  if (fd < 0) return failure("cannot create", target, errno);
  int error = writeAll(fd, text.data(), text.size());
  if (::close(fd) != 0 && error == 0 && errno != EINTR) error = errno; // NFS reports a lost write here
  if (error != 0) {
    if (!inPlace) ::unlink(target.c_str());
    return failure("cannot write", target, error);
  }
  if (!inPlace && std::rename(target.c_str(), path.c_str()) != 0) {
    error = errno;
    ::unlink(target.c_str());
    return failure("cannot rename " + target + " to", path, error);
  }
  return "";
}

const char *reasonName(ReportReason reason) {
  switch (reason) {
  case ReportReason::Exit: return "exit";
  case ReportReason::QuickExit: return "quick_exit";
  case ReportReason::Signal: return "signal";
  case ReportReason::Abort: return "abort";
  case ReportReason::FatalSignal: return "fatal-signal";
  }
  return "?";
}

} // namespace

void rememberOwnerProcess() {
  if (!getenv(kOwnerVariable)) setenv(kOwnerVariable, std::to_string(getpid()).c_str(), 1);
}

void requestDump() { g_dumpRequested.store(true, std::memory_order_relaxed); }

void serviceDumpRequest() {
  if (g_dumpRequested.load(std::memory_order_relaxed) && g_dumpRequested.exchange(false))
    writeReport(ReportReason::Signal);
}

void writeReport(ReportReason reason) {
  if (options().disabled) return;
  Uninterposed guard;
  if (g_writing.test_and_set()) return; // another thread is writing it right now
  std::vector<Event> events(kMaxEvents);
  uint64_t dropped = 0;
  events.resize(size_t(snapshotEvents(events.data(), kMaxEvents, dropped)));
  bool owner = isOwner();
  if (owner || !events.empty()) {
    std::vector<void *> addresses;
    for (const auto &e : events) {
      addresses.insert(addresses.end(), e.stack.frames, e.stack.frames + e.stack.depth);
      addresses.insert(addresses.end(), e.lockStack.frames, e.lockStack.frames + e.lockStack.depth);
    }
    auto symbols = symbolize(addresses);
    std::vector<nlohmann::ordered_json> findings;
    for (const auto &e : events) findings.push_back(findingJson(e, symbols));
    std::stable_sort(findings.begin(), findings.end(), [](const auto &a, const auto &b) {
      return std::tie(a["file"].template get_ref<const std::string &>(), a["line"]) <
             std::tie(b["file"].template get_ref<const std::string &>(), b["line"]);
    });
    char exe[4096] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) exe[n] = 0;
    nlohmann::ordered_json report = {
        {"tool", "lockcheck"},
        {"version", LOCKCHECK_VERSION},
        {"findings", findings},
        {"errors", nlohmann::ordered_json::array()},
        {"summary",
         {{"files", 0}, {"findings", findings.size()}, {"seconds", double(monotonicNs() - g_startNs) / 1e9}}},
        {"runtime",
         {{"program", exe}, {"pid", getpid()}, {"reason", reasonName(reason)}, {"events_dropped", dropped}}}};
    std::string text = report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    std::string path = outputPath(owner);
    if (std::string error = storeReport(path, text); !error.empty()) {
      std::string msg = "lockcheck-runtime: the report (" + std::to_string(findings.size()) + " finding" +
                        (findings.size() == 1 ? "" : "s") + ") was not written: " + error + "\n";
      writeAll(2, msg.data(), msg.size());
    }
  }
  g_writing.clear();
}

} // namespace lockcheck_rt
