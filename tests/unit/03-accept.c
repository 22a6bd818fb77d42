/*
 * 03-accept.c - unit tests of lesson 03's format_addr (net.h), called directly.
 *
 * The address given to format_addr is built the way accept(2) fills it in: address and port in
 * network byte order. Every output buffer sits inside a larger one filled with a guard byte, so
 * a write past the size the function was given shows up as a changed guard byte here, rather
 * than as silent corruption (or an AddressSanitizer report that names no mistake).
 */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "net.h"

#define GUARD 'X'
#define ROOM 64 /* the real size of every buffer; format_addr is told less */

/* peer_at: a sockaddr_in for "ip:port", in network byte order, as accept() returns it. */
static struct sockaddr_in peer_at(const char *ip, uint16_t port)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1)
        fail_msg("test bug: bad address %s", ip);
    return addr;
}

/* shown: the first n bytes of buf, printable, for a message ('\0' as \0, the guard as X). */
static const char *shown(const char *buf, size_t n)
{
    static char out[4 * ROOM + 1];
    size_t at = 0;
    for (size_t i = 0; i < n && at + 4 < sizeof out; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\0')
            at += (size_t)snprintf(out + at, sizeof out - at, "\\0");
        else if (c >= 32 && c < 127)
            out[at++] = (char)c;
        else
            at += (size_t)snprintf(out + at, sizeof out - at, "\\x%02x", c);
    }
    out[at] = '\0';
    return out;
}

/* first_written_past: the index of the first byte at or after size that is no longer the
 * guard, or -1 if format_addr wrote nothing past size. */
static int first_written_past(const char *buf, size_t size)
{
    for (size_t i = size; i < ROOM; i++)
        if (buf[i] != GUARD)
            return (int)i;
    return -1;
}

/* text_is: true when buf holds expected, '\0'-terminated within size bytes (read no further). */
static int text_is(const char *buf, size_t size, const char *expected)
{
    return memchr(buf, '\0', size) != NULL && strcmp(buf, expected) == 0;
}

/* Misconception: sin_port can be printed as it is. It is in network byte order (big-endian):
 * printed without ntohs(), 54321 (0xD431) comes out as 12756 (0x31D4) on a little-endian PC. */
static void writes_address_and_port(void **state)
{
    (void)state;
    struct sockaddr_in addr = peer_at("127.0.0.1", 54321);
    char text[ROOM];
    memset(text, GUARD, sizeof text);
    errno = 0;
    int result = format_addr(&addr, text, ADDR_TEXT_SIZE);
    check(result == 0,
          "format_addr(127.0.0.1 port 54321, text, %d) should return 0, returned %d (errno: %s)",
          ADDR_TEXT_SIZE, result, strerror(errno));
    check(memchr(text, '\0', ADDR_TEXT_SIZE) != NULL,
          "the text is not '\\0'-terminated: %s (X: bytes never written)",
          shown(text, ADDR_TEXT_SIZE));
    if (strcmp(text, "127.0.0.1:12756") == 0)
        fail_msg("expected \"127.0.0.1:54321\", got \"127.0.0.1:12756\": the port's two bytes are "
                 "swapped. sin_port is in network byte order: print ntohs(addr->sin_port).");
    check(strcmp(text, "127.0.0.1:54321") == 0, "expected \"127.0.0.1:54321\", got \"%s\"", text);
}

/* Misconception: any buffer will do. The longest IPv4 text, with the largest port, must fit in
 * ADDR_TEXT_SIZE bytes with its '\0'; a fixed-width or signed print of the port does not. */
static void writes_the_longest_address(void **state)
{
    (void)state;
    struct sockaddr_in addr = peer_at("255.255.255.255", 65535);
    char text[ROOM];
    memset(text, GUARD, sizeof text);
    errno = 0;
    int result = format_addr(&addr, text, ADDR_TEXT_SIZE);
    check(result == 0,
          "format_addr(255.255.255.255 port 65535, text, %d) should return 0 (21 characters and "
          "the '\\0' fit exactly), returned %d (errno: %s)",
          ADDR_TEXT_SIZE, result, strerror(errno));
    check(memchr(text, '\0', ADDR_TEXT_SIZE) != NULL, "the text is not '\\0'-terminated: %s",
          shown(text, ADDR_TEXT_SIZE));
    check(strcmp(text, "255.255.255.255:65535") == 0,
          "expected \"255.255.255.255:65535\", got \"%s\" (print the port as unsigned, after "
          "ntohs)",
          text);
    check(first_written_past(text, ADDR_TEXT_SIZE) < 0, "it wrote past the %d bytes it was given",
          ADDR_TEXT_SIZE);
}

