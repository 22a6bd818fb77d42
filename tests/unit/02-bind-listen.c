/*
 * 02-bind-listen.c - unit tests of lesson 02's make_listener, local_port and parse_port (net.h),
 * called directly.
 *
 * The system calls make_listener makes are wrapped: each wrapper writes what was called into a
 * log, then calls the real function, unless a test told it to fail (-1 with a chosen errno), so
 * the error paths run on demand. The close() wrapper really closes, then scribbles EBADF over
 * errno, as POSIX allows a successful call to do: code that closes before it returns keeps the
 * failing call's errno only if it saved it.
 */
// wrap: socket setsockopt bind listen close
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

int __real_socket(int domain, int type, int protocol);
int __real_setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int __real_bind(int fd, const struct sockaddr *addr, socklen_t len);
int __real_listen(int fd, int backlog);
int __real_close(int fd);

/* ---- the spy: what make_listener called, and which call must fail ---------------------- */

#define MAX_CALLS 32

enum call { SOCKET, SETSOCKOPT_REUSEADDR, SETSOCKOPT_OTHER, BIND, LISTEN, CLOSE };
static const char *const call_names[] = {
    "socket", "setsockopt(SO_REUSEADDR)", "setsockopt", "bind", "listen", "close"};

static struct {
    int recording; /* log calls only while the function under test runs */
    enum call calls[MAX_CALLS];
    int fds[MAX_CALLS]; /* the descriptor of each call (socket: the one it returned) */
    int count;
    int fail_errno[CLOSE + 1]; /* nonzero: that call fails with this errno */
} spy;

static void spy_start(void)
{
    memset(&spy, 0, sizeof spy);
    spy.recording = 1;
}

static void spy_stop(void)
{
    spy.recording = 0;
}

static void logged(enum call call, int fd)
{
    if (spy.recording && spy.count < MAX_CALLS) {
        spy.calls[spy.count] = call;
        spy.fds[spy.count] = fd;
        spy.count++;
    }
}

/* index_of: the position of the first call of this kind in the log, or -1. */
static int index_of(enum call call)
{
    for (int i = 0; i < spy.count; i++)
        if (spy.calls[i] == call)
            return i;
    return -1;
}

/* was_closed: true if close(fd) is in the log. */
static int was_closed(int fd)
{
    for (int i = 0; i < spy.count; i++)
        if (spy.calls[i] == CLOSE && spy.fds[i] == fd)
            return 1;
    return 0;
}

/* calls_text: the log, for a message: "socket -> 3, bind(3), close(3)". */
static const char *calls_text(void)
{
    static char text[1024];
    size_t at = 0;
    text[0] = '\0';
    for (int i = 0; i < spy.count && at < sizeof text - 40; i++) {
        const char *sep = i ? ", " : "";
        if (spy.calls[i] == SOCKET)
            at += (size_t)snprintf(text + at, sizeof text - at, "%ssocket -> %d", sep, spy.fds[i]);
        else
            at += (size_t)snprintf(text + at, sizeof text - at, "%s%s(%d)", sep,
                                   call_names[spy.calls[i]], spy.fds[i]);
    }
    return spy.count ? text : "no calls at all";
}

/* injected: if a test asked this call to fail, set errno and return 1. */
static int injected(enum call call)
{
    if (spy.recording && spy.fail_errno[call] != 0) {
        errno = spy.fail_errno[call];
        return 1;
    }
    return 0;
}

int __wrap_socket(int domain, int type, int protocol)
{
    if (injected(SOCKET)) {
        logged(SOCKET, -1);
        return -1;
    }
    int fd = __real_socket(domain, type, protocol);
    logged(SOCKET, fd);
    return fd;
}

int __wrap_setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    enum call call =
        level == SOL_SOCKET && name == SO_REUSEADDR ? SETSOCKOPT_REUSEADDR : SETSOCKOPT_OTHER;
    logged(call, fd);
    if (injected(call))
        return -1;
    return __real_setsockopt(fd, level, name, value, len);
}

