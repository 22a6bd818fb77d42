/*
 * 07-framing.c - unit tests of lesson 07's recv_line and send_line (net.h).
 *
 * recv(2) and send(2) are replaced by the fakes below (the line after this comment makes
 * scripts/check link with -Wl,--wrap=recv,send). The fake recv follows a script: it hands out
 * the peer's bytes in chunks of a chosen size, fails with an errno, or reports the close, so a
 * test can cut the same stream at every place a network could: one byte at a time, between
 * "\r" and "\n", in the middle of the next line. The fake send takes as few bytes per call as
 * the test says, and keeps what went "on the wire".
 */
// wrap: recv send
#include "unit.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "net.h"

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);

/* shown: the first n bytes of buf, printable, for a message ("\n" as \n, others as \xNN). It
 * takes turns between a few buffers, so one message can show two texts. */
static const char *shown(const char *buf, size_t n)
{
    static char outs[4][256];
    static unsigned turn;
    char *out = outs[turn++ % 4];
    size_t at = 0;
    for (size_t i = 0; i < n && at + 8 < sizeof outs[0]; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n')
            at += (size_t)snprintf(out + at, sizeof outs[0] - at, "\\n");
        else if (c == '\r')
            at += (size_t)snprintf(out + at, sizeof outs[0] - at, "\\r");
        else if (c >= 32 && c < 127)
            out[at++] = (char)c;
        else
            at += (size_t)snprintf(out + at, sizeof outs[0] - at, "\\x%02x", c);
    }
    if (at + 8 >= sizeof outs[0])
        at += (size_t)snprintf(out + at, sizeof outs[0] - at, "...");
    out[at] = '\0';
    return out;
}

/* ---- the fake recv(2) --------------------------------------------------------------------
 * The peer's bytes are data[0 .. data_len - 1]; each call hands out at most `chunk` of them
 * (and at most what it was asked for). At steps listed in fail_at (a call number, from 1) it
 * fails with fail_errno instead. Once the data is all handed out it returns 0: the peer has
 * closed. It checks that recv_line never asks it to write past the line buffer. */

#define MAX_RECV_CALLS 10000 /* a recv_line that loops forever is stopped here */

static struct {
    const char *data;
    size_t data_len;
    size_t given;
    size_t chunk;
    int fail_at[4];
    int fail_errno;
    int calls;
    const struct line_buffer *lb;
} fake_recv;

static void plan_recv(const char *data, size_t data_len, size_t chunk, const struct line_buffer *lb)
{
    memset(&fake_recv, 0, sizeof fake_recv);
    fake_recv.data = data;
    fake_recv.data_len = data_len;
    fake_recv.chunk = chunk;
    fake_recv.lb = lb;
}

ssize_t __wrap_recv(int fd, void *buf, size_t len, int flags)
{
    (void)fd;
    (void)flags;
    fake_recv.calls++;
    if (fake_recv.calls > MAX_RECV_CALLS)
        fail_msg("recv_line called recv() more than %d times for a few lines: it loops without "
                 "returning. Return a line as soon as the buffer holds a '\\n', and 0 when recv() "
                 "returns 0 with nothing pending.",
                 MAX_RECV_CALLS);
    const char *start = fake_recv.lb->data;
    const char *end = start + sizeof fake_recv.lb->data;
    const char *into = buf;
    if (into >= start && into < end && len > (size_t)(end - into))
        fail_msg("recv_line asked recv() for %zu bytes at offset %td of lb->data, which has "
                 "room for only %td more: a long line would overflow the buffer. Ask for at "
                 "most the room that is left, sizeof lb->data - lb->len.",
                 len, into - start, end - into);
    if (len == 0)
        fail_msg("recv_line called recv() asking for 0 bytes (the line buffer is full): recv() "
                 "then returns 0, which looks like the peer's close. A full buffer with no '\\n' "
                 "is a line too long: fail with EMSGSIZE before calling recv().");
    for (size_t i = 0; i < sizeof fake_recv.fail_at / sizeof fake_recv.fail_at[0]; i++) {
        if (fake_recv.fail_at[i] == fake_recv.calls) {
            errno = fake_recv.fail_errno;
            return -1;
        }
    }
    size_t left = fake_recv.data_len - fake_recv.given;
    size_t take = left < fake_recv.chunk ? left : fake_recv.chunk;
    if (take > len)
        take = len;
    memcpy(buf, fake_recv.data + fake_recv.given, take);
    fake_recv.given += take;
    return (ssize_t)take;
}

