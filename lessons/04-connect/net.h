/*
 * net.h - the socket functions of the chat programs, and the contract of each.
 *
 * Each function states its contract: what it returns, and what it leaves behind when it fails.
 * The unit tests (tests/unit/NN-name.c) call them directly.
 */
#ifndef NET_H
#define NET_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* The chat's port, as in the original program. */
#define DEFAULT_PORT 9000

/* How many finished connections the kernel may queue before accept(2) takes them. */
#define BACKLOG 16

/* parse_port: read a port number written in decimal, "0" to "65535", nothing else (no sign, no
 * spaces, no trailing characters). Returns 0 and stores it in *port, or -1 for anything else
 * ("", "abc", "-1", "70000", "80x"), leaving *port unchanged. Does not set errno. */
int parse_port(const char *text, uint16_t *port);

/* make_listener: a TCP socket bound to 127.0.0.1:port with SO_REUSEADDR set, listening.
 * Port 0 asks the kernel to pick a free port. Returns the socket's descriptor, or -1 with errno
 * set by the call that failed, after printing "what: reason" on stderr. On failure the socket
 * is closed: nothing leaks. */
int make_listener(uint16_t port);

/* local_port: the port the socket fd is bound to, read back with getsockname(2), in host byte
 * order. Returns -1 with errno set on failure. */
int local_port(int fd);

/* The longest text format_addr writes: "255.255.255.255:65535" and its '\0'. */
#define ADDR_TEXT_SIZE 22

/* format_addr: write an IPv4 address and port as "127.0.0.1:54321" into text (size bytes,
 * ADDR_TEXT_SIZE is enough), always '\0'-terminated. The address and port in *addr are in
 * network byte order, as accept(2) and getpeername(2) fill them in. Returns 0, or -1 with errno
 * set (ENOSPC) when text is too small. */
int format_addr(const struct sockaddr_in *addr, char *text, size_t size);

/* connect_to: resolve host (a name such as "localhost" or an address such as "127.0.0.1") and
 * port with getaddrinfo(3), IPv4 only, and connect a TCP socket to the first address that
 * accepts. Returns the connected socket's descriptor, or -1 after printing on stderr why
 * ("connect: Connection refused", or the resolver's reason for a host it cannot find). Every
 * socket it tried and did not return is closed. */
int connect_to(const char *host, const char *port);

#endif
