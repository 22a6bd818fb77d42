/*
 * server.c - the chat server.
 *
 *   server [port]      port defaults to 9000; 0 lets the kernel pick a free one
 *
 * Prints "listening on 127.0.0.1:PORT", then for each client that connects
 * "connection from 127.0.0.1:PEERPORT", and closes that connection at once. It serves until
 * SIGINT (Ctrl-C) or SIGTERM.
 *
 * Fill in the TODOs in order; lessons/03-accept/README.md explains each one.
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
        /* TODO 1: make room for the peer's address: a struct sockaddr_in peer, and a socklen_t
         *         peer_len set to sizeof peer. accept() reads peer_len (how much room there
         *         is) and writes it back (how much it used), so set it before every call. */

        /* TODO 2: take the next connection: conn_fd = accept(listen_fd, ...) with
         *         (struct sockaddr *)&peer and &peer_len (man 2 accept). It waits until a
         *         client comes. On -1, errno EINTR or ECONNABORTED: continue with the next
         *         one; any other error: perror("accept") and return.
         *         Then delete the two lines below: they only keep the starter waiting, like
         *         lesson 02's server, instead of spinning round this loop. */
        (void)listen_fd;
        pause();

        /* TODO 3: write the peer's address into a char peer_text[ADDR_TEXT_SIZE] with
         *         format_addr() (net.h), then printf("connection from %s\n", peer_text).
         *         If format_addr fails, perror("format_addr") instead. */

        /* TODO 4: close(conn_fd), and perror("close") if that fails. Close conn_fd, the
         *         client's socket, never listen_fd: that one waits for the next client. */
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
