#include "findings/catalog.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace lockcheck {
namespace fs = std::filesystem;

const std::vector<RuleInfo> &allRules() {
  // The one table: --list-rules, --explain, config validation and SARIF all read it.
  static const std::vector<RuleInfo> rules = {
      {RuleId::BlockingUnderLock, "blocking-under-lock", Severity::Error, "a call that blocks is made while a lock is held",
       "A call that blocks (file or socket IO, sleep, thread join, database query, password hashing, "
       "a wait on another lock), directly or through any chain of calls, is made while a lock is held. "
       "Every thread that needs the lock waits for the slow work too. Copy what you need under the lock, "
       "release it, then do the work."},
      {RuleId::LockAcrossAwait, "lock-across-await", Severity::Error, "a coroutine suspends while a lock is held",
       "A co_await or co_yield is reached while a lock is held. The coroutine may resume on another "
       "thread (unlocking a mutex it does not own) or never resume (the lock is never released). "
       "Release the lock before suspending."},
      {RuleId::UnboundedLockWait, "unbounded-lock-wait", Severity::Warning, "a request handler acquires a lock without a time limit",
       "In a request handler, an acquisition that can wait forever (lock(), lock_guard, scoped_lock, a "
       "blocking unique_lock or shared_lock constructor). One slow holder stalls every request. Use "
       "try_lock_for/try_lock_until or a timed constructor and fail the request on timeout."},
      {RuleId::DoubleLock, "double-lock", Severity::Error, "a non-recursive lock is acquired again on a path that holds it",
       "A non-recursive lock is acquired while the same path already holds it, directly or through a "
       "call to a helper that locks it. This deadlocks (or is undefined behaviour)."},
      {RuleId::UnlockNotHeld, "unlock-not-held", Severity::Error, "a lock is released on a path that does not hold it",
       "A lock is released on a path where it is not held. Unlocking a mutex the thread does not own is "
       "undefined behaviour."},
      {RuleId::LockNotReleased, "lock-not-released", Severity::Error, "a manual acquisition is still held when the function returns",
       "A lock acquired by hand is still held when the function returns on some path (often an early "
       "return or an exception), and the function is not annotated as acquiring it. Use an RAII guard."},
      {RuleId::LockOrderInversion, "lock-order-inversion", Severity::Error, "two locks are acquired in opposite orders",
       "Two locks are acquired in opposite orders somewhere in the program (also across files and "
       "through calls). Two threads taking them at the same time deadlock. Pick one order, or take both "
       "at once with std::scoped_lock."},
      {RuleId::UnnamedGuard, "unnamed-guard", Severity::Error, "a lock guard is destroyed at once and protects nothing",
       "A guard that is a temporary, or a vexing parse that declares a new variable, is destroyed at "
       "once: the code after it runs without the lock. Name the guard."},
      {RuleId::ManualLock, "manual-lock", Severity::Note, "a bare lock()/unlock() pair where an RAII guard would do",
       "A mutex is locked and unlocked by hand where a std::lock_guard or std::unique_lock would do. "
       "An exception or early return between the two leaves the mutex locked."},
  };
  return rules;
}

const RuleInfo &ruleInfo(RuleId rule) {
  const auto &rules = allRules();
  return rules[static_cast<size_t>(rule)];
}

const RuleInfo *findRule(std::string_view id) {
  for (const auto &rule : allRules())
    if (id == rule.id) return &rule;
  return nullptr;
}

Finding makeFinding(RuleId rule, const SourcePoint &anchor, std::string message, std::string lock,
                    std::string function, std::vector<TraceStep> trace) {
  const RuleInfo &info = ruleInfo(rule);
  Finding f;
  f.rule = info.id;
  f.severity = info.severity;
  f.anchor = anchor;
  f.message = std::move(message);
  f.lock = std::move(lock);
  f.function = std::move(function);
  f.trace = std::move(trace);
  return f;
}

namespace {

fs::path executableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

} // namespace

std::string ruleDocPath(std::string_view id) {
  // Only known ids reach the file system, so an id can never name another path.
  const RuleInfo *rule = findRule(id);
  if (!rule) return {};
  std::string name = std::string(rule->id) + ".md";
  std::vector<fs::path> candidates;
  if (fs::path dir = executableDir(); !dir.empty())
    candidates.push_back(dir.parent_path() / "share" / "doc" / "lockcheck" / "rules" / name);
  candidates.push_back(fs::path(LOCKCHECK_SOURCE_DOCS_DIR) / "rules" / name);
  for (const auto &path : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return path.string();
  }
  return {};
}

bool readRuleDoc(std::string_view id, std::string &text) {
  std::string path = ruleDocPath(id);
  if (path.empty()) return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in && !in.eof()) return false;
  text = buffer.str();
  return true;
}

} // namespace lockcheck
