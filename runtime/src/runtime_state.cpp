// Options, thread state, symbol resolution and the once-only setup (fork, exit, signal).
#include "runtime_state.h"

#include "event_table.h"
#include "report_writer.h"

#include <dlfcn.h>
#include <unwind.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace lockcheck_rt {

namespace {

Options g_options;
std::atomic<int> g_initState{0}; // 0 not yet, 1 in progress, 2 done

__attribute__((tls_model("initial-exec"))) thread_local ThreadState t_state;

// A bad option value is refused, never guessed at: a typo that silently recorded nothing would
// make a run look clean. The message names the variable and the value; the runtime then turns
// itself off for this process (no events, no report, no handlers) and the program runs on.
void refuse(const char *variable, const char *value, const char *why) {
  char msg[1024];
  int n = snprintf(msg, sizeof msg,
                   "lockcheck-runtime: %s=\"%.256s\" is not valid: %s; the runtime is off in this process "
                   "(nothing is recorded, no report is written)\n",
                   variable, value, why);
  if (n > 0) ::write(2, msg, size_t(n) < sizeof msg ? size_t(n) : sizeof msg - 1);
  g_options.disabled = true;
}

// A comma list of category names; spaces around a name are allowed, an empty item is not.
bool parseCategories(const char *text, unsigned &mask) {
  static const struct { const char *name; Category bit; } names[] = {
      {"io", kIo}, {"net", kNet}, {"sleep", kSleep}, {"process", kProcess},
      {"crypto", kCrypto}, {"db", kDb}, {"sync", kSync}};
  mask = 0;
  for (const char *p = text;; ++p) {
    const char *end = strchr(p, ',');
    if (!end) end = p + strlen(p);
    const char *first = p, *last = end;
    while (first < last && *first == ' ') ++first;
    while (last > first && last[-1] == ' ') --last;
    bool known = false;
    for (const auto &n : names)
      if (strlen(n.name) == size_t(last - first) && strncmp(n.name, first, size_t(last - first)) == 0)
        mask |= n.bit, known = true;
    if (!known) return false;
    if (*end == '\0') return true;
    p = end;
  }
}

// Decimal digits only (no sign, no unit), small enough that the nanoseconds fit in 64 bits.
bool parseMicroseconds(const char *text, uint64_t &ns) {
  uint64_t us = 0;
  if (!*text) return false;
  for (const char *p = text; *p; ++p) {
    if (*p < '0' || *p > '9') return false;
    if (us > (UINT64_MAX / 1000 - 9) / 10) return false;
    us = us * 10 + uint64_t(*p - '0');
  }
  ns = us * 1000;
  return true;
}

// A switch: unset or empty is `off`, else exactly one of the two words.
bool parseSwitch(const char *variable, const char *off, const char *on, bool &value) {
  const char *text = getenv(variable);
  if (!text || !*text || strcmp(text, off) == 0) return true;
  if (strcmp(text, on) == 0) return value = true;
  char why[96];
  snprintf(why, sizeof why, "expected %s or %s", off, on);
  refuse(variable, text, why);
  return false;
}

void loadOptions() {
  if (const char *out = getenv("LOCKCHECK_RUNTIME_OUTPUT"); out && *out) {
    if (strlen(out) >= sizeof g_options.output) return refuse("LOCKCHECK_RUNTIME_OUTPUT", out, "the path is too long");
    strcpy(g_options.output, out);
  }
  if (const char *cats = getenv("LOCKCHECK_RUNTIME_CATEGORIES"); cats && *cats)
    if (!parseCategories(cats, g_options.categories))
      return refuse("LOCKCHECK_RUNTIME_CATEGORIES", cats,
                    "expected a comma list of io,net,sleep,process,crypto,db,sync");
  if (const char *min = getenv("LOCKCHECK_RUNTIME_MIN_HOLD_US"); min && *min)
    if (!parseMicroseconds(min, g_options.minHoldNs))
      return refuse("LOCKCHECK_RUNTIME_MIN_HOLD_US", min, "expected a whole number of microseconds");
  if (!parseSwitch("LOCKCHECK_RUNTIME_ABORT", "0", "1", g_options.abortOnEvent)) return;
  if (!parseSwitch("LOCKCHECK_RUNTIME_LIBRARY_LOCKS", "0", "1", g_options.libraryLocks)) return;
  parseSwitch("LOCKCHECK_RUNTIME_LOCK_STACKS", "fast", "full", g_options.fullLockStacks);
}

void onExit() { writeReport(ReportReason::Exit); }
void onQuickExit() { writeReport(ReportReason::QuickExit); }

void onDumpSignal(int) { requestDump(); }

// A crash: the report is worth the risk of writing it from the handler. alarm() ends the
// process should a lock the crash left held (malloc's) block the writing; then the signal is
// delivered again with its default action.
void onFatalSignal(int sig) {
  alarm(5);
  writeReport(ReportReason::FatalSignal);
  signal(sig, SIG_DFL);
  raise(sig);
}

void installIfDefault(int sig, void (*handler)(int), int flags) {
  struct sigaction old {};
  if (sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) return; // the program's own
  struct sigaction sa {};
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
}

void beforeFork() { lockEventTable(); }
void afterForkParent() { unlockEventTable(); }
void afterForkChild() {
  unlockEventTable();
  resetEventTableInChild();
}

} // namespace

