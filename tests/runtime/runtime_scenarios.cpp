// Scenarios for the runtime twin (runtime_test.py runs each under LD_PRELOAD and checks the
// report). Lines the test expects in the report carry a "// expect-event:" or "// lock:" marker,
// so the expectations follow the code when it moves.
#include <pthread.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <string>
#include <thread>

namespace {

std::mutex g_mu;
std::mutex g_other;

int devZero() { return open("/dev/zero", O_RDONLY); }

void readOne(int fd) {
  char c;
  if (read(fd, &c, 1) != 1) std::abort(); // expect-event: helper
}

void mutexRead() {
  int fd = devZero();
  std::lock_guard<std::mutex> guard(g_mu); // lock: mutex_read
  char c;
  if (read(fd, &c, 1) != 1) std::abort(); // expect-event: mutex_read
}

void nested() {
  int fd = devZero();
  std::lock_guard<std::mutex> outer(g_other);
  {
    std::lock_guard<std::mutex> inner(g_mu); // lock: nested_inner
    readOne(fd);
  }
  char c;
  if (pread(fd, &c, 1, 0) != 1) std::abort(); // expect-event: nested_outer_only
}

void trylockFailure() {
  std::binary_semaphore started(0), release(0); // not mutexes: those are unlocked by their owner
  std::thread holder([&] {
    std::lock_guard<std::mutex> hold(g_mu);
    started.release();
    release.acquire();
  });
  started.acquire(); // the holder has g_mu now
  if (g_mu.try_lock()) std::abort();
  int fd = devZero();
  char c;
  if (read(fd, &c, 1) != 1) std::abort(); // not an event: the try failed
  release.release();
  holder.join();
  if (!g_mu.try_lock()) std::abort(); // lock: trylock_success
  if (read(fd, &c, 1) != 1) std::abort(); // expect-event: trylock_success
  g_mu.unlock();
}

// Waits on a condition variable until another thread notifies it, optionally under g_other.
void conditionWait(bool underOtherLock) {
  std::condition_variable cv;
  bool waiting = false, ready = false;
  std::unique_lock<std::mutex> other(g_other, std::defer_lock);
  if (underOtherLock) other.lock(); // lock: cv_other
  // Notifies only once the waiter is inside wait(): it set `waiting` under g_mu, which wait() gave back.
  std::thread notifier([&] {
    for (;;) {
      std::lock_guard<std::mutex> g(g_mu);
      if (waiting) {
        ready = true;
        cv.notify_one();
        return;
      }
    }
  });
  {
    std::unique_lock<std::mutex> lock(g_mu);
    waiting = true;
    cv.wait(lock, [&] { return ready; }); // expect-event: cv_other
  }
  notifier.join(); // expect-event: cv_other_join
}

void rwlocks() {
  std::shared_mutex rw;
  int fd = devZero();
  char c;
  {
    std::shared_lock<std::shared_mutex> reader(rw); // lock: rw_read
    if (read(fd, &c, 1) != 1) std::abort(); // expect-event: rw_read
  }
  {
    std::unique_lock<std::shared_mutex> writer(rw); // lock: rw_write
    if (pread(fd, &c, 1, 0) != 1) std::abort(); // expect-event: rw_write
  }
}

void spinlock() {
  pthread_spinlock_t spin;
  pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
  pthread_spin_lock(&spin); // lock: spin
  usleep(1000); // expect-event: spin
  pthread_spin_unlock(&spin);
  if (pthread_spin_trylock(&spin) != 0) std::abort();
  pthread_spin_unlock(&spin);
  usleep(10); // not an event: released
}

void droppedBeforeIo() {
  int fd = devZero();
  char c;
  {
    std::lock_guard<std::mutex> guard(g_mu);
  }
  if (read(fd, &c, 1) != 1) std::abort();
  close(fd);
}

// A thread started by a constructor before main (when RUNTIME_SCENARIO_EARLY is set), holding a
// lock from before main on.
std::mutex g_earlyMu;
std::mutex g_earlyGo;
std::thread *g_early = nullptr;
struct EarlyThread {
  EarlyThread() {
    if (!std::getenv("RUNTIME_SCENARIO_EARLY")) return;
    g_earlyGo.lock();
    g_early = new std::thread([] {
      std::lock_guard<std::mutex> guard(g_earlyMu); // lock: early
      g_earlyGo.lock(); // waits for main (a lock wait, not an event)
      g_earlyGo.unlock();
      usleep(100); // expect-event: early
    });
  }
} g_earlyThread;

void earlyThread() {
  if (!g_early) std::abort();
  g_earlyGo.unlock();
  g_early->join();
}

void forked() {
  int fd = devZero();
  char c;
  pid_t child = fork();
  if (child == 0) {
    std::lock_guard<std::mutex> guard(g_other);
    if (pread(fd, &c, 1, 0) != 1) std::abort(); // expect-event: fork_child
    std::exit(0);
  }
  int status = 0;
  std::lock_guard<std::mutex> guard(g_mu);
  if (read(fd, &c, 1) != 1) std::abort(); // expect-event: fork_parent
  if (waitpid(child, &status, 0) != child || status != 0) std::abort(); // expect-event: fork_wait
}

// A non-blocking socket and a zero timeout return at once; a blocking pipe does not.
void nonBlocking() {
  int sv[2], pipeFds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0 || pipe(pipeFds) != 0) std::abort();
  std::lock_guard<std::mutex> guard(g_mu);
  char c;
  if (recv(sv[0], &c, 1, 0) != -1 || errno != EAGAIN) std::abort();
  if (read(sv[0], &c, 1) != -1) std::abort();
  poll(nullptr, 0, 0);
  close(sv[0]);
  if (write(pipeFds[1], "x", 1) != 1) std::abort(); // expect-event: pipe_write
  close(pipeFds[1]); // expect-event: pipe_close
}

void sleepUnderLock() {
  std::lock_guard<std::mutex> guard(g_mu);
  usleep(2000); // expect-event: sleep
}

// SIGUSR2 asks for the report now; it comes out at the next blocking call.
void signalDump(const char *path) {
  sleepUnderLock();
  raise(SIGUSR2);
  usleep(10);
  struct stat st;
  std::printf("%s\n", stat(path, &st) == 0 ? "dumped" : "missing");
  std::fflush(stdout);
  _exit(0); // no exit handlers: the file can only come from the signal
}

void crash() {
  sleepUnderLock();
  raise(SIGSEGV);
}

} // namespace

int main(int argc, char **argv) {
  const std::map<std::string, std::function<void()>> scenarios = {
      {"mutex_read", mutexRead}, {"nested", nested}, {"trylock", trylockFailure},
      {"cv_own", [] { conditionWait(false); }}, {"cv_other", [] { conditionWait(true); }},
      {"rwlock", rwlocks}, {"spin", spinlock}, {"dropped", droppedBeforeIo},
      {"early_thread", earlyThread}, {"fork", forked}, {"sleep", sleepUnderLock}, {"nonblocking", nonBlocking},
      {"crash", crash}, {"quick_exit", [] { sleepUnderLock(); std::quick_exit(0); }},
      {"signal", [&] { signalDump(argc > 2 ? argv[2] : ""); }}};
  if (argc < 2 || !scenarios.count(argv[1])) {
    std::fprintf(stderr, "usage: runtime_scenarios SCENARIO\n");
    return 2;
  }
  scenarios.at(argv[1])();
  return 0;
}
