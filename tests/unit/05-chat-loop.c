/*
 * 05-chat-loop.c - unit tests of lesson 05's send_all, recv_message and chomp (net.h).
 *
 * send(2) and recv(2) are replaced by the fakes below (the line after this comment makes
 * scripts/check link with -Wl,--wrap=send,recv), so a test can make the kernel do what it
 * rarely does on loopback but does do on a busy network: take only a few bytes per send(),
 * be interrupted by a signal, reset the connection. The fakes never touch a real socket.
 * write(2) and read(2) on the test's socket (fd 7) go to the same fakes: on a socket they are
 * send and recv with flags 0, and a correct program may use them.
 */
// wrap: send recv write read
#include "unit.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "net.h"

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);
ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __real_read(int fd, void *buf, size_t len);

/* The descriptor the tests hand to send_all and recv_message: no real file. */
#define TEST_FD 7

/* shown: the first n bytes of buf, printable, for a message ('\0' as \0, others as \xNN).
 * It takes turns between a few buffers, so one message can show two texts. */
static const char *shown(const char *buf, size_t n)
{
    static char outs[4][512];
    static unsigned turn;
    char *out = outs[turn++ % 4];
    size_t at = 0;
    for (size_t i = 0; i < n && at + 5 < sizeof outs[0]; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\0')
            at += (size_t)snprintf(out + at, sizeof outs[0] - at, "\\0");
        else if (c == '\n')
            at += (size_t)snprintf(out + at, sizeof outs[0] - at, "\\n");
        else if (c == '\r')
            at += (size_t)snprintf(out + at, sizeof outs[0] - at, "\\r");
        else if (c >= 32 && c < 127)
            out[at++] = (char)c;
        else
            at += (size_t)snprintf(out + at, sizeof outs[0] - at, "\\x%02x", c);
    }
    out[at] = '\0';
    return out;
}

/* ---- the fake send(2) --------------------------------------------------------------------
 * It follows a plan, one step per call: a positive step takes at most that many bytes (a short
 * write), a negative one fails with errno -step. After the last step the plan starts again.
 * Everything "sent" is kept in wire[], in order, as the peer would receive it. */

#define TAKE_ALL 1000000
#define MAX_CALLS 5000 /* a send_all that loops forever is stopped here */

static struct {
    int plan[8];
    size_t steps;
    size_t calls;
    char wire[2048];
    size_t wire_len;
} fake_send;

static void plan_send(const int *plan, size_t steps)
{
    memset(&fake_send, 0, sizeof fake_send);
    memcpy(fake_send.plan, plan, steps * sizeof plan[0]);
    fake_send.steps = steps;
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
    (void)fd;
    (void)flags;
    int step = fake_send.plan[fake_send.calls % fake_send.steps];
    fake_send.calls++;
    if (fake_send.calls > MAX_CALLS)
        fail_msg("send_all called send() more than %d times for a short message without "
                 "stopping: after %zu bytes sent, the last call failed or sent nothing. Advance by "
                 "what send() returned, and stop on an error other than EINTR.",
                 MAX_CALLS, fake_send.wire_len);
    if (step < 0) {
        errno = -step;
        return -1;
    }
    size_t take = len < (size_t)step ? len : (size_t)step;
    if (take > sizeof fake_send.wire - fake_send.wire_len)
        fail_msg("send_all sent more than %zu bytes in all for a message of a few dozen: it "
                 "sends the same bytes again and again.",
                 sizeof fake_send.wire);
    memcpy(fake_send.wire + fake_send.wire_len, buf, take);
    fake_send.wire_len += take;
    return (ssize_t)take;
}

/* ---- the fake recv(2) --------------------------------------------------------------------
 * It copies up to len bytes of data (the bytes the peer sent), or returns 0 when data is "" (the
 * peer closed), or fails with error. It records what it was asked for. */

static struct {
    const char *data;
    int error;
    size_t calls;
    size_t asked;
} fake_recv;

