/*
 * net.c - the socket functions of the chat programs.
 *
 * socket(2) makes the descriptor, bind(2) gives it an address, listen(2) turns it into a
 * listening socket that the kernel queues connections on. Byte order matters in between: the
 * address and port inside struct sockaddr_in are in network byte order (big-endian).
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int parse_port(const char *text, uint16_t *port)
{
    /* strtol accepts a sign and leading spaces; a port is digits only. */
    if (text[0] < '0' || text[0] > '9')
        return -1;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value > 65535)
        return -1;
    *port = (uint16_t)value;
    return 0;
}

/* close_and_fail: after a failed call, print "WHAT: reason" on stderr (WHAT is a printf
 * format and its arguments), close fd unless it is -1, and return -1 with errno still set by
 * the failed call. errno is saved first: printing and closing may both change it (glibc's
 * perror() sets EINVAL when stderr is a file or a pipe). */
static int close_and_fail(int fd, const char *what, ...)
{
    int saved = errno;
    va_list args;
    va_start(args, what);
    vfprintf(stderr, what, args);
    va_end(args);
    fprintf(stderr, ": %s\n", strerror(saved));
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

int make_listener(uint16_t port)
{
    int listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd < 0)
        return close_and_fail(listen_fd, "socket"); /* -1: nothing to close */

    /* Without SO_REUSEADDR, bind fails with "Address already in use" for about a minute after
     * a server that had clients stops: its old connections wait in TIME_WAIT on the port. */
    int one = 1;
    if (setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return close_and_fail(listen_fd, "setsockopt SO_REUSEADDR");

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);                   /* network byte order */
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1: this machine only */
    if (bind(listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0)
        return close_and_fail(listen_fd, "bind 127.0.0.1:%u", (unsigned)port);

    if (listen(listen_fd, BACKLOG) < 0)
        return close_and_fail(listen_fd, "listen");
    return listen_fd;
}

int local_port(int fd)
{
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &addr_len) < 0)
        return -1;
    return ntohs(addr.sin_port);
}

int format_addr(const struct sockaddr_in *addr, char *text, size_t size)
{
    char ip[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, &addr->sin_addr, ip, sizeof ip) == NULL)
        return -1;
    /* sin_port is in network byte order: ntohs turns it back into a number we can print. */
    int len = snprintf(text, size, "%s:%u", ip, (unsigned)ntohs(addr->sin_port));
    if (len < 0 || (size_t)len >= size) {
        errno = ENOSPC;
        return -1;
    }
    return 0;
}

int connect_to(const char *host, const char *port)
{
    /* IPv4 and TCP only, like the server; lesson 13 opens this up to IPv6. */
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;

    struct addrinfo *addrs;
    int gai_status = getaddrinfo(host, port, &hints, &addrs);
    if (gai_status != 0) {
        /* getaddrinfo does not use errno: gai_strerror(3) turns its result into words. */
        fprintf(stderr, "client: cannot resolve '%s': %s\n", host, gai_strerror(gai_status));
        return -1;
    }

    /* A name can have several addresses: try each until one connects. */
    int sock_fd = -1;
    int connect_errno = 0;
    for (struct addrinfo *ai = addrs; ai != NULL; ai = ai->ai_next) {
        sock_fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (sock_fd < 0) {
            connect_errno = errno;
            continue;
        }
        if (connect(sock_fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        /* After a failed connect the socket is unusable: close it, try a fresh one. */
        connect_errno = errno;
        close(sock_fd);
        sock_fd = -1;
    }
    freeaddrinfo(addrs);

    if (sock_fd < 0) {
        errno = connect_errno;
        perror("connect");
    }
    return sock_fd;
}

/* ---- lesson 05: exchanging messages ------------------------------------------------------
 * send(2) and recv(2) move bytes, not strings: they say how many bytes they moved, and that
 * number is all there is to know where a message ends.
 */

int send_all(int fd, const char *buf, size_t len)
{
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, buf + sent, len - sent, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue; /* nothing was sent: try again */
            return -1;
        }
        sent += (size_t)n; /* maybe fewer than asked: send the rest */
    }
    return 0;
}

