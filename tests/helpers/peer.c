/*
 * peer - the course's own test peer: small socket chores the lesson tests need and that nc or
 * bash's /dev/tcp cannot do exactly (report the local port of a connection, leave a socket in
 * TIME_WAIT on purpose). Loopback only. Not a lesson: students never edit it.
 *
 *   peer freeport              print a TCP port that nothing on 127.0.0.1 uses now
 *   peer timewait              leave 127.0.0.1:PORT in TIME_WAIT (server side); print PORT
 *   peer listen                listen on 127.0.0.1 (port from the kernel), print PORT, sleep
 *   peer connect PORT [SECS]   connect to 127.0.0.1:PORT, print "local PORT", then wait up to
 *                              SECS (default 3) for the server to close: print "closed" on
 *                              end of file, "open" if it is still open after SECS
 *   peer storm PORT N          connect and close N times one after another; print "done N"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what)
{
    fprintf(stderr, "peer: %s: %s\n", what, strerror(errno));
    return 1;
}

static struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

static unsigned local_port(int fd)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        return 0;
    return ntohs(addr.sin_port);
}

/* A listening socket on 127.0.0.1:port (0: the kernel picks), or -1. */
static int listener(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = loopback(port);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_to(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr = loopback(port);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

static int cmd_freeport(void)
{
    int fd = listener(0);
    if (fd < 0)
        return fail("listen");
    printf("%u\n", local_port(fd));
    close(fd);
    return 0;
}

/* The side that closes first keeps TIME_WAIT: here the accepted (server) side closes first,
 * so 127.0.0.1:PORT stays in TIME_WAIT for a minute, as after a real chat session. */
static int cmd_timewait(void)
{
    int listen_fd = listener(0);
    if (listen_fd < 0)
        return fail("listen");
    unsigned port = local_port(listen_fd);
    int client_fd = connect_to(port);
    if (client_fd < 0)
        return fail("connect");
    int conn_fd = accept(listen_fd, NULL, NULL);
    if (conn_fd < 0)
        return fail("accept");
    close(listen_fd);
    close(conn_fd);
    char byte;
    if (recv(client_fd, &byte, 1, 0) < 0) /* wait for the server's FIN */
        return fail("recv");
    close(client_fd);
    printf("%u\n", port);
    return 0;
}

static int cmd_listen(void)
{
    int fd = listener(0);
    if (fd < 0)
        return fail("listen");
    printf("%u\n", local_port(fd));
    fflush(stdout);
    pause();
    return 0;
}

static int cmd_connect(unsigned port, int secs)
{
    int fd = connect_to(port);
    if (fd < 0)
        return fail("connect");
    printf("local %u\n", local_port(fd));
    fflush(stdout);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int ready = poll(&pfd, 1, secs * 1000);
    if (ready < 0)
        return fail("poll");
    char buf[256];
    if (ready == 0) {
        printf("open\n");
    } else {
        ssize_t got = recv(fd, buf, sizeof buf, 0);
        printf(got > 0 ? "data\n" : "closed\n");
    }
    close(fd);
    return 0;
}

static int cmd_storm(unsigned port, long count)
{
    for (long i = 0; i < count; i++) {
        int fd = connect_to(port);
        if (fd < 0) {
            printf("done %ld\n", i);
            return fail("connect");
        }
        close(fd);
    }
    printf("done %ld\n", count);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && strcmp(argv[1], "freeport") == 0)
        return cmd_freeport();
    if (argc >= 2 && strcmp(argv[1], "timewait") == 0)
        return cmd_timewait();
    if (argc >= 2 && strcmp(argv[1], "listen") == 0)
        return cmd_listen();
    if (argc >= 3 && strcmp(argv[1], "connect") == 0)
        return cmd_connect((unsigned)atoi(argv[2]), argc >= 4 ? atoi(argv[3]) : 3);
    if (argc >= 4 && strcmp(argv[1], "storm") == 0)
        return cmd_storm((unsigned)atoi(argv[2]), atol(argv[3]));
    fprintf(stderr, "usage: peer freeport | timewait | listen | connect PORT [SECS] | "
                    "storm PORT N\n");
    return 2;
}
