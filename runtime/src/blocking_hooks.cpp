// The blocking entry points (docs/spec.md §3 / the rule packs' C functions). Each hook calls the real
// function; when the calling thread held a lock meanwhile, the call is recorded as an event.
// Library functions (libcrypt, libpq, libcurl, sqlite3) are declared here with opaque types and
// resolved on first use, so the runtime loads whether or not the program links them.
#include "event_table.h"
#include "real_function.h"
#include "report_writer.h"
#include "timing.h"

#include <cstdarg>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern "C" {
struct crypt_data;
char *crypt_r(const char *, const char *, struct crypt_data *);
char *crypt_rn(const char *, const char *, void *, int);
char *crypt_ra(const char *, const char *, void **, int *);
void *PQconnectdb(const char *);
void *PQexec(void *, const char *);
void *PQexecParams(void *, const char *, int, const unsigned *, const char *const *, const int *, const int *, int);
void *PQexecPrepared(void *, const char *, int, const char *const *, const int *, const int *, int);
void *PQprepare(void *, const char *, const char *, int, const unsigned *);
void *PQgetResult(void *);
int curl_easy_perform(void *);
int sqlite3_step(void *);
int sqlite3_exec(void *, const char *, int (*)(void *, int, char **, char **), void *, char **);
ssize_t __read_chk(int, void *, size_t, size_t);
ssize_t __recv_chk(int, void *, size_t, size_t, int);
}

namespace lockcheck_rt {
namespace {

// `cannotBlock` is asked only when a lock is held: whether these arguments make the call return
// at once (a non-blocking descriptor, a zero timeout, WNOHANG...).
template <typename Call, typename CannotBlock>
auto blocking(const BlockingSite &site, Call call, CannotBlock cannotBlock) -> decltype(call()) {
  ThreadState &t = thisThread();
  if (t.busy) return call();
  serviceDumpRequest();
  if (t.count == 0 || !(options().categories & site.category) || cannotBlock()) return call();
  uint64_t start = monotonicNs();
  auto rc = call();
  int saved = errno;
  recordBlocking(site, t, monotonicNs() - start);
  errno = saved;
  return rc;
}

// A socket, pipe or device in O_NONBLOCK mode returns EAGAIN instead of waiting (Asio's reactor
// reads and accepts that way under its descriptor mutex). Regular files ignore O_NONBLOCK.
bool nonBlockingDescriptor(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || !(flags & O_NONBLOCK)) return false;
  struct stat st;
  return fstat(fd, &st) == 0 && !S_ISREG(st.st_mode);
}

bool zeroTime(const struct timespec *t) { return t && t->tv_sec == 0 && t->tv_nsec == 0; }
bool zeroTime(const struct timeval *t) { return t && t->tv_sec == 0 && t->tv_usec == 0; }

mode_t modeArgument(int flags, va_list ap) {
  return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode_t(va_arg(ap, int)) : 0;
}

} // namespace
} // namespace lockcheck_rt

using namespace lockcheck_rt;

