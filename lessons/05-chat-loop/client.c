/*
 * client.c - the chat client.
 *
 *   client [host [port]]   host defaults to 127.0.0.1 (a name like localhost works too),
 *                          port to 9000
 *
 * Prints "connected to 127.0.0.1:PORT". Then, turn by turn: read a line from stdin and send
 * it, wait for the server's reply and print it as "server: TEXT". Typing "exit" (or ending
 * stdin with Ctrl-D) closes the connection and exits 0. Empty lines are not sent.
 *
 * Fill in TODOs 4 to 6 (after TODOs 1 to 3 in net.c); lessons/05-chat-loop/README.md explains
 * each one.
 */
#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* chat: talk with the server on sock_fd, turn by turn, until the user types "exit" or stdin
 * ends (returns 0), or the connection fails or the server leaves (returns -1). */
static int chat(int sock_fd)
{
    char reply[MSG_MAX + 1]; /* one message, and the '\0' that recv_message adds */
    char *line = NULL;
    size_t cap = 0;
    int status = 0;
    for (;;) {
        ssize_t len = read_line(stdin, &line, &cap);
        if (len < 0)
            break; /* end of stdin (Ctrl-D): the user is done */

        /* TODO 4: decide whether this line is a message.
         *         - "exit" is not: it ends the chat. Leave the loop without sending it.
         *         - An empty line (len == 0) is not: send() of 0 bytes puts nothing on the
         *           wire, so the server would never hear of it while you wait for its reply.
         *           Skip it (continue) and read the next line.
         *         - A line of MSG_MAX bytes or more does not fit in one message: say so on
         *           stderr and skip it. */

        /* TODO 5: send the len bytes of line with send_all(): the text and nothing else (no
         *         newline: read_line removed it; no '\0'). If it fails: perror("send"),
         *         status = -1, and leave the loop. */

        /* TODO 6: wait for the reply: recv_message(sock_fd, reply, sizeof reply).
         *         -1: perror("recv"), status = -1, leave the loop.
         *          0: the server closed the connection: print "server closed the connection",
         *             status = -1, leave the loop.
         *         more: print "server: " and the reply, then a newline. */
        (void)sock_fd; /* these two lines only keep the compiler quiet: delete them */
        (void)reply;
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
