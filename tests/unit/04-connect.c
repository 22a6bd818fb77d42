/*
 * Unit tests of lesson 04: connect_to() from net.c, called directly.
 *
 * Against real sockets on 127.0.0.1 (a listener made here, a port where nobody listens), and
 * with the resolver and the socket calls wrapped, so a test can hand connect_to() a list of
 * several addresses and watch every socket it makes, connects, closes and frees.
 */
// wrap: socket connect close getaddrinfo freeaddrinfo
#include "unit.h"

#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int __real_socket(int domain, int type, int protocol);
int __real_connect(int fd, const struct sockaddr *addr, socklen_t len);
int __real_close(int fd);
int __real_getaddrinfo(const char *host, const char *port, const struct addrinfo *hints,
                       struct addrinfo **res);
void __real_freeaddrinfo(struct addrinfo *addrs);

/* ---- what connect_to() did, recorded by the wrappers ------------------------------------ */

#define MAX_EVENTS 64

enum kind { MADE, CONNECTED, REFUSED, CLOSED };

struct event {
    enum kind kind;
    int fd;
    int port; /* for connect: where to */
};

static struct {
    bool on; /* record only while connect_to() runs */
    struct event events[MAX_EVENTS];
    int count;
    struct addrinfo *given; /* the list getaddrinfo handed out */
    int frees;              /* freeaddrinfo calls */
    struct addrinfo *freed; /* what the last one freed */
    int fake;               /* > 0: getaddrinfo returns the fake list of that many addresses */
    int gai_error;          /* != 0: getaddrinfo fails with this EAI_ code */
    bool refuse_all;        /* every connect fails with ECONNREFUSED, without being made */
} rec;

static void note(enum kind kind, int fd, int port)
{
    if (rec.on && rec.count < MAX_EVENTS)
        rec.events[rec.count++] = (struct event){kind, fd, port};
}

int __wrap_socket(int domain, int type, int protocol)
{
    int fd = __real_socket(domain, type, protocol);
    if (fd >= 0)
        note(MADE, fd, 0);
    return fd;
}

int __wrap_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    int port =
        addr->sa_family == AF_INET ? ntohs(((const struct sockaddr_in *)addr)->sin_port) : -1;
    if (rec.on && rec.refuse_all) {
        note(REFUSED, fd, port);
        errno = ECONNREFUSED;
        return -1;
    }
    int status = __real_connect(fd, addr, len);
    note(status == 0 ? CONNECTED : REFUSED, fd, port);
    return status;
}

int __wrap_close(int fd)
{
    note(CLOSED, fd, 0);
    return __real_close(fd);
}

/* The fake list: several IPv4 TCP addresses on 127.0.0.1, each with its own port. */
#define FAKE_MAX 4
static struct addrinfo fake_ai[FAKE_MAX];
static struct sockaddr_in fake_addr[FAKE_MAX];
static unsigned fake_port[FAKE_MAX];

int __wrap_getaddrinfo(const char *host, const char *port, const struct addrinfo *hints,
                       struct addrinfo **res)
{
    if (!rec.on)
        return __real_getaddrinfo(host, port, hints, res);
    if (rec.gai_error != 0) {
        errno = ENOENT; /* a stale errno, as a lookup in /etc/hosts can leave behind */
        return rec.gai_error;
    }
    if (rec.fake > 0) {
        for (int i = 0; i < rec.fake; i++) {
            memset(&fake_addr[i], 0, sizeof fake_addr[i]);
            fake_addr[i].sin_family = AF_INET;
            fake_addr[i].sin_port = htons((uint16_t)fake_port[i]);
            fake_addr[i].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            memset(&fake_ai[i], 0, sizeof fake_ai[i]);
            fake_ai[i].ai_family = AF_INET;
            fake_ai[i].ai_socktype = SOCK_STREAM;
            fake_ai[i].ai_protocol = IPPROTO_TCP;
            fake_ai[i].ai_addr = (struct sockaddr *)&fake_addr[i];
            fake_ai[i].ai_addrlen = sizeof fake_addr[i];
            fake_ai[i].ai_next = i + 1 < rec.fake ? &fake_ai[i + 1] : NULL;
        }
        *res = &fake_ai[0];
        rec.given = *res;
        return 0;
    }
    int status = __real_getaddrinfo(host, port, hints, res);
    if (status == 0)
        rec.given = *res;
    return status;
}

