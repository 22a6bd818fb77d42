/*
 * server.c - lesson 01: ask the kernel for a TCP socket, show its file descriptor, give it back.
 *
 * This is the first brick of the chat server. socket(2) hands back a small integer, a file
 * descriptor, exactly like open(2) does for a file: the lowest number not in use. Nothing is
 * bound or connected yet; later lessons build the server on this descriptor.
 *
 * Fill in the TODOs in order; lessons/01-socket/README.md explains each one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    /* TODO 1: create an IPv4 TCP socket with socket(2) and keep what it returns in sock_fd.
     *         (man 2 socket: the domain is AF_INET, the type SOCK_STREAM, the protocol 0.) */
    int sock_fd = -1;

    /* TODO 2: socket() returns -1 when it fails. Then report why with perror("socket") and
     *         return EXIT_FAILURE. */

    printf("socket fd: %d\n", sock_fd);

    /* TODO 3: give the descriptor back with close(2), and report a failure with
     *         perror("close"). */
    return EXIT_SUCCESS;
}
