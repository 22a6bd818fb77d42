/*
 * client.c - the chat client.
 *
 *   client [host [port]]   host defaults to 127.0.0.1 (a name like localhost works too),
 *                          port to 9000
 *
 * Prints "connected to 127.0.0.1:PORT" and exits 0. With no server there, connect(2) fails at
 * once: "connect: Connection refused" on stderr and exit status 1.
 */
#include "net.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

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

    if (close(sock_fd) < 0) {
        perror("close");
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