void __wrap_freeaddrinfo(struct addrinfo *addrs)
{
    if (rec.on) {
        rec.frees++;
        rec.freed = addrs;
    }
    /* Free a real list once only: a second free would crash before the test could explain. */
    if (addrs != NULL && addrs != &fake_ai[0] && (!rec.on || rec.frees == 1))
        __real_freeaddrinfo(addrs);
}

/* ---- helpers -------------------------------------------------------------------------- */

/* A listening socket on 127.0.0.1, port from the kernel; its port in *port. */
static int make_test_listener(unsigned *port)
{
    int fd = __real_socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t len = sizeof addr;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

/* A port on 127.0.0.1 where nobody listens now (a listener's, closed again). */
static unsigned dead_port(void)
{
    unsigned port;
    int fd = make_test_listener(&port);
    __real_close(fd);
    return port;
}

static char captured[1024];

/* call_connect_to: connect_to(host, port) with the wrappers recording and stderr captured
 * into `captured`. */
static int call_connect_to(const char *host, const char *port)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);

    rec.on = true;
    int fd = connect_to(host, port);
    int saved_errno = errno;
    rec.on = false;

    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    __real_close(saved_stderr);
    rewind(tmp);
    size_t got = fread(captured, 1, sizeof captured - 1, tmp);
    captured[got] = '\0';
    fclose(tmp);
    /* One line for a message: drop the last newline, turn the others into '|'. */
    if (got > 0 && captured[got - 1] == '\n')
        captured[--got] = '\0';
    for (char *nl = strchr(captured, '\n'); nl != NULL; nl = strchr(nl, '\n'))
        *nl = '|';
    errno = saved_errno;
    return fd;
}

static void reset(void)
{
    memset(&rec, 0, sizeof rec);
    captured[0] = '\0';
}

/* events_text: what connect_to did, for a message: "socket()=3 connect(3, port 4000)=-1 ...". */
static const char *events_text(void)
{
    static char text[1024];
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < rec.count && used < sizeof text - 64; i++) {
        const struct event *ev = &rec.events[i];
        int n = 0;
        switch (ev->kind) {
        case MADE:
            n = snprintf(text + used, sizeof text - used, "socket()=%d ", ev->fd);
            break;
        case CONNECTED:
        case REFUSED:
            n = snprintf(text + used, sizeof text - used, "connect(%d, port %d)=%s ", ev->fd,
                         ev->port, ev->kind == CONNECTED ? "0" : "-1");
            break;
        case CLOSED:
            n = snprintf(text + used, sizeof text - used, "close(%d) ", ev->fd);
            break;
        }
        used += (size_t)n;
    }
    return rec.count ? text : "no socket(), connect() or close() at all";
}

/* unclosed: how many sockets connect_to made and never closed, except the one it returned,
 * keep (-1: none). A descriptor number can be given out again once closed, so each socket()
 * counts as closed only by a close() before the next socket() that returns the same number. */
static int unclosed(int keep)
{
    int open_count = 0;
    for (int i = 0; i < rec.count; i++) {
        if (rec.events[i].kind != MADE)
            continue;
        bool closed = false, last = true;
        for (int j = i + 1; j < rec.count; j++) {
            if (rec.events[j].fd != rec.events[i].fd)
                continue;
            if (rec.events[j].kind == CLOSED) {
                closed = true;
                break;
            }
            if (rec.events[j].kind == MADE) {
                last = false;
                break;
            }
        }
        if (!closed && !(last && rec.events[i].fd == keep))
            open_count++;
    }
    return open_count;
}

static int count_kind(enum kind kind)
{
    int n = 0;
    for (int i = 0; i < rec.count; i++)
        n += rec.events[i].kind == kind;
    return n;
}

static int peer_port(int fd)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    if (getpeername(fd, (struct sockaddr *)&addr, &len) < 0)
        return -1;
    return ntohs(addr.sin_port);
}

/* ---- the tests -------------------------------------------------------------------------- */