/* ---- the fake send(2) --------------------------------------------------------------------
 * Each call takes at most `take` bytes (a short write), or fails once with fail_errno at call
 * fail_at. What it took is kept in wire[], in order. */

static struct {
    size_t take;
    int fail_at;
    int fail_errno;
    int calls;
    char wire[4096];
    size_t wire_len;
} fake_send;

static void plan_send(size_t take)
{
    memset(&fake_send, 0, sizeof fake_send);
    fake_send.take = take;
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
    (void)fd;
    (void)flags;
    fake_send.calls++;
    if (fake_send.calls > 5000)
        fail_msg("send() called more than 5000 times for one line: send_all never stops.");
    if (fake_send.calls == fake_send.fail_at) {
        errno = fake_send.fail_errno;
        return -1;
    }
    size_t take = len < fake_send.take ? len : fake_send.take;
    if (take > sizeof fake_send.wire - fake_send.wire_len)
        fail_msg("more than %zu bytes sent for one line: the same bytes go out again and again.",
                 sizeof fake_send.wire);
    memcpy(fake_send.wire + fake_send.wire_len, buf, take);
    fake_send.wire_len += take;
    return (ssize_t)take;
}

/* ---- helpers -------------------------------------------------------------------------- */

/* The line recv_line writes into, with a guard after it: a write past `size` shows. */
static struct {
    char line[MSG_MAX];
    char guard[16];
} out;

static void reset_out(void)
{
    memset(&out, 'G', sizeof out);
}

/* expect_line: the next recv_line call returns 1 and the line `want`. */
static void expect_line(struct line_buffer *lb, const char *want, const char *when)
{
    errno = 0;
    int got = recv_line(42, lb, out.line, sizeof out.line);
    int saved = errno;
    check(got == 1,
          "%s: recv_line should return 1 and the line \"%s\"; it returned %d (errno %s) after "
          "%d recv() calls",
          when, shown(want, strlen(want)), got, strerror(saved), fake_recv.calls);
    check(memchr(out.line, '\0', sizeof out.line) != NULL,
          "%s: the line is not '\\0'-terminated: end it with line[len] = '\\0'", when);
    check(strcmp(out.line, want) == 0, "%s: expected the line \"%s\", seen \"%s\"", when,
          shown(want, strlen(want)), shown(out.line, strlen(out.line)));
    check(memcmp(out.guard, "GGGGGGGGGGGGGGGG", sizeof out.guard) == 0,
          "%s: recv_line wrote past the end of line (size %zu bytes)", when, sizeof out.line);
}

/* expect_close: the next recv_line call returns 0: the peer closed, nothing pending. */
static void expect_close(struct line_buffer *lb, const char *when)
{
    int got = recv_line(42, lb, out.line, sizeof out.line);
    check(got == 0,
          "%s: the peer has closed and every line was returned: recv_line should return 0, "
          "seen %d%s%s%s",
          when, got, got == 1 ? " and the line \"" : "",
          got == 1 ? shown(out.line, strlen(out.line)) : "", got == 1 ? "\"" : "");
}

/* ---- recv_line -------------------------------------------------------------------------- */

/* Misconception: one recv() is one message. The same stream, cut into chunks of every size
 * from 1 byte to all of it at once, must give the same lines: "\r\n" and "\n" ends, an empty
 * line, a lone "\r" inside a line, and a last line without "\n" before the close. */
static void test_every_chunk_size(void **state)
{
    (void)state;
    static const char stream[] = "hello\nworld\r\n\nabc\rdef\n你好\nlast";
    static const char *const lines[] = {"hello", "world", "", "abc\rdef", "你好", "last"};
    size_t len = sizeof stream - 1;
    for (size_t chunk = 1; chunk <= len; chunk++) {
        struct line_buffer lb = {0};
        plan_recv(stream, len, chunk, &lb);
        reset_out();
        char when[96];
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
            snprintf(when, sizeof when, "stream in chunks of %zu bytes, line %zu", chunk, i + 1);
            expect_line(&lb, lines[i], when);
        }
        snprintf(when, sizeof when, "stream in chunks of %zu bytes, after the last line", chunk);
        expect_close(&lb, when);
    }
}