/* Misconception: sprintf, or inet_ntop then strcat, is safe because addresses are short. The
 * caller says how much room there is; a text that does not fit must fail, not overflow. The
 * boundary: "127.0.0.1:54321" is 15 characters, so 16 bytes fit and 15 do not. */
static void fails_when_too_small_and_never_overflows(void **state)
{
    (void)state;
    struct sockaddr_in addr = peer_at("127.0.0.1", 54321);
    char text[ROOM];

    memset(text, GUARD, sizeof text);
    errno = 0;
    int result = format_addr(&addr, text, 16);
    check(result == 0 && text_is(text, 16, "127.0.0.1:54321"),
          "with exactly enough room (16 bytes for 15 characters and the '\\0') format_addr should "
          "return 0 and write \"127.0.0.1:54321\"; it returned %d and wrote %s",
          result, shown(text, 16));

    static const size_t sizes[] = {15, 10, 9, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t size = sizes[i];
        memset(text, GUARD, sizeof text);
        errno = 0;
        result = format_addr(&addr, text, size);
        int past = first_written_past(text, size);
        check(past < 0,
              "format_addr(127.0.0.1 port 54321, text, %zu) wrote past the %zu bytes it was "
              "given (byte %d changed): a buffer overflow. Bound every write by size: "
              "snprintf(text, size, ...), never sprintf or strcat.",
              size, size, past);
        check(result == -1,
              "format_addr(..., text, %zu) should return -1: \"127.0.0.1:54321\" needs 16 "
              "bytes; it returned %d and wrote %s. snprintf returns the length it needed: "
              "compare it with size.",
              size, result, shown(text, size));
        check(errno != 0,
              "format_addr(..., text, %zu) returned -1 but left errno 0: set it (the "
              "reference uses ENOSPC) so the caller's perror() says why",
              size);
    }
}

/* Misconception: the text is complete whenever the function returns. A caller that prints the
 * text anyway must never run off its end: the result is '\0'-terminated inside size bytes,
 * on success and when it is cut short. strncpy, for one, leaves no '\0' when the text fills
 * the buffer. */
static void always_terminates(void **state)
{
    (void)state;
    struct sockaddr_in addr = peer_at("10.1.2.3", 80);
    char text[ROOM];

    memset(text, GUARD, sizeof text);
    errno = 0;
    int result = format_addr(&addr, text, ADDR_TEXT_SIZE);
    check(result == 0,
          "format_addr(10.1.2.3 port 80, text, %d) should return 0, returned %d (errno: %s)",
          ADDR_TEXT_SIZE, result, strerror(errno));
    check(memchr(text, '\0', ADDR_TEXT_SIZE) != NULL,
          "the text for 10.1.2.3:80 has no '\\0' in its %d bytes: %s (X: bytes never written)",
          ADDR_TEXT_SIZE, shown(text, ADDR_TEXT_SIZE));
    check(strcmp(text, "10.1.2.3:80") == 0, "expected \"10.1.2.3:80\", got \"%s\"", text);

    static const size_t sizes[] = {11, 8, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t size = sizes[i];
        memset(text, GUARD, sizeof text);
        result = format_addr(&addr, text, size);
        check(memchr(text, '\0', size) != NULL,
              "format_addr(10.1.2.3 port 80, text, %zu) returned %d and left no '\\0' in the %zu "
              "bytes: %s (X: bytes never written). Whatever happens, end the text inside size "
              "bytes: snprintf does.",
              size, result, size, shown(text, size));
    }
}

static const struct CMUnitTest tests[] = {
    // rules: unit-format
    UNIT_TEST("format_addr writes 127.0.0.1:54321 from network byte order",
              writes_address_and_port),
    // rules: unit-longest
    UNIT_TEST("format_addr fits the longest, 255.255.255.255:65535", writes_the_longest_address),
    // rules: unit-too-small
    UNIT_TEST("format_addr fails with -1 when the buffer is too small, and never overflows it",
              fails_when_too_small_and_never_overflows),
    // rules: unit-terminated
    UNIT_TEST("format_addr always terminates the text, even when it is cut short",
              always_terminates),
};

UNIT_MAIN("03-accept", tests)