/* Misconception: connect_to can return before the connection exists, or the wrong socket. */
static void connects_to_a_listener(void **state)
{
    (void)state;
    reset();
    unsigned port;
    int listen_fd = make_test_listener(&port);
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", port);

    int fd = call_connect_to("127.0.0.1", port_text);
    int got_peer = fd >= 0 ? peer_port(fd) : -1;
    /* accept only a connection that is there: accept() would wait for ever otherwise. */
    int conn_fd = got_peer == (int)port ? accept(listen_fd, NULL, NULL) : -1;
    if (fd >= 0)
        __real_close(fd);
    if (conn_fd >= 0)
        __real_close(conn_fd);
    __real_close(listen_fd);

    check(fd >= 0,
          "connect_to(\"127.0.0.1\", \"%s\") with a listener there: expected a "
          "descriptor, seen -1 (stderr: %s; calls: %s)",
          port_text, captured[0] ? captured : "nothing", events_text());
    check(got_peer == (int)port,
          "the descriptor connect_to returned is not connected to 127.0.0.1:%u (getpeername "
          "says port %d; calls: %s). Return the socket whose connect() returned 0.",
          port, got_peer, events_text());
    check(conn_fd >= 0, "the listener had no connection to accept (calls: %s)", events_text());
}

/* Misconception: "refused" needs no message, or the socket comes back anyway. */
static void refused_gives_minus_one_and_says_so(void **state)
{
    (void)state;
    reset();
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", dead_port());

    int fd = call_connect_to("127.0.0.1", port_text);
    if (fd >= 0)
        __real_close(fd);
    check(fd == -1,
          "connect_to(\"127.0.0.1\", \"%s\") with nobody listening: expected -1, seen %d. "
          "Check connect()'s result: -1 means not connected. (calls: %s)",
          port_text, fd, events_text());
    check(strstr(captured, "connect: Connection refused") != NULL,
          "connect_to with nobody listening: expected 'connect: Connection refused' on stderr, "
          "seen '%s'. perror(\"connect\") with the errno connect() left.",
          captured);
}

/* Misconception: a socket whose connect() failed may be left open (a leak per attempt). */
static void closes_every_socket_when_all_fail(void **state)
{
    (void)state;
    reset();
    rec.fake = 3;
    rec.refuse_all = true;
    fake_port[0] = 4001; /* never really connected to: refuse_all */
    fake_port[1] = 4002;
    fake_port[2] = 4003;

    int fd = call_connect_to("three.example", "4000");
    check(fd == -1,
          "a host with 3 addresses, every connect() refused: expected -1, seen %d (calls: %s)", fd,
          events_text());
    check(count_kind(REFUSED) == 3,
          "a host with 3 addresses, every connect() refused: expected 3 connect() calls, one "
          "per address, seen %d (calls: %s). Try each address in the list (ai_next).",
          count_kind(REFUSED), events_text());
    check(unclosed(-1) == 0,
          "%d socket(s) that failed to connect were never closed (calls: %s). After a failed "
          "connect(), close that socket before trying the next address.",
          unclosed(-1), events_text());
}

/* Misconception: after a failed connect() the same socket can simply connect again. POSIX
 * leaves its state unspecified: make a new socket for the next address. */
static void fresh_socket_for_each_address(void **state)
{
    (void)state;
    reset();
    unsigned live;
    int listen_fd = make_test_listener(&live);
    rec.fake = 2;
    fake_port[0] = dead_port();
    fake_port[1] = live;

    int fd = call_connect_to("two.example", "4000");
    int got_peer = fd >= 0 ? peer_port(fd) : -1;
    int conn_fd = got_peer == (int)live ? accept(listen_fd, NULL, NULL) : -1;
    if (conn_fd >= 0)
        __real_close(conn_fd);
    __real_close(listen_fd);

    /* Every connect() must be on a socket made since that descriptor's last connect(). */
    bool reused = false;
    for (int i = 0; i < rec.count; i++) {
        if (rec.events[i].kind != CONNECTED && rec.events[i].kind != REFUSED)
            continue;
        /* The last event on this descriptor before the connect() must be its socket(). */
        for (int j = i - 1; j >= 0; j--) {
            if (rec.events[j].fd == rec.events[i].fd) {
                reused |= rec.events[j].kind != MADE;
                break;
            }
        }
    }
    int leftover = unclosed(fd);
    if (fd >= 0)
        __real_close(fd);

    check(!reused,
          "the socket whose connect() failed was used again for the next address (calls: %s). "
          "After a failed connect() a socket is spent: close it and make a new socket().",
          events_text());
    check(leftover == 0,
          "the socket whose connect() failed was never closed (calls: %s): close it before "
          "trying the next address.",
          events_text());
    check(fd >= 0 && got_peer == (int)live,
          "a host with 2 addresses, the first refused, the second listening on port %u: expected "
          "a socket connected to the second, seen %d connected to port %d (stderr: %s; calls: "
          "%s). When a connect() fails, go on to the next address.",
          live, fd, got_peer, captured[0] ? captured : "nothing", events_text());
}