/* Misconception: every call starts with a recv(). When two lines came in one recv(), the
 * second is already in the buffer: recv_line returns it without waiting for more bytes (a
 * recv() then would block the chat forever). */
static void test_no_recv_when_line_buffered(void **state)
{
    (void)state;
    static const char stream[] = "one\ntwo\n";
    struct line_buffer lb = {0};
    plan_recv(stream, sizeof stream - 1, 100, &lb);
    reset_out();
    expect_line(&lb, "one", "two lines in one recv(), first call");
    int before = fake_recv.calls;
    expect_line(&lb, "two", "two lines in one recv(), second call");
    check(fake_recv.calls == before,
          "the second line was already in the buffer, yet recv_line called recv() again (%d "
          "calls in all): look for a '\\n' in lb before calling recv(); on a real socket that "
          "recv() would block with a line waiting",
          fake_recv.calls);
}

/* Misconception: what follows a line can be dropped, or left where it was. "first\nsec" then
 * "ond\n": "sec" must wait at the front of the buffer, not be lost or returned again. */
static void test_rest_kept(void **state)
{
    (void)state;
    static const char stream[] = "first\nsecond\n";
    struct line_buffer lb = {0};
    plan_recv(stream, sizeof stream - 1, 9, &lb); /* "first\nsec", then "ond\n" */
    reset_out();
    expect_line(&lb, "first", "\"first\\nsec\" then \"ond\\n\", first call");
    check(lb.len == 3 && memcmp(lb.data, "sec", 3) == 0,
          "after returning \"first\" the buffer should hold the 3 bytes \"sec\" at its front; it "
          "holds %zu bytes \"%s\": move the rest to lb->data[0] (memmove) and take the line's "
          "length off lb->len",
          lb.len, shown(lb.data, lb.len < 40 ? lb.len : 40));
    expect_line(&lb, "second", "\"first\\nsec\" then \"ond\\n\", second call");
    expect_close(&lb, "after \"second\"");
}

/* Misconception: EINTR loses what came before it. recv_line hands EINTR back (the server's
 * loop must see its stop flag), and the bytes of the part line wait in lb for the next call. */
static void test_eintr_keeps_bytes(void **state)
{
    (void)state;
    static const char stream[] = "hello\n";
    struct line_buffer lb = {0};
    plan_recv(stream, sizeof stream - 1, 3, &lb);
    fake_recv.fail_at[0] = 2; /* "hel", then EINTR, then "lo\n" */
    fake_recv.fail_errno = EINTR;
    reset_out();
    errno = 0;
    int got = recv_line(42, &lb, out.line, sizeof out.line);
    int saved = errno;
    check(got == -1 && saved == EINTR,
          "recv() failed with EINTR after \"hel\": recv_line should return -1 with errno EINTR "
          "(the caller decides whether to stop), seen %d and %s",
          got, strerror(saved));
    check(lb.len == 3,
          "after EINTR the buffer should still hold \"hel\" (3 bytes), it holds %zu: never drop "
          "received bytes on an error",
          lb.len);
    expect_line(&lb, "hello", "after EINTR, the next call");
}

/* Misconception: recv() returning 0 in the middle of a line is an error, or the part line is
 * lost. The README: the last line is returned, and the next call returns 0. */
static void test_close_mid_line(void **state)
{
    (void)state;
    static const char stream[] = "bye";
    struct line_buffer lb = {0};
    plan_recv(stream, sizeof stream - 1, 1, &lb);
    reset_out();
    expect_line(&lb, "bye", "the peer sent \"bye\" without '\\n' and closed");
    expect_close(&lb, "after the last line \"bye\"");
}

/* The close with nothing pending: 0 at once. */
static void test_close_nothing_pending(void **state)
{
    (void)state;
    struct line_buffer lb = {0};
    plan_recv("", 0, 1, &lb);
    reset_out();
    expect_close(&lb, "the peer closed without sending anything");
}

/* The line's end is "\n", or "\r\n" even when the "\r" and the "\n" come in two recv() calls;
 * a "\r" alone is part of the text. */
