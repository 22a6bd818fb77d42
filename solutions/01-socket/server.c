/*
 * server.c - lesson 01: ask the kernel for a TCP socket, show its file descriptor, give it back.
 *
 * This is the first brick of the chat server. socket(2) hands back a small integer, a file
 * descriptor, exactly like open(2) does for a file: the lowest number not in use. Nothing is
 * bound or connected yet; later lessons build the server on this descriptor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    /* AF_INET: IPv4 addresses. SOCK_STREAM: a reliable, ordered byte stream, which for IPv4
     * is TCP. 0: the default protocol for that pair, TCP (IPPROTO_TCP says the same). */
    int sock_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (sock_fd < 0) {
        /* perror() right after the failing call: any other call may overwrite errno. */
        perror("socket");
        return EXIT_FAILURE;
    }
    printf("socket fd: %d\n", sock_fd);

    /* The descriptor is a kernel resource: give it back. close(2) can fail too. */
    if (close(sock_fd) < 0) {
        perror("close");
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
