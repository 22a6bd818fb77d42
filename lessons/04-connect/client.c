/*
 * client.c - the chat client.
 *
 *   client [host [port]]   host defaults to 127.0.0.1 (a name like localhost works too),
 *                          port to 9000
 *
 * Prints "connected to 127.0.0.1:PORT" and exits 0. With no server there, connect(2) fails at
 * once: "connect: Connection refused" on stderr and exit status 1.
 *
 * Fill in the TODOs in order: 1 to 4 are in net.c (connect_to), 5 to 8 here.
 * lessons/04-connect/README.md explains each one.
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

    /* TODO 5: check the port before any network call. parse_port() (net.h) takes "0" to
     *         "65535" into a uint16_t; a client refuses 0 as well: nobody can listen on port 0.
     *         For a bad port print, on one line,
     *             client: bad port 'TEXT': expected a number from 1 to 65535
     *         and return 2. */

    /* Flush stdout at every newline, even into a pipe or a file. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* TODO 6: connect: int sock_fd = connect_to(host, port_text) (net.c). When it returns -1
     *         it has already said why on stderr: return EXIT_FAILURE. */

    /* TODO 7: print "connected to ADDR:PORT" with the address you really reached (the user
     *         may have typed a name, "localhost"): ask the socket with getpeername(2), into a
     *         struct sockaddr_in server and a socklen_t server_len = sizeof server, then turn
     *         it into text with format_addr() (net.h, lesson 03) in a
     *         char server_text[ADDR_TEXT_SIZE]. If either fails: perror("getpeername") or
     *         perror("format_addr"), close the socket, return EXIT_FAILURE. */

    /* TODO 8: close(sock_fd), and perror("close") and return EXIT_FAILURE if that fails. */

    /* A stand-in until then, so that the starter compiles: delete these three lines. */
    (void)host;
    (void)port_text;
    return EXIT_FAILURE;
}