static void plan_recv(const char *data, int error)
{
    memset(&fake_recv, 0, sizeof fake_recv);
    fake_recv.data = data;
    fake_recv.error = error;
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
    (void)fd;
    (void)flags;
    fake_recv.calls++;
    fake_recv.asked = len;
    if (fake_recv.error != 0) {
        if (fake_recv.calls > 1)
            fail_msg("recv() failed with %s and recv_message called it again. By its contract "
                     "recv_message makes one recv() and returns -1 with errno set: the caller "
                     "decides what to do.",
                     strerror(fake_recv.error));
        errno = fake_recv.error;
        return -1;
    }
    size_t have = strlen(fake_recv.data);
    size_t take = len < have ? len : have;
    memcpy(buf, fake_recv.data, take);
    return (ssize_t)take;
}

/* write(2) and read(2) on the test's socket are send and recv with flags 0; on any other
 * descriptor they are the real calls. */
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
    return fd == TEST_FD ? __wrap_send(fd, buf, len, 0) : __real_write(fd, buf, len);
}

ssize_t __wrap_read(int fd, void *buf, size_t len)
{
    return fd == TEST_FD ? __wrap_recv(fd, buf, len, 0) : __real_read(fd, buf, len);
}

/* ---- send_all ----------------------------------------------------------------------------- */

/* sent_at_all / received_at_all: fail at once, with a message that says so, when the function
 * under test never called send() / recv(). */
static void sent_at_all(int result)
{
    check(fake_send.calls > 0,
          "send_all returned %d without calling send() even once: call send() in a loop until "
          "every byte is sent (TODO 1)",
          result);
}

static void received_at_all(ssize_t result)
{
    check(fake_recv.calls > 0,
          "recv_message returned %zd without calling recv(): make one recv() of at most size - 1 "
          "bytes (TODO 2)",
          result);
}

static const char message[] = "hello, world: a message of a few dozen bytes, 你好，世界";

/* Misconception: send() always sends everything it is given. It returns how many bytes it
 * took, which may be fewer (a "short write": a full socket buffer, a signal); the rest must be
 * sent by another call, starting where the last one stopped. */
static void sends_everything_despite_short_writes(void **state)
{
    (void)state;
    static const int plan[] = {1, 3, 2};
    plan_send(plan, 3);
    size_t len = strlen(message);
    int result = send_all(7, message, len);
    sent_at_all(result);
    check(fake_send.wire_len == len,
          "send() took 1 to 3 bytes per call, and send_all returned %d after %zu of %zu bytes "
          "(\"%s\"): a short write. Loop until every byte is sent: send(fd, buf + sent, len - "
          "sent, 0), and add what each call returns to sent.",
          result, fake_send.wire_len, len, shown(fake_send.wire, fake_send.wire_len));
    check(memcmp(fake_send.wire, message, len) == 0,
          "send() took 1 to 3 bytes per call and the peer received \"%s\" instead of \"%s\": "
          "each call must start where the last one stopped (buf + sent), with the bytes still "
          "to send (len - sent).",
          shown(fake_send.wire, fake_send.wire_len), message);
    check(result == 0, "send_all sent every byte but returned %d: it should return 0", result);
}

/* Misconception: -1 from send() always means the connection is broken. EINTR means a signal
 * arrived before anything was sent: nothing is wrong, try again. */
static void retries_after_eintr(void **state)
{
    (void)state;
    static const int plan[] = {-EINTR, TAKE_ALL};
    plan_send(plan, 2);
    size_t len = strlen(message);
    errno = 0;
    int result = send_all(7, message, len);
    sent_at_all(result);
    check(result == 0 && fake_send.wire_len == len && memcmp(fake_send.wire, message, len) == 0,
          "the first send() failed with EINTR (a signal arrived; nothing was sent), the second "
          "would have taken everything. send_all returned %d with %zu of %zu bytes sent, after "
          "%zu send() calls. EINTR is not an error of the connection: call send() again.",
          result, fake_send.wire_len, len, fake_send.calls);
}

/* Misconception: every error is worth another try, or the error can be reported later. A
 * reset connection will never take the bytes: return -1 at once, with errno still saying why
 * (no perror(), close() or printf() in between that could change it). */
