/*
 * server.c - the chat server.
 *
 *   server [port]      port defaults to 9000; 0 lets the kernel pick a free one
 *
 * Prints "listening on 127.0.0.1:PORT", then for each client that connects
 * "connection from 127.0.0.1:PEERPORT", and closes that connection at once. It serves until
 * SIGINT (Ctrl-C) or SIGTERM.
 */
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* serve: accept connections on listen_fd forever, print each peer, close each connection.
 * Returns only when accept(2) fails for a reason that retrying cannot fix. */
static void serve(int listen_fd)
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
            return;
        }

        char peer_text[ADDR_TEXT_SIZE];
        if (format_addr(&peer, peer_text, sizeof peer_text) == 0)
            printf("connection from %s\n", peer_text);
        else
            perror("format_addr");

        /* conn_fd is this client's own socket; listen_fd stays open for the next client. */
        if (close(conn_fd) < 0)
            perror("close");
    }
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

    serve(listen_fd);
    close(listen_fd);
    return EXIT_FAILURE;
}
