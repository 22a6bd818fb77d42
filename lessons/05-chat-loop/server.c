/*
 * server.c - the chat server.
 *
 *   server [port]      port defaults to 9000; 0 lets the kernel pick a free one
 *
 * Prints "listening on 127.0.0.1:PORT", then "connection from 127.0.0.1:PEERPORT" when a client
 * connects. Then, turn by turn: receive a message and print it as "client: TEXT", read a reply
 * line from stdin and send it back. When the client closes the connection it prints
 * "connection closed" and exits 0: the `break` at the end of serve() stops it after one client
 * (lesson 06 removes it). End of stdin (Ctrl-D) ends the chat too: there is nobody left to type
 * the replies.
 *
 * Fill in TODOs 7 to 9 (after TODOs 1 to 3 in net.c); lessons/05-chat-loop/README.md explains
 * each one.
 */
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* next_reply: read lines from stdin until one can be sent as a message (not empty, at most
 * MSG_MAX - 1 bytes). Returns its length, or -1 at end of input. */
static ssize_t next_reply(char **line, size_t *cap)
{
    for (;;) {
        ssize_t len = read_line(stdin, line, cap);
        if (len < 0)
            return -1;

        /* TODO 7: not every line is a message. An empty line (len == 0) would be a send() of
         *         0 bytes: nothing goes out, and the client goes on waiting for the reply
         *         while this server waits for the client. A line of MSG_MAX bytes or more does
         *         not fit in one message: say so on stderr. Skip both (continue); return the
         *         length of the first line that can be sent. */
        return len;
    }
}

/* chat: talk with the client on conn_fd, turn by turn, until it leaves or stdin ends. */
static void chat(int conn_fd)
{
    char message[MSG_MAX + 1]; /* one message, and the '\0' that recv_message adds */
    char *line = NULL;
    size_t cap = 0;
    for (;;) {
        /* TODO 8: receive one message: recv_message(conn_fd, message, sizeof message).
         *         -1: perror("recv"), leave the loop.
         *          0: the client closed its end of the connection. That is not an empty
         *             message: print "connection closed" and leave the loop.
         *         more: print "client: " and the message, then a newline. */
        (void)message; /* only keeps the compiler quiet: delete it */

        ssize_t len = next_reply(&line, &cap);
        if (len < 0)
            break; /* end of stdin: nobody is left to type the replies */

        /* TODO 9: send the reply back on conn_fd, the socket accept() gave for this client
         *         (not listen_fd): send_all() of its len bytes, nothing more. If it fails:
         *         perror("send") and leave the loop. */
        (void)conn_fd; /* only keeps the compiler quiet: delete it */
    }
    free(line);
}

/* serve: accept connections on listen_fd, print each peer, chat with it, close its connection.
 * Returns 0 after the one client lesson 05 serves, or -1 when accept(2) fails for a reason
 * that retrying cannot fix. */
static int serve(int listen_fd)
{
    for (;;) {
        struct sockaddr_in peer;
        socklen_t peer_len = sizeof peer; /* in: the room we have; out: what the kernel wrote */
        int conn_fd = accept(listen_fd, (struct sockaddr *)&peer, &peer_len);
        if (conn_fd < 0) {
            /* A signal, or a client that gave up while queued: try the next one. */
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("accept");
            return -1;
        }

        char peer_text[ADDR_TEXT_SIZE];
        if (format_addr(&peer, peer_text, sizeof peer_text) == 0)
            printf("connection from %s\n", peer_text);
        else
            perror("format_addr");

        chat(conn_fd);

        /* conn_fd is this client's own socket; listen_fd stays open for the next client. */
        if (close(conn_fd) < 0)
            perror("close");

        /* One client is all lesson 05 serves: this break ends the loop. Lesson 06 removes it,
         * and the server goes back to accept() the next client. */
        break;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint16_t port = DEFAULT_PORT;
    if (argc > 2) {
        fprintf(stderr, "usage: server [port]\n");
        return 2;
    }
    if (argc == 2 && parse_port(argv[1], &port) < 0) {
        fprintf(stderr, "server: bad port '%s': expected a number from 0 to 65535\n", argv[1]);
        return 2;
    }

    /* Flush stdout at every newline, even into a pipe or a file, so whoever reads our output
     * (a test, a script) sees each line as it is printed. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    int listen_fd = make_listener(port);
    if (listen_fd < 0)
        return EXIT_FAILURE;

    /* Asked for port 0? Only the kernel knows which port we got: ask it. */
    int bound_port = local_port(listen_fd);
    if (bound_port < 0) {
        perror("getsockname");
        close(listen_fd);
        return EXIT_FAILURE;
    }
    printf("listening on 127.0.0.1:%d\n", bound_port);

    int status = serve(listen_fd);
    if (close(listen_fd) < 0) {
        perror("close");
        return EXIT_FAILURE;
    }
    return status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