static void test_crlf_split(void **state)
{
    (void)state;
    static const char stream[] = "abc\r\n\r\nx\ry\r\n";
    struct line_buffer lb = {0};
    plan_recv(stream, sizeof stream - 1, 4, &lb); /* "abc\r" | "\n\r\nx" | "\ry\r\n" */
    reset_out();
    expect_line(&lb, "abc", "\"abc\\r\" then \"\\n...\": split between \"\\r\" and \"\\n\"");
    expect_line(&lb, "", "an empty \"\\r\\n\" line");
    expect_line(&lb, "x\ry", "a '\\r' inside a line stays");
}

/* Misconception: the buffer's size is the limit, give or take one. 1023 bytes of text and its
 * "\n" are MSG_MAX bytes: a line. One byte more: -1 with EMSGSIZE, and no overflow. */
static void test_limit(void **state)
{
    (void)state;
    static char stream[2 * MSG_MAX + 8];
    memset(stream, 'x', MSG_MAX - 1);
    stream[MSG_MAX - 1] = '\n';
    memset(stream + MSG_MAX, 'y', MSG_MAX);
    stream[2 * MSG_MAX] = '\n';
    struct line_buffer lb = {0};
    plan_recv(stream, 2 * MSG_MAX + 1, 100, &lb);
    reset_out();
    static char want[MSG_MAX];
    memset(want, 'x', MSG_MAX - 1);
    want[MSG_MAX - 1] = '\0';
    expect_line(&lb, want, "a line of 1023 bytes and its '\\n' (the limit), in chunks of 100");
    errno = 0;
    int got = recv_line(42, &lb, out.line, sizeof out.line);
    int saved = errno;
    check(got == -1 && saved == EMSGSIZE,
          "a line of 1024 bytes (one over the limit): recv_line should return -1 with errno "
          "EMSGSIZE, seen %d and %s",
          got, strerror(saved));
    check(memcmp(out.guard, "GGGGGGGGGGGGGGGG", sizeof out.guard) == 0,
          "recv_line wrote past the end of line for a line over the limit");
}

/* The line buffer is smaller than the line: EMSGSIZE, never a write past it. */
static void test_small_line(void **state)
{
    (void)state;
    static const char stream[] = "hello\n";
    struct line_buffer lb = {0};
    plan_recv(stream, sizeof stream - 1, 100, &lb);
    char small[8];
    memset(small, 'G', sizeof small);
    errno = 0;
    int got = recv_line(42, &lb, small, 4);
    int saved = errno;
    check(got == -1 && saved == EMSGSIZE,
          "\"hello\" into a line of size 4: recv_line should return -1 with errno EMSGSIZE, "
          "seen %d and %s",
          got, strerror(saved));
    check(memcmp(small + 4, "GGGG", 4) == 0,
          "recv_line wrote past the 4 bytes of line: check the text's length against size "
          "before copying");
}

/* A reset connection: recv()'s error, as it is. */
static void test_connreset(void **state)
{
    (void)state;
    struct line_buffer lb = {0};
    plan_recv("abc", 3, 100, &lb);
    fake_recv.fail_at[0] = 2;
    fake_recv.fail_errno = ECONNRESET;
    errno = 0;
    int got = recv_line(42, &lb, out.line, sizeof out.line);
    int saved = errno;
    check(got == -1 && saved == ECONNRESET,
          "recv() failed with ECONNRESET: recv_line should return -1 with errno ECONNRESET, "
          "seen %d and %s",
          got, strerror(saved));
}

/* ---- send_line -------------------------------------------------------------------------- */

/* Misconception: a message is the text, as in lesson 06. Now it is the text and "\n", all of
 * it even when send() takes one byte per call. */
static void test_send_line_short_writes(void **state)
{
    (void)state;
    plan_send(1);
    int result = send_line(42, "hello", 5);
    check(result == 0 && fake_send.wire_len == 6 && memcmp(fake_send.wire, "hello\n", 6) == 0,
          "send_line(\"hello\") through a send() that takes 1 byte per call: expected 0 and "
          "\"hello\\n\" on the wire, seen %d and \"%s\"",
          result, shown(fake_send.wire, fake_send.wire_len));
}