int __wrap_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    logged(BIND, fd);
    if (injected(BIND))
        return -1;
    return __real_bind(fd, addr, len);
}

int __wrap_listen(int fd, int backlog)
{
    logged(LISTEN, fd);
    if (injected(LISTEN))
        return -1;
    return __real_listen(fd, backlog);
}

int __wrap_close(int fd)
{
    logged(CLOSE, fd);
    int result = __real_close(fd);
    if (spy.recording && result == 0)
        errno = EBADF; /* allowed after a success; see the top of the file */
    return result;
}

/* ---- helpers of the tests -------------------------------------------------------------- */

static uint16_t swapped(uint16_t port)
{
    return (uint16_t)((port >> 8) | (port << 8));
}

/* free_port: a port nothing uses on 127.0.0.1 now (the kernel's pick), whose two bytes
 * differ, so that a missing htons() cannot go unseen. */
static uint16_t free_port(void)
{
    for (int tries = 0; tries < 20; tries++) {
        int fd = __real_socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (fd < 0 || __real_bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
            getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
            fail_msg("test bug: cannot find a free port: %s", strerror(errno));
        __real_close(fd);
        uint16_t port = ntohs(addr.sin_port);
        if (port != swapped(port))
            return port;
    }
    fail_msg("test bug: no free port with two different bytes");
    return 0;
}

static int int_option(int fd, int name)
{
    int value = -1;
    socklen_t len = sizeof value;
    if (getsockopt(fd, SOL_SOCKET, name, &value, &len) < 0)
        return -1;
    return value;
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

/* fail_at: run make_listener with CALL failing with ERR; check it returns -1 with errno ERR
 * and closes the socket it made. */
static void fail_at(enum call call, int err, const char *todo)
{
    uint16_t port = free_port();
    spy_start();
    spy.fail_errno[call] = err;
    errno = 0;
    int result = make_listener(port);
    int saved = errno;
    spy_stop();

    int socket_at = index_of(SOCKET);
    check(socket_at >= 0 && spy.fds[socket_at] >= 0,
          "expected make_listener to make a socket with socket(), got: %s", calls_text());
    int fd = spy.fds[socket_at];
    check(index_of(call) >= 0, "expected make_listener(%u) to call %s, got: %s; hint: %s",
          (unsigned)port, call_names[call], calls_text(), todo);
    check(result == -1,
          "%s failed with %s, so make_listener should return -1, got %d; hint: check %s's "
          "result right where you call it",
          call_names[call], strerror(err), result, call_names[call]);
    int closed = was_closed(fd) && !is_open(fd);
    if (!closed && is_open(fd))
        __real_close(fd);
    check(closed,
          "%s failed, make_listener returned -1 but never closed its socket %d (calls: %s); "
          "hint: close the socket on every error path (return close_and_fail(listen_fd, ...)), "
          "or each failure leaks a descriptor",
          call_names[call], fd, calls_text());
    check(saved == err,
          "%s failed with errno %s, but make_listener returned with errno %s (calls: %s); "
          "hint: perror() and close() may both change errno; return close_and_fail(...), which "
          "saves errno first and restores it after printing and closing",
          call_names[call], strerror(err), saved ? strerror(saved) : "0", calls_text());
}

/* ---- the tests ------------------------------------------------------------------------- */

/* Misconception: any bound socket is a server. It must be bound to 127.0.0.1 (not 0.0.0.0),
 * on the port asked for in network byte order (htons), with SO_REUSEADDR, and listening. */
static void listens_on_loopback_port(void **state)
{
    (void)state;
    uint16_t port = free_port();
    int fd = make_listener(port);
    check(fd >= 0,
          "expected make_listener(%u) to return a descriptor, got %d (errno: %s); hint: "
          "do TODOs 1 to 5 in net.c",
          (unsigned)port, fd, strerror(errno));

    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    memset(&addr, 0, sizeof addr);
    check(getsockname(fd, (struct sockaddr *)&addr, &len) == 0,
          "getsockname() on the returned descriptor failed: %s", strerror(errno));
    check(addr.sin_family == AF_INET, "expected an AF_INET socket, got family %d", addr.sin_family);
    check(ntohs(addr.sin_port) == port, "expected the socket bound to port %u, got port %u%s",
          (unsigned)port, (unsigned)ntohs(addr.sin_port),
          ntohs(addr.sin_port) == swapped(port)
              ? "; hint: that is the port with its bytes swapped: sin_port = htons(port)"
              : "; hint: sin_port = htons(port)");
    char ip[INET_ADDRSTRLEN] = "?";
    inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
    check(addr.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "expected the socket bound to 127.0.0.1, got %s; hint: sin_addr.s_addr = "
          "htonl(INADDR_LOOPBACK), not INADDR_ANY (0.0.0.0, every address)",
          ip);
    check(int_option(fd, SO_TYPE) == SOCK_STREAM,
          "expected a SOCK_STREAM (TCP) socket, got type %d", int_option(fd, SO_TYPE));
    check(int_option(fd, SO_REUSEADDR) > 0,
          "expected SO_REUSEADDR set on the socket, got %d; hint: setsockopt(listen_fd, "
          "SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) with int one = 1 (TODO 1)",
          int_option(fd, SO_REUSEADDR));
    check(int_option(fd, SO_ACCEPTCONN) == 1,
          "expected a listening socket (SO_ACCEPTCONN 1), got %d; hint: call "
          "listen(listen_fd, BACKLOG) after bind() (TODO 4)",
          int_option(fd, SO_ACCEPTCONN));
    __real_close(fd);
}

/* Misconception: socket options can be set any time. SO_REUSEADDR changes what bind() allows,
 * so it must be set before bind(); set after, bind() has already refused the port. */
static void reuseaddr_before_bind(void **state)
{
    (void)state;
    uint16_t port = free_port();
    spy_start();
    int fd = make_listener(port);
    spy_stop();
    if (fd >= 0)
        __real_close(fd);
    int set_at = index_of(SETSOCKOPT_REUSEADDR);
    int bind_at = index_of(BIND);
    check(set_at >= 0,
          "expected setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, ...) before bind(), got: %s; hint: "
          "TODO 1",
          calls_text());
    check(bind_at >= 0, "expected a call to bind(), got: %s; hint: TODO 3", calls_text());
    check(set_at < bind_at,
          "expected SO_REUSEADDR set before bind(), got: %s; hint: set after bind() it is too "
          "late, bind() has already refused a port in TIME_WAIT",
          calls_text());
    check(spy.fds[set_at] == spy.fds[bind_at],
          "expected SO_REUSEADDR set on the socket that is bound, got: %s", calls_text());
}

/* Misconception: on an error, return -1 and forget the socket. Each failure then leaks a
 * descriptor; and close() before returning may change errno, so the caller's message would
 * name the wrong reason. */
static void bind_fails_closes_and_keeps_errno(void **state)
{
    (void)state;
    fail_at(BIND, EACCES, "TODO 3");
}

/* Misconception: as above, for listen(). */
static void listen_fails_closes_and_keeps_errno(void **state)
{
    (void)state;
    fail_at(LISTEN, EADDRINUSE, "TODO 4");
}

/* Misconception: as above, for setsockopt(). */
static void setsockopt_fails_closes_and_keeps_errno(void **state)
{
    (void)state;
    fail_at(SETSOCKOPT_REUSEADDR, ENOMEM, "TODO 1");
}

/* Misconception: the port can be read without its byte order. getsockname() fills sin_port in
 * network byte order; ntohs() turns it back into the number. */
static void local_port_reads_the_bound_port(void **state)
{
    (void)state;
    int fd = __real_socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || __real_bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        fail_msg("test bug: cannot bind a socket: %s", strerror(errno));
    uint16_t port = ntohs(addr.sin_port);
    int result = local_port(fd);
    __real_close(fd);
    check(result != swapped(port) || port == swapped(port),
          "expected local_port() to return %u, got %d: the same two bytes, swapped; hint: "
          "return ntohs(addr.sin_port), sin_port is in network byte order (TODO 6)",
          (unsigned)port, result);
    check(result == port,
          "expected local_port() on a socket bound to 127.0.0.1:%u to return %u, got %d "
          "(errno: %s); hint: ask getsockname() (TODO 6)",
          (unsigned)port, (unsigned)port, result, strerror(errno));
}

/* Misconception: getsockname() cannot fail. On a descriptor that is not open it does, and the
 * address it never filled in must not be read. */
static void local_port_fails_on_a_closed_fd(void **state)
{
    (void)state;
    int fd = __real_socket(AF_INET, SOCK_STREAM, 0);
    __real_close(fd);
    errno = 0;
    int result = local_port(fd);
    check(result == -1,
          "expected local_port() on a closed descriptor to return -1, got %d; hint: check "
          "getsockname()'s result, the address is garbage when it fails",
          result);
    check(errno == EBADF, "expected errno EBADF from getsockname(), got %s",
          errno ? strerror(errno) : "0");
}

/* Misconception: atoi() or a bare strtol() reads a port. They accept signs, spaces, trailing
 * junk and numbers past 65535, which then wrap around to another port. */
static void parse_port_accepts_ports(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint16_t port;
    } good[] = {{"0", 0}, {"9000", 9000}, {"65535", 65535}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint16_t port = 1234;
        int result = parse_port(good[i].text, &port);
        check(result == 0 && port == good[i].port,
              "expected parse_port(\"%s\") to return 0 and store %u, got %d and %u", good[i].text,
              (unsigned)good[i].port, result, (unsigned)port);
    }
}

static void parse_port_rejects_junk(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "abc", "-1", "70000", "80x", " 80", "+80", "65536"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint16_t port = 1234;
        int result = parse_port(bad[i], &port);
        check(result == -1, "expected parse_port(\"%s\") to return -1, got %d (port %u)", bad[i],
              result, (unsigned)port);
        check(port == 1234, "parse_port(\"%s\") returned -1 but changed *port to %u", bad[i],
              (unsigned)port);
    }
}