const Options &options() { return g_options; }
ThreadState &thisThread() { return t_state; }

const char *lockKindName(LockKind kind) {
  switch (kind) {
  case LockKind::Mutex: return "pthread_mutex";
  case LockKind::RwRead: return "pthread_rwlock (read)";
  case LockKind::RwWrite: return "pthread_rwlock (write)";
  case LockKind::Spin: return "pthread_spinlock";
  }
  return "lock";
}

const char *categoryName(Category c) {
  switch (c) {
  case kIo: return "io";
  case kNet: return "net";
  case kSleep: return "sleep";
  case kProcess: return "process";
  case kCrypto: return "crypto";
  case kDb: return "db";
  case kSync: return "sync";
  }
  return "?";
}

namespace {
_Unwind_Reason_Code collectFrame(_Unwind_Context *context, void *into) {
  auto &stack = *static_cast<Stack *>(into);
  uintptr_t ip = _Unwind_GetIP(context);
  if (stack.depth == kMaxFrames || ip == 0) return _URC_END_OF_STACK;
  stack.frames[stack.depth] = reinterpret_cast<void *>(ip);
  stack.cfa[stack.depth] = _Unwind_GetCFA(context);
  ++stack.depth;
  return _URC_NO_REASON;
}
} // namespace

void captureStack(Stack &out) {
  Uninterposed guard;
  out.depth = 0;
  _Unwind_Backtrace(collectFrame, &out);
}

void *nextSymbol(const char *name, const char *version) {
  Uninterposed guard;
  void *p = version ? dlvsym(RTLD_NEXT, name, version) : nullptr;
  return p ? p : dlsym(RTLD_NEXT, name);
}

void noNextDefinition(const char *name) {
  static const char prefix[] = "lockcheck-runtime: no library defines ";
  ::write(2, prefix, sizeof prefix - 1);
  ::write(2, name, strlen(name));
  ::write(2, "\n", 1);
  abort();
}

void ensureInitialised() {
  if (g_initState.load(std::memory_order_acquire) == 2) return;
  int expected = 0;
  if (!g_initState.compare_exchange_strong(expected, 1)) return; // another thread (or we) is at it
  Uninterposed guard;
  loadOptions();
  if (g_options.disabled) {
    g_options.categories = 0; // hooks pass straight through: no event is ever recorded
    g_initState.store(2, std::memory_order_release);
    return;
  }
  rememberOwnerProcess();
  Stack warmUp; // the first unwinding reads the unwind tables: do it now, not under someone's lock
  captureStack(warmUp);
  pthread_atfork(beforeFork, afterForkParent, afterForkChild);
  atexit(onExit);
  at_quick_exit(onQuickExit);
  installIfDefault(SIGUSR2, onDumpSignal, SA_RESTART);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) installIfDefault(sig, onFatalSignal, SA_RESETHAND);
  g_initState.store(2, std::memory_order_release);
}

// Preloaded libraries are initialised before the program's own constructors.
__attribute__((constructor)) static void initialiseAtLoad() { ensureInitialised(); }

} // namespace lockcheck_rt