static void fails_with_econnreset(void **state)
{
    (void)state;
    static const int plan[] = {2, -ECONNRESET};
    plan_send(plan, 2);
    errno = 0;
    int result = send_all(7, message, strlen(message));
    int saved = errno;
    sent_at_all(result);
    check(result == -1,
          "send() took 2 bytes, then failed with ECONNRESET (the peer reset the connection); "
          "send_all returned %d after %zu send() calls. It should return -1 at once.",
          result, fake_send.calls);
    check(saved == ECONNRESET,
          "send_all returned -1 but errno is %d (%s), not ECONNRESET: leave errno as send() set "
          "it, so the caller's perror(\"send\") says \"Connection reset by peer\".",
          saved, strerror(saved));
    check(fake_send.calls == 2,
          "send_all called send() %zu times; after ECONNRESET it should stop (only EINTR is "
          "worth another try).",
          fake_send.calls);
}

/* ---- recv_message ------------------------------------------------------------------------- */

#define ROOM 32   /* the real size of the test's buffer */
#define GUARD 'X' /* what fills it beforehand */

/* Misconception: recv() returns a string. It returns bytes, and how many: no '\0' arrives over
 * the wire, so printing the buffer with %s runs on into whatever was there before. */
static void terminates_the_message(void **state)
{
    (void)state;
    char buf[ROOM];
    memset(buf, GUARD, sizeof buf);
    plan_recv("hello", 0);
    ssize_t result = recv_message(7, buf, 16);
    received_at_all(result);
    check(result == 5,
          "the peer sent 5 bytes, \"hello\"; recv_message(fd, buf, 16) should return 5, it "
          "returned %zd (recv() was asked for %zu bytes)",
          result, fake_recv.asked);
    check(buf[5] == '\0',
          "after recv_message the buffer holds \"%s\": the 5 bytes and no '\\0' after them "
          "(X: bytes that were there before). recv() does not terminate strings: put buf[n] = "
          "'\\0' after the n bytes it returned.",
          shown(buf, 16));
    check(strcmp(buf, "hello") == 0, "expected the string \"hello\", the buffer holds \"%s\"",
          shown(buf, 16));
}

/* Misconception: recv(fd, buf, size, 0) is the right size. A message that fills all size
 * bytes leaves no room for the '\0', which then lands one byte past the buffer (and
 * sizeof buf, inside a function, is the size of a pointer). */
static void never_writes_past_size(void **state)
{
    (void)state;
    char buf[ROOM];
    memset(buf, GUARD, sizeof buf);
    plan_recv("ABCDEFGHIJKLMNOPQRST", 0); /* 20 bytes waiting; the buffer is given as 6 */
    ssize_t result = recv_message(7, buf, 6);
    received_at_all(result);
    size_t past = 0;
    for (size_t i = 6; i < sizeof buf; i++)
        if (buf[i] != GUARD)
            past++;
    check(past == 0,
          "recv_message(fd, buf, 6) wrote past its 6 bytes: the buffer now starts \"%s\" "
          "(X: untouched) after recv() was asked for %zu bytes. Ask for at most size - 1 bytes "
          "and keep the last byte for the '\\0'.",
          shown(buf, 12), fake_recv.asked);
    check(result == 5 && memcmp(buf, "ABCDE", 6) == 0,
          "with 20 bytes waiting, recv_message(fd, buf, 6) should take 5 (size - 1), return 5 "
          "and leave \"ABCDE\\0\"; it returned %zd and left \"%s\"",
          result, shown(buf, 6));
}

/* Misconception: recv() returning 0 is an empty message. It means the peer closed the
 * connection: no more bytes will ever come. */
static void returns_zero_on_close(void **state)
{
    (void)state;
    char buf[ROOM];
    memset(buf, GUARD, sizeof buf);
    plan_recv("", 0);
    ssize_t result = recv_message(7, buf, 16);
    received_at_all(result);
    check(result == 0,
          "recv() returned 0 (the peer closed the connection); recv_message should return 0, "
          "it returned %zd",
          result);
}

/* Misconception: a helper should hide every error. recv_message's contract says EINTR comes
 * back as -1 with errno set, and the caller decides (lesson 06's server retries). */
