/*
 * server.c - lesson 05: the chat server, turn by turn.
 *
 *   server [port]      port defaults to 9000; 0 lets the kernel pick a free one
 *
 * Accepts one client. Then, turn by turn: receive a message and print it as "client: TEXT",
 * read a reply line from stdin and send it back. When the client closes the connection it
 * prints "connection closed" and exits (lesson 06 goes back to accept the next client).
 * End of stdin (Ctrl-D) ends the server too: there is nobody left to type the replies.
 */
#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* next_reply: read lines from stdin until one can be sent: an empty line would be a zero-byte
 * send, which the peer cannot tell from nothing; a line over MSG_MAX - 1 bytes would not fit in
 * one message. Returns its length, or -1 at end of input. */
static ssize_t next_reply(char **line, size_t *cap)
{
    for (;;) {
        ssize_t len = read_line(stdin, line, cap);
        if (len < 0)
            return -1;
        if (len >= MSG_MAX) {
            fprintf(stderr, "server: message too long (%zd bytes, at most %d): not sent\n", len,
                    MSG_MAX - 1);
            continue;
        }
        if (len > 0)
            return len;
    }
}

/* chat: talk with the client on conn_fd, turn by turn, until it leaves or stdin ends. */
static void chat(int conn_fd)
{
    char message[MSG_MAX + 1];
    char *line = NULL;
    size_t cap = 0;
    for (;;) {
        ssize_t nread = recv_message(conn_fd, message, sizeof message);
        if (nread < 0) {
            perror("recv");
            break;
        }
        if (nread == 0) { /* the client closed its end */
            printf("connection closed\n");
            break;
        }
        printf("client: %s\n", message);

        ssize_t len = next_reply(&line, &cap);
        if (len < 0)
            break;
        if (send_all(conn_fd, line, (size_t)len) < 0) {
            perror("send");
            break;
        }
    }
    free(line);
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
    int bound_port = local_port(listen_fd);
    if (bound_port < 0) {
        perror("getsockname");
        close(listen_fd);
        return EXIT_FAILURE;
    }
    printf("listening on 127.0.0.1:%d\n", bound_port);

    struct sockaddr_in peer;
    socklen_t peer_len = sizeof peer;
    int conn_fd = accept(listen_fd, (struct sockaddr *)&peer, &peer_len);
    if (conn_fd < 0) {
        perror("accept");
        close(listen_fd);
        return EXIT_FAILURE;
    }
    char peer_text[ADDR_TEXT_SIZE];
    if (format_addr(&peer, peer_text, sizeof peer_text) == 0)
        printf("connection from %s\n", peer_text);

    chat(conn_fd);

    close(conn_fd);
    close(listen_fd);
    return EXIT_SUCCESS;
}
