/*
 * peer - the course's own test peer: small socket chores the lesson tests need and that nc or
 * bash's /dev/tcp cannot do exactly (report the local port of a connection, leave a socket in
 * TIME_WAIT on purpose). Loopback only. Not a lesson: students never edit it.
 *
 *   peer freeport              print a TCP port that nothing on 127.0.0.1 uses now
 *   peer timewait              leave 127.0.0.1:PORT in TIME_WAIT (server side); print PORT
 *   peer listen                listen on 127.0.0.1 (port from the kernel), print PORT, sleep
 *   peer connect PORT [SECS]   connect to 127.0.0.1:PORT, print "local PORT", then wait up to
 *                              SECS (default 3; 0: with no limit, so that the test sees it
 *                              go quiet) for the server to close: print "closed" on end of
 *                              file, "data" if bytes came, "open" if it is still open after SECS
 *   peer storm PORT N          connect and close N times one after another; print "done N"
 *   peer chat PORT TEXT N      N times: connect, send TEXT, wait for one reply, close; then
 *                              print "done N" (on a failure "done I" and the reason on stderr)
 *   peer abort PORT TEXT       connect, send TEXT, print "sent", wait for end of file on stdin,
 *                              then vanish: a FIN, then an RST (SO_LINGER {1, 0}); see below
 *   peer serve-abort REPLY     listen (port from the kernel), print PORT, accept one client,
 *                              receive one message, send REPLY, print "replied", wait for end
 *                              of file on stdin, then vanish like abort
 *   peer gai HOST              resolve HOST with getaddrinfo(3) (IPv4, TCP) and print "ok", or
 *                              the resolver's reason, gai_strerror(3), when it cannot
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
    int ready = poll(&pfd, 1, secs > 0 ? secs * 1000 : -1);
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

/* chat: N short conversations one after another, each waiting for the server's reply, so a
 * server that serves one client at a time never has more than one in its queue. */
static int cmd_chat(unsigned port, const char *text, long count)
{
    char buf[1024];
    for (long i = 0; i < count; i++) {
        int fd = connect_to(port);
        if (fd < 0) {
            printf("done %ld\n", i);
            return fail("connect");
        }
        ssize_t got = -1;
        if (send(fd, text, strlen(text), 0) >= 0)
            got = recv(fd, buf, sizeof buf, 0);
        if (got <= 0) {
            printf("done %ld\n", i);
            if (got < 0)
                return fail("send/recv");
            fprintf(stderr, "peer: the server closed the connection without a reply\n");
            return 1;
        }
        close(fd);
    }
    printf("done %ld\n", count);
    return 0;
}

/* Wait until stdin reaches end of file (the test's hangup). */
static void wait_stdin_eof(void)
{
    char buf[256];
    while (read(STDIN_FILENO, buf, sizeof buf) > 0)
        continue;
}

/* vanish: a peer that disappears abruptly. First a FIN (shutdown SHUT_WR), then close with
 * SO_LINGER {1, 0}, which throws the connection away with an RST. The other side, in
 * CLOSE_WAIT after the FIN, records EPIPE for the RST, so its next send(2) fails with EPIPE and
 * raises SIGPIPE. (After an RST alone, Linux reports ECONNRESET to the first send, without
 * SIGPIPE; only the send after that gets EPIPE.) */
static int vanish(int fd)
{
    struct linger abort_now = {.l_onoff = 1, .l_linger = 0};
    if (shutdown(fd, SHUT_WR) < 0)
        return fail("shutdown");
    /* Let the FIN be processed before the RST follows it. */
    struct timespec pause_for_fin = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
    nanosleep(&pause_for_fin, NULL);
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now) < 0)
        return fail("setsockopt SO_LINGER");
    close(fd);
    return 0;
}

static int cmd_abort(unsigned port, const char *text)
{
    int fd = connect_to(port);
    if (fd < 0)
        return fail("connect");
    if (send(fd, text, strlen(text), 0) < 0)
        return fail("send");
    printf("sent\n");
    wait_stdin_eof();
    return vanish(fd);
}

static int cmd_serve_abort(const char *reply)
{
    int listen_fd = listener(0);
    if (listen_fd < 0)
        return fail("listen");
    printf("%u\n", local_port(listen_fd));
    int conn_fd = accept(listen_fd, NULL, NULL);
    if (conn_fd < 0)
        return fail("accept");
    close(listen_fd);
    char buf[1024];
    if (recv(conn_fd, buf, sizeof buf, 0) <= 0)
        return fail("recv");
    if (send(conn_fd, reply, strlen(reply), 0) < 0)
        return fail("send");
    printf("replied\n");
    wait_stdin_eof();
    return vanish(conn_fd);
}

/* gai: what the resolver says about host, so a test can expect exactly gai_strerror's text
 * (it differs between C libraries) without hard-coding it. */
static int cmd_gai(const char *host)
{
    struct addrinfo hints, *addrs;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    int status = getaddrinfo(host, "9000", &hints, &addrs);
    if (status != 0) {
        printf("%s\n", gai_strerror(status));
        return 1;
    }
    freeaddrinfo(addrs);
    printf("ok\n");
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
    if (argc >= 5 && strcmp(argv[1], "chat") == 0)
        return cmd_chat((unsigned)atoi(argv[2]), argv[3], atol(argv[4]));
    if (argc >= 4 && strcmp(argv[1], "abort") == 0)
        return cmd_abort((unsigned)atoi(argv[2]), argv[3]);
    if (argc >= 3 && strcmp(argv[1], "serve-abort") == 0)
        return cmd_serve_abort(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "gai") == 0)
        return cmd_gai(argv[2]);
    fprintf(stderr, "usage: peer freeport | timewait | listen | connect PORT [SECS] | "
                    "storm PORT N | chat PORT TEXT N | abort PORT TEXT | serve-abort REPLY | "
                    "gai HOST\n");
    return 2;
}