/* Misconception: the address list from getaddrinfo frees itself (a leak per connection), or
 * is freed only on one of the paths. */
static void frees_the_list_once_when_connected(void **state)
{
    (void)state;
    reset();
    unsigned port;
    int listen_fd = make_test_listener(&port);
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", port);

    int fd = call_connect_to("127.0.0.1", port_text);
    if (fd >= 0)
        __real_close(fd);
    __real_close(listen_fd);
    check(fd >= 0,
          "connect_to(\"127.0.0.1\", \"%s\") with a listener there returned -1 "
          "(stderr: %s)",
          port_text, captured);
    check(rec.frees == 1 && rec.freed == rec.given,
          "after connecting: expected freeaddrinfo() called once, on the list getaddrinfo() "
          "gave; seen %d call(s)%s. Call freeaddrinfo(addrs) once, after the loop.",
          rec.frees, rec.frees > 0 && rec.freed != rec.given ? ", on another pointer" : "");
}

/* Misconception: on the failure path there is nothing left to clean up. The list is still
 * there, and a client that retries later leaks one per attempt. */
static void frees_the_list_once_when_refused(void **state)
{
    (void)state;
    reset();
    char port_text[8];
    snprintf(port_text, sizeof port_text, "%u", dead_port());

    int fd = call_connect_to("127.0.0.1", port_text);
    if (fd >= 0)
        __real_close(fd);
    check(rec.frees == 1 && rec.freed == rec.given,
          "with nobody listening (connect_to fails): expected freeaddrinfo() called once, on the "
          "list getaddrinfo() gave; seen %d call(s)%s. Free the list on the failure path too.",
          rec.frees, rec.frees > 0 && rec.freed != rec.given ? ", on another pointer" : "");
}

/* Misconception: getaddrinfo() reports through errno like a system call, so perror() explains
 * its failure. It returns an EAI_ code instead, for gai_strerror(); errno is stale. */
static void resolver_failure_uses_gai_strerror(void **state)
{
    (void)state;
    reset();
    rec.gai_error = EAI_AGAIN;

    int fd = call_connect_to("slow.example", "9000");
    if (fd >= 0)
        __real_close(fd);
    const char *reason = gai_strerror(EAI_AGAIN);
    check(fd == -1, "getaddrinfo() failed (EAI_AGAIN): expected -1, seen %d", fd);
    check(strstr(captured, "slow.example") != NULL && strstr(captured, reason) != NULL,
          "getaddrinfo() failed with EAI_AGAIN (errno happened to hold ENOENT): expected a line "
          "naming slow.example and '%s' (gai_strerror's text), seen '%s'. getaddrinfo does not "
          "set errno: print gai_strerror(gai_status).",
          reason, captured);
    check(count_kind(MADE) == 0 && rec.frees == 0,
          "getaddrinfo() failed, so there is no list: expected no socket() and no "
          "freeaddrinfo(), seen %d socket(s) and %d freeaddrinfo() (calls: %s)",
          count_kind(MADE), rec.frees, events_text());
}

static const struct CMUnitTest tests[] = {
    // rules: unit-connects
    UNIT_TEST("connect_to returns a socket connected to the listening address",
              connects_to_a_listener),
    // rules: unit-refused
    UNIT_TEST("connect_to returns -1 and prints 'connect: Connection refused' when nobody listens",
              refused_gives_minus_one_and_says_so),
    // rules: unit-all-refuse
    UNIT_TEST("connect_to tries every address and closes every socket when all connects fail",
              closes_every_socket_when_all_fail),
    // rules: unit-new-socket
    UNIT_TEST("connect_to makes a new socket for the next address after a failed connect",
              fresh_socket_for_each_address),
    // rules: unit-free
    UNIT_TEST("connect_to calls freeaddrinfo once when it connects",
              frees_the_list_once_when_connected),
    // rules: unit-free
    UNIT_TEST("connect_to calls freeaddrinfo once when it fails", frees_the_list_once_when_refused),
    // rules: unit-gai
    UNIT_TEST("connect_to reports a resolver failure with gai_strerror, not errno",
              resolver_failure_uses_gai_strerror),
};

UNIT_MAIN("04-connect", tests)