ssize_t recv_message(int fd, char *buf, size_t size)
{
    ssize_t n = recv(fd, buf, size - 1, 0);
    if (n < 0)
        return -1;
    buf[n] = '\0'; /* recv(2) knows nothing of strings: terminate it ourselves */
    return n;
}

size_t chomp(char *line)
{
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\n') {
        line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r') /* "\r\n": a line written on Windows */
            line[--len] = '\0';
    }
    return len;
}

ssize_t read_line(FILE *in, char **line, size_t *cap)
{
    /* The prompt is for a person at a terminal; in a pipe or a file it would only add bytes
     * to the output that nobody asked for. */
    if (isatty(fileno(in))) {
        fputs(">> ", stdout);
        fflush(stdout);
    }
    if (getline(line, cap, in) < 0)
        return -1;
    return (ssize_t)chomp(*line);
}

/* ---- lesson 07: lines on a byte stream ---------------------------------------------------
 * TCP keeps the order of the bytes, never the boundaries of the send() calls that wrote them.
 * The receiver puts the boundaries back: it keeps what it has received in a line_buffer and
 * hands out one line, up to its "\n", at a time.
 */

/* take_line: move the first used bytes of lb (one line, its "\n" included if it has one) into
 * line as a string without "\n" or "\r\n", and shift what follows to the front of lb. Returns
 * 1, or -1 with errno EMSGSIZE when the text does not fit in line's size bytes. */
static int take_line(struct line_buffer *lb, size_t used, char *line, size_t size)
{
    /* TODO 1: the line is lb->data[0] to lb->data[used - 1]. Its text is those bytes without
     *         a last "\n", and without a "\r" just before that "\n" (a "\r" anywhere else
     *         stays). If the text and its '\0' do not fit in line (its length >= size): set
     *         lb->len = 0 and errno = EMSGSIZE, and return -1. Else copy the text into line,
     *         end it with '\0', move the lb->len - used bytes after the line to the front of
     *         lb->data (memmove(3): the two places overlap), take used off lb->len, return 1. */
    (void)lb;
    (void)used;
    (void)line;
    (void)size;
    errno = ENOSYS; /* stand-in: delete these lines */
    return -1;
}

int recv_line(int fd, struct line_buffer *lb, char *line, size_t size)
{
    /* TODO 2: loop until there is something to return:
     *         - a "\n" among the lb->len bytes of lb->data (memchr(3))? Then the line is there
     *           already, no recv() needed: return take_line(lb, LEN, line, size), LEN the
     *           bytes up to and including that "\n".
     *         - lb->data full (lb->len == sizeof lb->data) and no "\n" in it: the line is too
     *           long. Set lb->len = 0 and errno = EMSGSIZE, return -1.
     *         - else recv(2) more, after the lb->len bytes already there, at most the room
     *           that is left (sizeof lb->data - lb->len). -1: return -1 (EINTR too: lb keeps
     *           its bytes). 0: the peer has closed: return 0 when lb is empty, else the last
     *           line, which has no "\n": take_line(lb, lb->len, line, size). n > 0: add n to
     *           lb->len, and go round. */
    (void)fd;
    (void)lb;
    (void)line;
    (void)size;
    (void)take_line; /* TODO 2 uses take_line: then delete this line */
    errno = ENOSYS;  /* stand-in: delete these lines */
    return -1;
}

int send_line(int fd, const char *text, size_t len)
{
    /* TODO 3: a text of MSG_MAX bytes or more cannot be a line: errno = EMSGSIZE, return -1.
     *         Else copy the text into a local char wire[MSG_MAX], put a '\n' after it, and send
     *         the len + 1 bytes with ONE send_all(fd, wire, len + 1): return what it returns.
     *         (Two calls, text then "\n", work too, but may go out as two TCP segments.) */
    (void)fd;
    (void)text;
    (void)len;
    errno = ENOSYS; /* stand-in: delete these lines */
    return -1;
}