static void returns_eintr_without_retrying(void **state)
{
    (void)state;
    char buf[ROOM];
    memset(buf, GUARD, sizeof buf);
    plan_recv("", EINTR);
    errno = 0;
    ssize_t result = recv_message(7, buf, 16);
    int saved = errno;
    received_at_all(result);
    check(result == -1 && saved == EINTR,
          "recv() failed with EINTR; recv_message should return -1 with errno EINTR, it "
          "returned %zd with errno %d (%s)",
          result, saved, strerror(saved));
}

/* ---- chomp -------------------------------------------------------------------------------- */

/* chomped: chomp a copy of text; fail unless it becomes expected and returns its length. */
static void chomped(const char *text, const char *expected)
{
    char line[64];
    snprintf(line, sizeof line, "%s", text);
    size_t result = chomp(line);
    check(strcmp(line, expected) == 0 && result == strlen(expected),
          "chomp(\"%s\") should leave \"%s\" and return %zu; it left \"%s\" and returned %zu",
          shown(text, strlen(text)), expected, strlen(expected), shown(line, strlen(line)), result);
}

/* Misconception: the newline is part of the message. getline() keeps the '\n' the user typed;
 * on the wire a message has no newline, so it must go before the line is sent. */
static void strips_a_newline(void **state)
{
    (void)state;
    chomped("hello\n", "hello");
    chomped("\n", "");
    chomped("hello", "hello");
    chomped("", "");
}

/* Misconception: only '\n' ends a line. Text from Windows, or from a telnet-like client, ends
 * with "\r\n"; a '\r' left behind moves the cursor back to the start of the line on screen. */
static void strips_a_carriage_return_and_newline(void **state)
{
    (void)state;
    chomped("hello\r\n", "hello");
    chomped("\r\n", "");
    chomped("two\nlines\n", "two\nlines");
}

/* Misconception: any '\r' at the end goes. The contract is one trailing "\n" or "\r\n": a
 * '\r' with no newline after it is part of the text, and stays. */
static void keeps_a_lone_carriage_return(void **state)
{
    (void)state;
    const char *texts[] = {"hello\r", "\r"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s", texts[i]);
        size_t result = chomp(line);
        check(strcmp(line, texts[i]) == 0 && result == strlen(texts[i]),
              "chomp(\"%s\") should leave it as it is and return %zu; it left \"%s\" and returned "
              "%zu: a '\\r' goes only as part of a trailing \"\\r\\n\"",
              shown(texts[i], strlen(texts[i])), strlen(texts[i]), shown(line, strlen(line)),
              result);
    }
}

static const struct CMUnitTest tests[] = {
    // rules: unit-send-all
    UNIT_TEST("send_all sends every byte when send() takes only 1 to 3 bytes at a time",
              sends_everything_despite_short_writes),
    // rules: unit-send-errors
    UNIT_TEST("send_all tries again when send() is interrupted by a signal (EINTR)",
              retries_after_eintr),
    // rules: unit-send-errors
    UNIT_TEST("send_all returns -1 with errno ECONNRESET when the peer resets the connection",
              fails_with_econnreset),
    // rules: unit-recv
    UNIT_TEST("recv_message ends the bytes it received with a zero byte, making a string",
              terminates_the_message),
    // rules: unit-recv
    UNIT_TEST("recv_message never writes past the size it is given", never_writes_past_size),
    // rules: unit-recv
    UNIT_TEST("recv_message returns 0 when the peer has closed the connection",
              returns_zero_on_close),
    // rules: unit-recv
    UNIT_TEST("recv_message returns -1 with errno EINTR, without trying again",
              returns_eintr_without_retrying),
    // rules: unit-chomp
    UNIT_TEST("chomp removes the newline at the end of a line", strips_a_newline),
    // rules: unit-chomp
    UNIT_TEST("chomp removes a carriage return and newline (CRLF) at the end of a line",
              strips_a_carriage_return_and_newline),
    // rules: unit-chomp
    UNIT_TEST("chomp keeps a carriage return that no newline follows",
              keeps_a_lone_carriage_return),
};

UNIT_MAIN("05-chat-loop", tests)