// ret name(params) { ... the real name(args) ... }, recorded under `category` unless `cannotBlock`.
#define LOCKCHECK_HOOK_UNLESS(category, ret, name, params, args, cannotBlock)                     \
  ret name params {                                                                               \
    static constexpr BlockingSite site{#name, category};                                          \
    return blocking(site, [&] { return LOCKCHECK_REAL(name) args; }, [&] { return cannotBlock; }); \
  }
#define LOCKCHECK_HOOK(category, ret, name, params, args) \
  LOCKCHECK_HOOK_UNLESS(category, ret, name, params, args, false)
// The descriptor calls: not blocking on a non-blocking socket or pipe.
#define LOCKCHECK_FD_HOOK(category, ret, name, params, args) \
  LOCKCHECK_HOOK_UNLESS(category, ret, name, params, args, nonBlockingDescriptor(fd))

// The hooks are the library's only exported symbols.
#pragma GCC visibility push(default)
extern "C" {

LOCKCHECK_FD_HOOK(kIo, ssize_t, read, (int fd, void *buf, size_t n), (fd, buf, n))
LOCKCHECK_FD_HOOK(kIo, ssize_t, __read_chk, (int fd, void *buf, size_t n, size_t len), (fd, buf, n, len))
LOCKCHECK_FD_HOOK(kIo, ssize_t, write, (int fd, const void *buf, size_t n), (fd, buf, n))
LOCKCHECK_FD_HOOK(kIo, ssize_t, pread, (int fd, void *buf, size_t n, off_t off), (fd, buf, n, off))
LOCKCHECK_FD_HOOK(kIo, ssize_t, pwrite, (int fd, const void *buf, size_t n, off_t off), (fd, buf, n, off))
LOCKCHECK_FD_HOOK(kIo, ssize_t, pread64, (int fd, void *buf, size_t n, off64_t off), (fd, buf, n, off))
LOCKCHECK_FD_HOOK(kIo, ssize_t, pwrite64, (int fd, const void *buf, size_t n, off64_t off), (fd, buf, n, off))
LOCKCHECK_FD_HOOK(kIo, ssize_t, readv, (int fd, const struct iovec *v, int n), (fd, v, n))
LOCKCHECK_FD_HOOK(kIo, ssize_t, writev, (int fd, const struct iovec *v, int n), (fd, v, n))
LOCKCHECK_HOOK(kIo, int, fsync, (int fd), (fd))
LOCKCHECK_HOOK(kIo, int, fdatasync, (int fd), (fd))
LOCKCHECK_FD_HOOK(kIo, int, close, (int fd), (fd))
LOCKCHECK_HOOK(kIo, FILE *, fopen, (const char *path, const char *mode), (path, mode))
LOCKCHECK_HOOK(kIo, int, fclose, (FILE * f), (f))
LOCKCHECK_HOOK(kIo, size_t, fread, (void *p, size_t size, size_t n, FILE *f), (p, size, n, f))
LOCKCHECK_HOOK(kIo, size_t, fwrite, (const void *p, size_t size, size_t n, FILE *f), (p, size, n, f))
LOCKCHECK_HOOK(kIo, int, fflush, (FILE * f), (f))
// File-system metadata: a disk (or network file system) round trip each.
LOCKCHECK_HOOK(kIo, int, stat, (const char *path, struct stat *st), (path, st))
LOCKCHECK_HOOK(kIo, int, lstat, (const char *path, struct stat *st), (path, st))
LOCKCHECK_HOOK(kIo, int, access, (const char *path, int mode), (path, mode))
LOCKCHECK_HOOK(kIo, int, unlink, (const char *path), (path))
LOCKCHECK_HOOK(kIo, int, rename, (const char *from, const char *to), (from, to))
LOCKCHECK_HOOK(kIo, int, mkdir, (const char *path, mode_t mode), (path, mode))
LOCKCHECK_HOOK(kIo, int, rmdir, (const char *path), (path))
LOCKCHECK_HOOK(kIo, DIR *, opendir, (const char *path), (path))
LOCKCHECK_HOOK(kIo, struct dirent *, readdir, (DIR * dir), (dir))
LOCKCHECK_HOOK(kIo, struct dirent64 *, readdir64, (DIR * dir), (dir))
LOCKCHECK_HOOK(kIo, int, closedir, (DIR * dir), (dir))

LOCKCHECK_FD_HOOK(kNet, int, connect, (int fd, const struct sockaddr *a, socklen_t n), (fd, a, n))
LOCKCHECK_FD_HOOK(kNet, int, accept, (int fd, struct sockaddr *a, socklen_t *n), (fd, a, n))
LOCKCHECK_FD_HOOK(kNet, int, accept4, (int fd, struct sockaddr *a, socklen_t *n, int fl), (fd, a, n, fl))
LOCKCHECK_HOOK_UNLESS(kNet, ssize_t, recv, (int fd, void *buf, size_t n, int fl), (fd, buf, n, fl),
                      (fl & MSG_DONTWAIT) || nonBlockingDescriptor(fd))
LOCKCHECK_HOOK_UNLESS(kNet, ssize_t, __recv_chk, (int fd, void *buf, size_t n, size_t len, int fl),
                      (fd, buf, n, len, fl), (fl & MSG_DONTWAIT) || nonBlockingDescriptor(fd))
LOCKCHECK_HOOK_UNLESS(kNet, ssize_t, recvfrom,
                      (int fd, void *buf, size_t n, int fl, struct sockaddr *a, socklen_t *an), (fd, buf, n, fl, a, an),
                      (fl & MSG_DONTWAIT) || nonBlockingDescriptor(fd))
LOCKCHECK_HOOK_UNLESS(kNet, ssize_t, recvmsg, (int fd, struct msghdr *m, int fl), (fd, m, fl),
                      (fl & MSG_DONTWAIT) || nonBlockingDescriptor(fd))
LOCKCHECK_HOOK_UNLESS(kNet, ssize_t, send, (int fd, const void *buf, size_t n, int fl), (fd, buf, n, fl),
                      (fl & MSG_DONTWAIT) || nonBlockingDescriptor(fd))
LOCKCHECK_HOOK_UNLESS(kNet, ssize_t, sendto,
                      (int fd, const void *buf, size_t n, int fl, const struct sockaddr *a, socklen_t an),
                      (fd, buf, n, fl, a, an), (fl & MSG_DONTWAIT) || nonBlockingDescriptor(fd))
LOCKCHECK_HOOK_UNLESS(kNet, ssize_t, sendmsg, (int fd, const struct msghdr *m, int fl), (fd, m, fl),
                      (fl & MSG_DONTWAIT) || nonBlockingDescriptor(fd))
LOCKCHECK_HOOK_UNLESS(kNet, int, poll, (struct pollfd * p, nfds_t n, int ms), (p, n, ms), ms == 0)
LOCKCHECK_HOOK_UNLESS(kNet, int, ppoll, (struct pollfd * p, nfds_t n, const struct timespec *t, const sigset_t *s),
                      (p, n, t, s), zeroTime(t))
LOCKCHECK_HOOK_UNLESS(kNet, int, select, (int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *t),
                      (n, r, w, e, t), zeroTime(t))
LOCKCHECK_HOOK_UNLESS(kNet, int, epoll_wait, (int fd, struct epoll_event *ev, int n, int ms), (fd, ev, n, ms),
                      ms == 0)
LOCKCHECK_HOOK_UNLESS(kNet, int, epoll_pwait, (int fd, struct epoll_event *ev, int n, int ms, const sigset_t *s),
                      (fd, ev, n, ms, s), ms == 0)
LOCKCHECK_HOOK(kNet, int, getaddrinfo,
               (const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res),
               (node, service, hints, res))
LOCKCHECK_HOOK(kNet, int, curl_easy_perform, (void *curl), (curl))

LOCKCHECK_HOOK(kSleep, int, nanosleep, (const struct timespec *t, struct timespec *rem), (t, rem))
LOCKCHECK_HOOK(kSleep, int, clock_nanosleep, (clockid_t c, int fl, const struct timespec *t, struct timespec *rem),
               (c, fl, t, rem))
LOCKCHECK_HOOK(kSleep, int, usleep, (useconds_t us), (us))
LOCKCHECK_HOOK(kSleep, unsigned, sleep, (unsigned s), (s))

LOCKCHECK_HOOK(kProcess, int, system, (const char *cmd), (cmd))
LOCKCHECK_HOOK(kProcess, FILE *, popen, (const char *cmd, const char *mode), (cmd, mode))
LOCKCHECK_HOOK(kProcess, int, pclose, (FILE * f), (f))
LOCKCHECK_HOOK_UNLESS(kProcess, pid_t, waitpid, (pid_t pid, int *status, int options), (pid, status, options),
                      (options & WNOHANG) != 0)

LOCKCHECK_HOOK(kSync, int, pthread_join, (pthread_t th, void **ret), (th, ret))

LOCKCHECK_HOOK(kCrypto, char *, crypt, (const char *key, const char *salt), (key, salt))
LOCKCHECK_HOOK(kCrypto, char *, crypt_r, (const char *key, const char *salt, struct crypt_data *d), (key, salt, d))
LOCKCHECK_HOOK(kCrypto, char *, crypt_rn, (const char *key, const char *salt, void *d, int n), (key, salt, d, n))
LOCKCHECK_HOOK(kCrypto, char *, crypt_ra, (const char *key, const char *salt, void **d, int *n), (key, salt, d, n))

LOCKCHECK_HOOK(kDb, void *, PQconnectdb, (const char *info), (info))
LOCKCHECK_HOOK(kDb, void *, PQexec, (void *c, const char *q), (c, q))
LOCKCHECK_HOOK(kDb, void *, PQexecParams,
               (void *c, const char *q, int n, const unsigned *types, const char *const *values, const int *lengths,
                const int *formats, int resultFormat),
               (c, q, n, types, values, lengths, formats, resultFormat))
LOCKCHECK_HOOK(kDb, void *, PQexecPrepared,
               (void *c, const char *name, int n, const char *const *values, const int *lengths, const int *formats,
                int resultFormat),
               (c, name, n, values, lengths, formats, resultFormat))
LOCKCHECK_HOOK(kDb, void *, PQprepare, (void *c, const char *name, const char *q, int n, const unsigned *types),
               (c, name, q, n, types))
LOCKCHECK_HOOK(kDb, void *, PQgetResult, (void *c), (c))
LOCKCHECK_HOOK(kDb, int, sqlite3_step, (void *stmt), (stmt))
LOCKCHECK_HOOK(kDb, int, sqlite3_exec,
               (void *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg, char **err),
               (db, sql, cb, arg, err))

// open and openat take their mode only with O_CREAT / O_TMPFILE.
#define LOCKCHECK_OPEN_HOOK(name)                                                                 \
  int name(const char *path, int flags, ...) {                                                    \
    va_list ap;                                                                                   \
    va_start(ap, flags);                                                                          \
    mode_t mode = modeArgument(flags, ap);                                                        \
    va_end(ap);                                                                                   \
    static constexpr BlockingSite site{#name, kIo};                                               \
    return blocking(site, [&] { return LOCKCHECK_REAL(name)(path, flags, mode); }, [] { return false; }); \
  }
#define LOCKCHECK_OPENAT_HOOK(name)                                                               \
  int name(int dir, const char *path, int flags, ...) {                                           \
    va_list ap;                                                                                   \
    va_start(ap, flags);                                                                          \
    mode_t mode = modeArgument(flags, ap);                                                        \
    va_end(ap);                                                                                   \
    static constexpr BlockingSite site{#name, kIo};                                               \
    return blocking(site, [&] { return LOCKCHECK_REAL(name)(dir, path, flags, mode); }, [] { return false; }); \
  }
LOCKCHECK_OPEN_HOOK(open)
LOCKCHECK_OPEN_HOOK(open64)
LOCKCHECK_OPENAT_HOOK(openat)
LOCKCHECK_OPENAT_HOOK(openat64)

} // extern "C"
#pragma GCC visibility pop