static const struct CMUnitTest tests[] = {
    // rules: unit-listener
    UNIT_TEST("make_listener returns a socket listening on 127.0.0.1:port with SO_REUSEADDR",
              listens_on_loopback_port),
    // rules: unit-reuse-first
    UNIT_TEST("make_listener sets SO_REUSEADDR before bind()", reuseaddr_before_bind),
    // rules: unit-bind-fails
    UNIT_TEST("make_listener closes its socket and keeps errno when bind() fails",
              bind_fails_closes_and_keeps_errno),
    // rules: unit-other-fails
    UNIT_TEST("make_listener closes its socket and keeps errno when listen() fails",
              listen_fails_closes_and_keeps_errno),
    // rules: unit-other-fails
    UNIT_TEST("make_listener closes its socket and keeps errno when setsockopt() fails",
              setsockopt_fails_closes_and_keeps_errno),
    // rules: unit-local-port
    UNIT_TEST("local_port returns the port a socket is bound to", local_port_reads_the_bound_port),
    // rules: unit-local-port
    UNIT_TEST("local_port returns -1 when getsockname() fails", local_port_fails_on_a_closed_fd),
    // rules: unit-parse-port
    UNIT_TEST("parse_port accepts 0, 9000 and 65535", parse_port_accepts_ports),
    // rules: unit-parse-port
    UNIT_TEST("parse_port rejects '', 'abc', '-1', '70000', '80x', ' 80'", parse_port_rejects_junk),
};

UNIT_MAIN("02-bind-listen", tests)