/* One message, one send_all: text and "\n" together, not two sends. */
static void test_send_line_one_piece(void **state)
{
    (void)state;
    plan_send(100000);
    int result = send_line(42, "hi", 2);
    check(result == 0 && fake_send.wire_len == 3 && memcmp(fake_send.wire, "hi\n", 3) == 0,
          "send_line(\"hi\"): expected \"hi\\n\" on the wire, seen \"%s\"",
          shown(fake_send.wire, fake_send.wire_len));
    check(fake_send.calls == 1,
          "send_line made %d send() calls for \"hi\\n\" when send() takes everything: put the "
          "text and its '\\n' in one buffer and send it with one send_all(), or the \"\\n\" can "
          "go out as a TCP segment of its own",
          fake_send.calls);
}

/* The limit on the sending side: 1023 bytes of text go out with their "\n"; 1024 are refused
 * with EMSGSIZE, and nothing is sent. */
static void test_send_line_limit(void **state)
{
    (void)state;
    static char text[MSG_MAX];
    memset(text, 'z', sizeof text);
    plan_send(100000);
    int result = send_line(42, text, MSG_MAX - 1);
    check(result == 0 && fake_send.wire_len == MSG_MAX && fake_send.wire[MSG_MAX - 1] == '\n',
          "send_line of 1023 bytes: expected 0 and 1024 bytes on the wire ending in '\\n', seen "
          "%d and %zu bytes",
          result, fake_send.wire_len);
    plan_send(100000);
    errno = 0;
    result = send_line(42, text, MSG_MAX);
    int saved = errno;
    check(result == -1 && saved == EMSGSIZE && fake_send.wire_len == 0,
          "send_line of 1024 bytes (over the limit): expected -1 with errno EMSGSIZE and nothing "
          "sent, seen %d, %s, %zu bytes sent",
          result, strerror(saved), fake_send.wire_len);
}

/* A send() interrupted by a signal is retried (send_all's job), an EPIPE is returned. */
static void test_send_line_errors(void **state)
{
    (void)state;
    plan_send(100000);
    fake_send.fail_at = 1;
    fake_send.fail_errno = EINTR;
    int result = send_line(42, "hey", 3);
    check(result == 0 && fake_send.wire_len == 4 && memcmp(fake_send.wire, "hey\n", 4) == 0,
          "send() interrupted once (EINTR): send_line should retry and send \"hey\\n\", seen %d "
          "and \"%s\"",
          result, shown(fake_send.wire, fake_send.wire_len));
    plan_send(100000);
    fake_send.fail_at = 1;
    fake_send.fail_errno = EPIPE;
    errno = 0;
    result = send_line(42, "hey", 3);
    int saved = errno;
    check(result == -1 && saved == EPIPE,
          "send() failed with EPIPE: send_line should return -1 with errno EPIPE, seen %d and %s",
          result, strerror(saved));
}

static const struct CMUnitTest tests[] = {
    UNIT_TEST("recv_line returns the same lines for chunks of every size, 1 byte to all at once",
              test_every_chunk_size),
    UNIT_TEST("recv_line returns a line already buffered without calling recv()",
              test_no_recv_when_line_buffered),
    UNIT_TEST("recv_line keeps what follows a line at the front of the buffer", test_rest_kept),
    UNIT_TEST("recv_line hands EINTR back and keeps the bytes received before it",
              test_eintr_keeps_bytes),
    UNIT_TEST("recv_line returns a last line cut by the close, then 0", test_close_mid_line),
    UNIT_TEST("recv_line returns 0 when the peer closes with nothing pending",
              test_close_nothing_pending),
    UNIT_TEST("recv_line removes the CR of a CR LF split over two recv() calls", test_crlf_split),
    UNIT_TEST("recv_line takes 1023 bytes of text and refuses 1024 with EMSGSIZE", test_limit),
    UNIT_TEST("recv_line refuses a line longer than its line buffer with EMSGSIZE",
              test_small_line),
    UNIT_TEST("recv_line returns -1 with errno ECONNRESET for a reset connection", test_connreset),
    UNIT_TEST("send_line sends the text and its newline through one-byte short writes",
              test_send_line_short_writes),
    UNIT_TEST("send_line sends the text and its newline in one piece", test_send_line_one_piece),
    UNIT_TEST("send_line sends 1023 bytes and refuses 1024 with EMSGSIZE", test_send_line_limit),
    UNIT_TEST("send_line retries EINTR and returns EPIPE", test_send_line_errors),
};

UNIT_MAIN("07-framing", tests)
