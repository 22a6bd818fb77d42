/*
 * Unit tests for lesson 06: how send_all() and recv_message() (net.h) report the end of a
 * connection to the loops that must react to it.
 *
 * A clean close depends on three return values reaching the caller unchanged: 0 from recv() (the
 * peer's FIN: the conversation is over), -1 with EINTR (a signal: look at the stop flag), and -1
 * with EPIPE or ECONNRESET (the peer vanished: report it and move on). Real sockets (a
 * socketpair) show the kernel's side; wrapped send() and recv() produce the rarer answers on
 * demand. write(2) and read(2) on a socket are send and recv with flags 0, and a correct
 * program may use them: they follow the same scripts.
 */
// wrap: send recv write read
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

ssize_t __real_send(int fd, const void *buf, size_t len, int flags);
ssize_t __real_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __real_read(int fd, void *buf, size_t len);

/* A scripted answer for the next calls of send() or recv(): fail `failures` times with
 * errno `error`, then behave like the real call. With failures 0 every call is real. */
struct script {
    int failures;
    int error;
    int calls;
};

static struct script send_script, recv_script;

static void script_reset(void)
{
    memset(&send_script, 0, sizeof send_script);
    memset(&recv_script, 0, sizeof recv_script);
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
    send_script.calls++;
    if (send_script.failures > 0) {
        send_script.failures--;
        errno = send_script.error;
        return -1;
    }
    return __real_send(fd, buf, len, flags);
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
    recv_script.calls++;
    if (recv_script.failures > 0) {
        recv_script.failures--;
        errno = recv_script.error;
        return -1;
    }
    return __real_recv(fd, buf, len, flags);
}

/* is_test_socket: true for a socket, or a descriptor that is not open at all (the scripted
 * tests pass 42, which only the scripts answer). */
static int is_test_socket(int fd)
{
    struct stat st;
    return fstat(fd, &st) < 0 || S_ISSOCK(st.st_mode);
}

/* write(2) and read(2) on a socket are send and recv with flags 0: same scripts, real calls. */
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
    if (!is_test_socket(fd))
        return __real_write(fd, buf, len);
    if (send_script.failures > 0)
        return __wrap_send(fd, buf, len, 0);
    send_script.calls++;
    return __real_write(fd, buf, len);
}

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
    if (!is_test_socket(fd))
        return __real_read(fd, buf, len);
    if (recv_script.failures > 0)
        return __wrap_recv(fd, buf, len, 0);
    recv_script.calls++;
    return __real_read(fd, buf, len);
}

/* A connected pair of stream sockets: what one end sends, the other receives. */
static void make_pair(int pair[2])
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0)
        fail_msg("socketpair: %s (a problem of the test machine, not of your code)",
                 strerror(errno));
}

/* Misconception: a recv() of 0 bytes is an empty message. It is the peer's orderly close, and
 * recv_message must hand the 0 back (with an empty string) so the chat loop can end. */
static void test_recv_zero_on_close(void **state)
{
    (void)state;
    script_reset();
    int pair[2];
    make_pair(pair);
    close(pair[1]); /* the peer closes: its FIN is all that comes */
    char buf[16];
    memset(buf, 'x', sizeof buf);
    ssize_t got = recv_message(pair[0], buf, sizeof buf);
    close(pair[0]);
    check(got == 0,
          "recv_message on a connection the peer has closed: expected 0 (the peer's FIN, end of "
          "the conversation), seen %zd",
          got);
    check(buf[0] == '\0',
          "after a recv() of 0 bytes buf must be the empty string (buf[0] == '\\0'), seen "
          "buf[0] = '%c': terminate at buf[n] with n = 0 too",
          buf[0]);
}

/* Misconception: data and the close arrive separately, so the last message is lost or the close
 * is missed. The bytes come first, then 0. */
static void test_recv_data_then_zero(void **state)
{
    (void)state;
    script_reset();
    int pair[2];
    make_pair(pair);
    check(__real_send(pair[1], "bye", 3, 0) == 3, "the test could not send (not your code)");
    close(pair[1]);
    char buf[16];
    ssize_t first = recv_message(pair[0], buf, sizeof buf);
    check(first == 3 && strcmp(buf, "bye") == 0,
          "the peer sent \"bye\" and then closed: the first recv_message should return 3 and "
          "\"bye\", seen %zd and \"%s\"",
          first, first >= 0 ? buf : "");
    ssize_t second = recv_message(pair[0], buf, sizeof buf);
    close(pair[0]);
    check(second == 0,
          "after the last message, the next recv_message should return 0 (the close), seen %zd",
          second);
}

/* Misconception: a reset connection is the same as an orderly close, or is retried. recv()
 * fails with ECONNRESET; recv_message returns -1 and leaves errno alone for perror(). */
static void test_recv_connreset(void **state)
{
    (void)state;
    script_reset();
    recv_script.failures = 1;
    recv_script.error = ECONNRESET;
    char buf[16];
    errno = 0;
    ssize_t got = recv_message(42, buf, sizeof buf);
    int seen_errno = errno;
    check(got == -1, "recv() failed with ECONNRESET: recv_message should return -1, seen %zd", got);
    check(seen_errno == ECONNRESET,
          "recv() failed with ECONNRESET: errno should still be ECONNRESET for perror(), seen "
          "%s: no other call between the failure and the return",
          strerror(seen_errno));
    check(recv_script.calls == 1,
          "a reset connection never recovers: recv() should be called once, seen %d calls",
          recv_script.calls);
}

