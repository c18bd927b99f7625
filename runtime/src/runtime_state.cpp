// Options, thread state, symbol resolution and the once-only setup (fork, exit, signal).
#include "runtime_state.h"

#include "event_table.h"
#include "report_writer.h"

#include <dlfcn.h>
#include <unwind.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

namespace lockcheck_rt {

namespace {

Options g_options;
std::atomic<int> g_initState{0}; // 0 not yet, 1 in progress, 2 done

__attribute__((tls_model("initial-exec"))) thread_local ThreadState t_state;

unsigned parseCategories(const char *text) {
  static const struct { const char *name; Category bit; } names[] = {
      {"io", kIo}, {"net", kNet}, {"sleep", kSleep}, {"process", kProcess},
      {"crypto", kCrypto}, {"db", kDb}, {"sync", kSync}};
  unsigned mask = 0;
  const char *p = text;
  while (*p) {
    const char *end = strchr(p, ',');
    size_t len = end ? size_t(end - p) : strlen(p);
    bool known = false;
    for (const auto &n : names)
      if (strlen(n.name) == len && strncmp(n.name, p, len) == 0) mask |= n.bit, known = true;
    if (!known && len > 0) {
      static const char msg[] = "lockcheck-runtime: unknown category in LOCKCHECK_RUNTIME_CATEGORIES "
                                "(known: io,net,sleep,process,crypto,db,sync)\n";
      ::write(2, msg, sizeof msg - 1);
    }
    p += len;
    if (*p == ',') ++p;
  }
  return mask;
}

void loadOptions() {
  if (const char *out = getenv("LOCKCHECK_RUNTIME_OUTPUT"); out && *out)
    strncpy(g_options.output, out, sizeof g_options.output - 1);
  if (const char *cats = getenv("LOCKCHECK_RUNTIME_CATEGORIES"); cats && *cats)
    g_options.categories = parseCategories(cats);
  if (const char *min = getenv("LOCKCHECK_RUNTIME_MIN_HOLD_US"); min && *min)
    g_options.minHoldNs = strtoull(min, nullptr, 10) * 1000;
  if (const char *abort = getenv("LOCKCHECK_RUNTIME_ABORT"); abort && strcmp(abort, "1") == 0)
    g_options.abortOnEvent = true;
  if (const char *lib = getenv("LOCKCHECK_RUNTIME_LIBRARY_LOCKS"); lib && strcmp(lib, "1") == 0)
    g_options.libraryLocks = true;
  if (const char *stacks = getenv("LOCKCHECK_RUNTIME_LOCK_STACKS"); stacks && strcmp(stacks, "full") == 0)
    g_options.fullLockStacks = true;
}

void onExit() { writeReport(ReportReason::Exit); }

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
  rememberOwnerProcess();
  Stack warmUp; // the first unwinding reads the unwind tables: do it now, not under someone's lock
  captureStack(warmUp);
  pthread_atfork(beforeFork, afterForkParent, afterForkChild);
  atexit(onExit);
  installIfDefault(SIGUSR2, onDumpSignal, SA_RESTART);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) installIfDefault(sig, onFatalSignal, SA_RESETHAND);
  g_initState.store(2, std::memory_order_release);
}

// Preloaded libraries are initialised before the program's own constructors.
__attribute__((constructor)) static void initialiseAtLoad() { ensureInitialised(); }

} // namespace lockcheck_rt
