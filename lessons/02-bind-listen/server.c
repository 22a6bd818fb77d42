/*
 * server.c - the chat server.
 *
 *   server [port]      port defaults to 9000; 0 lets the kernel pick a free one
 *
 * Prints "listening on 127.0.0.1:PORT" with the port it really got, then stays up until
 * SIGINT (Ctrl-C) or SIGTERM. Clients can connect: the kernel completes the TCP handshake and
 * queues them, but nobody accepts them yet. That is lesson 03.
 *
 * This file is complete: your work is in net.c (TODOs 1 to 6), and the README explains it.
 */
#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

    /* Sleep until a signal ends the process; its default action closes everything. */
    for (;;)
        pause();
}
