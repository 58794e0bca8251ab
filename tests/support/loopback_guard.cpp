// The loopback guard (C++ only for the build; every symbol has C linkage).
/* The loopback guard: an LD_PRELOAD library every test process runs under (tests/CMakeLists.txt
 * puts it in the ctest ENVIRONMENT). Tests may talk to 127.0.0.0/8, ::1 and local sockets only;
 * a connect(), sendto() or sendmsg() towards any other address is refused (ENETUNREACH: nothing
 * leaves the machine) and written, one line each, to $ESSNAP_LOOPBACK_GUARD_LOG, else to the build
 * directory's loopback-guard.log (ESSNAP_LOOPBACK_GUARD_DEFAULT_LOG, set by CMake).
 * scripts/run-tests.sh fails the run when that file is not empty, naming every attempt.
 * Loading it also sets AWS_EC2_METADATA_DISABLED=true where the variable is unset, so LD_PRELOAD
 * alone is the whole of a test's environment: the ctest ENVIRONMENT of tests gtest_discover_tests
 * registers holds one element (a list there would be split into property names and lost).
 *
 * It sees what goes through the C library: the essnap binary, the test binaries, Python, Node and
 * curl peers. Programs that make system calls themselves (Go binaries: restic, weed) bypass it;
 * the stack servers are not test processes. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int is_allowed(const struct sockaddr* sa, socklen_t len) {
  if (sa == nullptr || len < (socklen_t)sizeof(sa_family_t)) return 1;
  if (sa->sa_family == AF_INET) {
    if (len < (socklen_t)sizeof(struct sockaddr_in)) return 1; /* the kernel refuses it anyway */
    const unsigned char* a = (const unsigned char*)&((const struct sockaddr_in*)sa)->sin_addr;
    /* 127.0.0.0/8; 0.0.0.0 is this host on Linux */
    return a[0] == 127 || (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0);
  }
  if (sa->sa_family == AF_INET6) {
    if (len < (socklen_t)sizeof(struct sockaddr_in6)) return 1;
    const struct in6_addr* a = &((const struct sockaddr_in6*)sa)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a)) return 1;
    if (IN6_IS_ADDR_V4MAPPED(a)) return a->s6_addr[12] == 127;
    return 0;
  }
  return 1; /* AF_UNIX, AF_NETLINK, ...: not the network */
}

void record(const char* call, const struct sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in* in = (const struct sockaddr_in*)sa;
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else {
    const struct sockaddr_in6* in = (const struct sockaddr_in6*)sa;
    inet_ntop(AF_INET6, &in->sin6_addr, host, sizeof host);
    port = ntohs(in->sin6_port);
  }
  char exe[256] = "?";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) exe[n] = '\0';
  char line[512];
  int len = snprintf(line, sizeof line, "pid %d (%s): %s to %s port %u refused: not loopback\n",
                     (int)getpid(), exe, call, host, port);
  const char* path = getenv("ESSNAP_LOOPBACK_GUARD_LOG");
#ifdef ESSNAP_LOOPBACK_GUARD_DEFAULT_LOG
  if (!path || !*path) path = ESSNAP_LOOPBACK_GUARD_DEFAULT_LOG;
#endif
  int fd = path && *path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : 2;
  if (fd >= 0 && len > 0) (void)!write(fd, line, (size_t)len);
  if (fd > 2) close(fd);
}

}  // namespace

__attribute__((constructor)) void essnap_loopback_guard_init() {
  setenv("AWS_EC2_METADATA_DISABLED", "true", 0);
}

typedef int (*connect_fn)(int, const struct sockaddr*, socklen_t);
typedef ssize_t (*sendto_fn)(int, const void*, size_t, int, const struct sockaddr*, socklen_t);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr*, int);

extern "C" int connect(int fd, const struct sockaddr* sa, socklen_t len) {
  static connect_fn real;
  if (!real) real = reinterpret_cast<connect_fn>(dlsym(RTLD_NEXT, "connect"));
  if (!is_allowed(sa, len)) {
    record("connect", sa);
    errno = ENETUNREACH;
    return -1;
  }
  return real(fd, sa, len);
}

extern "C" ssize_t sendto(int fd, const void* buf, size_t n, int flags, const struct sockaddr* sa,
                          socklen_t len) {
  static sendto_fn real;
  if (!real) real = reinterpret_cast<sendto_fn>(dlsym(RTLD_NEXT, "sendto"));
  if (!is_allowed(sa, len)) {
    record("sendto", sa);
    errno = ENETUNREACH;
    return -1;
  }
  return real(fd, buf, n, flags, sa, len);
}

extern "C" ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) {
  static sendmsg_fn real;
  if (!real) real = reinterpret_cast<sendmsg_fn>(dlsym(RTLD_NEXT, "sendmsg"));
  if (msg && !is_allowed((const struct sockaddr*)msg->msg_name, msg->msg_namelen)) {
    record("sendmsg", (const struct sockaddr*)msg->msg_name);
    errno = ENETUNREACH;
    return -1;
  }
  return real(fd, msg, flags);
}