/* Misconception: EINTR should always be retried. With SIGINT handled without SA_RESTART, the
 * EINTR is how the server's loop learns about Ctrl-C: recv_message must return it. */
static void test_recv_eintr_returned(void **state)
{
    (void)state;
    script_reset();
    recv_script.failures = 1;
    recv_script.error = EINTR;
    char buf[16];
    errno = 0;
    ssize_t got = recv_message(42, buf, sizeof buf);
    int seen_errno = errno;
    check(got == -1 && seen_errno == EINTR,
          "recv() interrupted by a signal (EINTR): recv_message should return -1 with errno "
          "EINTR, so the caller can look at its stop flag; seen %zd and %s",
          got, strerror(seen_errno));
    check(recv_script.calls == 1,
          "recv_message must not retry after EINTR (the caller decides): recv() called %d "
          "times",
          recv_script.calls);
}

/* Misconception: a failed send() is worth retrying. EPIPE means the peer is gone for good:
 * send_all returns -1 at once with errno EPIPE, instead of looping forever. */
static void test_send_epipe(void **state)
{
    (void)state;
    script_reset();
    send_script.failures = 1;
    send_script.error = EPIPE;
    errno = 0;
    int result = send_all(42, "hello", 5);
    int seen_errno = errno;
    check(result == -1 && seen_errno == EPIPE,
          "send() failed with EPIPE: send_all should return -1 with errno EPIPE, seen %d and %s",
          result, strerror(seen_errno));
    check(send_script.calls == 1, "EPIPE is final: send() should be called once, seen %d calls",
          send_script.calls);
}

/* The same with ECONNRESET, the first answer after an RST. */
static void test_send_connreset(void **state)
{
    (void)state;
    script_reset();
    send_script.failures = 1;
    send_script.error = ECONNRESET;
    errno = 0;
    int result = send_all(42, "hello", 5);
    int seen_errno = errno;
    check(result == -1 && seen_errno == ECONNRESET,
          "send() failed with ECONNRESET: send_all should return -1 with errno ECONNRESET, "
          "seen %d and %s",
          result, strerror(seen_errno));
    check(send_script.calls == 1,
          "ECONNRESET is final: send() should be called once, seen %d calls", send_script.calls);
}

/* With a real socket: SIGPIPE ignored (as the lesson's programs do), a send to a peer that has
 * closed its socket fails with EPIPE, and the process lives on to say so. */
static void test_send_to_closed_peer(void **state)
{
    (void)state;
    script_reset();
    struct sigaction ignore, old;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old);
    int pair[2];
    make_pair(pair);
    close(pair[1]);
    errno = 0;
    int result = send_all(pair[0], "hello", 5);
    int seen_errno = errno;
    close(pair[0]);
    sigaction(SIGPIPE, &old, NULL);
    check(result == -1 && seen_errno == EPIPE,
          "send_all to a socket whose peer has closed (SIGPIPE ignored): expected -1 with errno "
          "EPIPE, seen %d and %s",
          result, strerror(seen_errno));
}

/* Misconception: with a handler installed, a send() interrupted before it sent anything has
 * failed. EINTR there means "nothing sent yet": send_all tries again and sends everything. */
static void test_send_eintr_retried(void **state)
{
    (void)state;
    script_reset();
    int pair[2];
    make_pair(pair);
    send_script.failures = 1;
    send_script.error = EINTR;
    int result = send_all(pair[0], "hello", 5);
    char buf[16] = {0};
    ssize_t got = result == 0 ? __real_recv(pair[1], buf, sizeof buf - 1, MSG_DONTWAIT) : -1;
    close(pair[0]);
    close(pair[1]);
    check(result == 0 && got == 5 && strcmp(buf, "hello") == 0,
          "send() interrupted once by a signal (EINTR), then working: send_all should retry and "
          "return 0 with \"hello\" sent; seen %d, and \"%s\" received",
          result, got > 0 ? buf : "");
}

static const struct CMUnitTest tests[] = {
    // rules: unit-recv-close
    UNIT_TEST("recv_message returns 0 and an empty string when the peer has closed",
              test_recv_zero_on_close),
    // rules: unit-recv-last
    UNIT_TEST("recv_message returns the last message first, then 0 for the close",
              test_recv_data_then_zero),
    // rules: unit-recv-reset
    UNIT_TEST("recv_message returns -1 with errno ECONNRESET for a reset connection",
              test_recv_connreset),
    // rules: unit-recv-eintr
    UNIT_TEST("recv_message hands EINTR back to the caller instead of retrying",
              test_recv_eintr_returned),
    // rules: unit-send-epipe
    UNIT_TEST("send_all returns -1 with errno EPIPE at once when the peer is gone",
              test_send_epipe),
    // rules: unit-send-reset
    UNIT_TEST("send_all returns -1 with errno ECONNRESET at once after a reset",
              test_send_connreset),
    // rules: unit-send-sigpipe
    UNIT_TEST("send_all to a closed socket fails with EPIPE when SIGPIPE is ignored",
              test_send_to_closed_peer),
    // rules: unit-send-eintr
    UNIT_TEST("send_all retries a send() interrupted by a signal (EINTR)", test_send_eintr_retried),
};

UNIT_MAIN("06-clean-close", tests)
