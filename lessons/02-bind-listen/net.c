/*
 * net.c - the socket functions of the chat programs.
 *
 * socket(2) makes the descriptor, bind(2) gives it an address, listen(2) turns it into a
 * listening socket that the kernel queues connections on. Byte order matters in between: the
 * address and port inside struct sockaddr_in are in network byte order (big-endian).
 *
 * Fill in the TODOs in order; lessons/02-bind-listen/README.md explains each one.
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
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

    /* TODO 1: set SO_REUSEADDR on listen_fd with setsockopt(2), before bind: level SOL_SOCKET,
     *         the value a pointer to an int 1 and its size. If it fails,
     *         return close_and_fail(listen_fd, "setsockopt SO_REUSEADDR"). */

    /* TODO 2: fill a struct sockaddr_in addr: zero it with memset, then sin_family = AF_INET,
     *         sin_port = the port in network byte order (htons), sin_addr.s_addr = 127.0.0.1
     *         in network byte order (htonl(INADDR_LOOPBACK)). */

    /* TODO 3: bind(2) listen_fd to addr: pass (struct sockaddr *)&addr and sizeof addr. If it
     *         fails, return close_and_fail(listen_fd, "bind 127.0.0.1:%u", (unsigned)port),
     *         which prints "bind 127.0.0.1:9000: Address already in use" (for example). */

    /* TODO 4: listen(2) on listen_fd with a queue of BACKLOG connections. If it fails,
     *         return close_and_fail(listen_fd, "listen"). */

    /* TODO 5: return listen_fd. Until then these lines say the work is not done yet and give
     *         the socket back: delete them. */
    (void)port;
    errno = ENOSYS;
    return close_and_fail(listen_fd, "make_listener");
}

int local_port(int fd)
{
    /* TODO 6: ask getsockname(2) which address fd is bound to: a struct sockaddr_in addr, and
     *         a socklen_t addr_len = sizeof addr (in: the room you give, out: what the kernel
     *         wrote). Return -1 if it fails, else the port in host byte order,
     *         ntohs(addr.sin_port). Delete the three lines below. */
    (void)fd;
    errno = ENOSYS;
    return -1;
}
