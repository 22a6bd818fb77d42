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
#include <stdio.h>
#include <sys/types.h>

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

/* On the wire a message is the bytes of one send(2), without newline or terminator, and the
 * receiver takes what one recv(2) of up to MSG_MAX bytes returns as one message (into a buffer
 * of MSG_MAX + 1 bytes: room for the '\0' it adds). A sender sends lines of at most MSG_MAX - 1
 * bytes, as the original chat did (its 1024-byte fgets buffer held 1023 characters). Lesson 07
 * shows why this is fragile, and fixes it. */
#define MSG_MAX 1024

/* send_all: send all len bytes of buf on fd. send(2) may send fewer bytes than asked (a "short
 * write") or be interrupted by a signal before sending anything (EINTR): both are retried.
 * Returns 0 once everything is sent, or -1 with errno set (EPIPE, ECONNRESET, ...). */
int send_all(int fd, const char *buf, size_t len);

/* recv_message: one recv(2) of at most size - 1 bytes into buf, then a '\0' after them, so buf
 * is always a string. Returns the number of bytes received, 0 when the peer has closed the
 * connection, or -1 with errno set. EINTR is returned, not retried: the caller decides. */
ssize_t recv_message(int fd, char *buf, size_t size);

/* chomp: remove one trailing "\n" or "\r\n" from line. Returns the new length. */
size_t chomp(char *line);

/* read_line: prompt with ">> " on stdout if stdin is a terminal, then read one line from in
 * into *line (grown by getline(3) as needed; free it once at the end) without its newline.
 * Returns the line's length, or -1 at end of input or on error. */
ssize_t read_line(FILE *in, char **line, size_t *cap);

/* ---- lesson 07: lines on a byte stream ----------------------------------------------------
 * From lesson 07 on, a message is a line: its text, then "\n". TCP delivers a stream of bytes
 * with no boundaries: one recv(2) can return two lines, half a line, or a line and the start of
 * the next. recv_line finds the lines in the stream, whatever pieces it comes in.
 *
 * A line is at most MSG_MAX bytes on the wire, its "\n" included: 1023 bytes of text (1022
 * before a "\r\n", since the "\r" counts too). A "\r" just before the "\n" is removed, so
 * lines from a Windows program or telnet ("\r\n") read the same. */

/* line_buffer: the bytes received on one connection and not yet returned as a line. One per
 * connection, starting empty ({0}), kept from one recv_line call to the next. */
struct line_buffer {
    char data[MSG_MAX]; /* data[0 .. len - 1]: received, not yet returned */
    size_t len;
};

/* recv_line: the next line received on fd, into line (size bytes; MSG_MAX is enough) without
 * its "\n" (or "\r\n"), '\0'-terminated. It returns a line already in lb if there is one,
 * and calls recv(2) only when lb holds no complete line; what follows the line stays in lb for
 * the next call. When the peer closes after a last line without "\n", that line is returned
 * (1) and the next call returns 0.
 * Returns 1 (a line), 0 (the peer has closed and nothing is pending), or -1 with errno set:
 * EMSGSIZE for a line longer than the limit (lb is emptied: close the connection), or recv's
 * errno. EINTR is returned, not retried, and lb keeps every byte: call again. */
int recv_line(int fd, struct line_buffer *lb, char *line, size_t size);

/* send_line: send the len bytes of text, then "\n", with send_all: one message. text holds no
 * "\n" and len is at most MSG_MAX - 1. Returns 0, or -1 with errno set (EMSGSIZE for a text
 * too long to be a line, or send's errno). */
int send_line(int fd, const char *text, size_t len);

#endif
