/*
 * client.c - the chat client.
 *
 *   client [host [port]]   host defaults to 127.0.0.1 (a name like localhost works too),
 *                          port to 9000
 *
 * Prints "connected to 127.0.0.1:PORT". Then, turn by turn: read a line from stdin and send
 * it, wait for the server's reply and print it as "server: TEXT". Typing "exit" (or ending
 * stdin with Ctrl-D) closes the connection and exits 0. Empty lines are not sent. When the
 * server goes away it prints "server closed the connection" and exits 1.
 *
 * Messages are lines: TEXT and "\n" on the wire ("\r\n" accepted), at most 1023 bytes of
 * text. A longer reply is "client: line too long (more than 1023 bytes)" on stderr, and the
 * client closes the connection and exits 1.
 */
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* chat: talk with the server on sock_fd, turn by turn, until the user types "exit" or stdin
 * ends (returns 0), or the connection fails or the server leaves (returns -1). */
static int chat(int sock_fd)
{
    char reply[MSG_MAX + 1]; /* one line, and the '\0' after it */
    char *line = NULL;
    size_t cap = 0;
    int status = 0;
    /* The server's bytes not yet returned as a line. */
    struct line_buffer pending = {0};
    for (;;) {
        ssize_t len = read_line(stdin, &line, &cap);
        if (len < 0)
            break; /* end of stdin (Ctrl-D): the user is done */
        if (strcmp(line, "exit") == 0)
            break;
        if (len == 0)
            continue; /* a zero-byte send would leave both sides waiting */
        if (len >= MSG_MAX) {
            fprintf(stderr, "client: message too long (%zd bytes, at most %d): not sent\n", len,
                    MSG_MAX - 1);
            continue;
        }

        if (send_line(sock_fd, line, (size_t)len) < 0) {
            perror("send");
            status = -1;
            break;
        }

        ssize_t nread = recv_line(sock_fd, &pending, reply, sizeof reply);
        if (nread < 0) {
            if (errno == EMSGSIZE)
                fprintf(stderr, "client: line too long (more than %d bytes)\n", MSG_MAX - 1);
            else
                perror("recv");
            status = -1;
            break;
        }
        if (nread == 0) {
            printf("server closed the connection\n");
            status = -1;
            break;
        }
        printf("server: %s\n", reply);
    }
    free(line);
    return status;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    const char *port_text = argc > 2 ? argv[2] : "9000";
    if (argc > 3) {
        fprintf(stderr, "usage: client [host [port]]\n");
        return 2;
    }

    /* Port 0 means "any" to bind(2), but nobody can listen on it: reject it here. */
    uint16_t port;
    if (parse_port(port_text, &port) < 0 || port == 0) {
        fprintf(stderr, "client: bad port '%s': expected a number from 1 to 65535\n", port_text);
        return 2;
    }

    /* Flush stdout at every newline, even into a pipe or a file. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Sending to a server that has gone would raise SIGPIPE, whose default action kills us
     * without a word. Ignored, send(2) fails with EPIPE instead, and we can say so. */
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &ignore, NULL) < 0) {
        perror("sigaction SIGPIPE");
        return EXIT_FAILURE;
    }

    int sock_fd = connect_to(host, port_text);
    if (sock_fd < 0)
        return EXIT_FAILURE;

    /* Which address did the name lead to? Ask the socket. */
    struct sockaddr_in server;
    socklen_t server_len = sizeof server;
    char server_text[ADDR_TEXT_SIZE];
    if (getpeername(sock_fd, (struct sockaddr *)&server, &server_len) < 0) {
        perror("getpeername");
        close(sock_fd);
        return EXIT_FAILURE;
    }
    if (format_addr(&server, server_text, sizeof server_text) < 0) {
        perror("format_addr");
        close(sock_fd);
        return EXIT_FAILURE;
    }
    printf("connected to %s\n", server_text);

    int status = chat(sock_fd);
    if (close(sock_fd) < 0) {
        perror("close");
        return EXIT_FAILURE;
    }
    if (status < 0)
        return EXIT_FAILURE;
    return EXIT_SUCCESS;
}
