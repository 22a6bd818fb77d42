/*
 * server.c - the chat server.
 *
 *   server [port]      port defaults to 9000; 0 lets the kernel pick a free one
 *
 * Prints "listening on 127.0.0.1:PORT", then "connection from 127.0.0.1:PEERPORT" when a client
 * connects. Then, turn by turn: receive a message and print it as "client: TEXT", read a reply
 * line from stdin and send it back. When the client leaves it prints "connection closed",
 * closes that connection and accepts the next client. SIGINT (Ctrl-C) or SIGTERM stops it
 * cleanly with exit status 0; so does the end of stdin (Ctrl-D), since nobody is left to type
 * replies. A client that vanishes mid-reply is an error message, not a crash.
 *
 * Messages are lines: TEXT and "\n" on the wire ("\r\n" accepted), at most 1023 bytes of
 * text. A longer line is "server: line too long (more than 1023 bytes)" on stderr, and the
 * server closes that connection and accepts the next client.
 */
#include "net.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Set by the SIGINT/SIGTERM handler. The only global: a handler can touch nothing else safely. */
static volatile sig_atomic_t stop_requested = 0;

static void request_stop(int signo)
{
    (void)signo;
    stop_requested = 1;
}

/* install_signals: SIGINT and SIGTERM set stop_requested. No SA_RESTART, so a blocking accept,
 * recv or read returns with EINTR and the loops below see the flag. SIGPIPE is ignored, so a
 * send to a vanished client fails with EPIPE instead of killing the server. */
static int install_signals(void)
{
    struct sigaction stop;
    memset(&stop, 0, sizeof stop);
    stop.sa_handler = request_stop;
    sigemptyset(&stop.sa_mask);
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    if (sigaction(SIGINT, &stop, NULL) < 0 || sigaction(SIGTERM, &stop, NULL) < 0 ||
        sigaction(SIGPIPE, &ignore, NULL) < 0) {
        perror("sigaction");
        return -1;
    }
    return 0;
}

/* What ended a conversation. */
enum chat_end { CLIENT_LEFT, SERVER_STOPS };

/* next_reply: read lines from stdin until one can be sent as a message (not empty, at most
 * MSG_MAX - 1 bytes). Returns its length, or -1 at end of input or when a stop was requested. */
static ssize_t next_reply(char **line, size_t *cap)
{
    while (!stop_requested) {
        ssize_t len = read_line(stdin, line, cap);
        if (len < 0) {
            if (ferror(stdin) && errno == EINTR) { /* a signal, not the end of input */
                clearerr(stdin);
                continue;
            }
            return -1;
        }
        if (len >= MSG_MAX) {
            fprintf(stderr, "server: message too long (%zd bytes, at most %d): not sent\n", len,
                    MSG_MAX - 1);
            continue;
        }
        if (len > 0) /* a zero-byte send would leave both sides waiting */
            return len;
    }
    return -1;
}

/* chat: talk with the client on conn_fd, turn by turn, until it leaves or stdin ends, or until
 * the server must stop. Returns SERVER_STOPS when the server must stop, else CLIENT_LEFT. */
static enum chat_end chat(int conn_fd)
{
    char message[MSG_MAX + 1]; /* one line, and the '\0' after it */
    char *line = NULL;
    size_t cap = 0;
    enum chat_end end = CLIENT_LEFT;
    /* This client's bytes not yet returned as a line: empty for each new connection. */
    struct line_buffer pending = {0};
    while (!stop_requested) {
        ssize_t nread = recv_line(conn_fd, &pending, message, sizeof message);
        if (nread < 0) {
            if (errno == EINTR)
                continue; /* the loop condition checks for a stop */
            if (errno == EMSGSIZE)
                fprintf(stderr, "server: line too long (more than %d bytes)\n", MSG_MAX - 1);
            else
                perror("recv");
            break;
        }
        if (nread == 0) { /* the client closed its end */
            printf("connection closed\n");
            break;
        }
        printf("client: %s\n", message);

        ssize_t len = next_reply(&line, &cap);
        if (len < 0) {
            end = SERVER_STOPS;
            break; /* end of stdin: nobody is left to type the replies */
        }
        if (send_line(conn_fd, line, (size_t)len) < 0) {
            perror("send");
            break;
        }
    }
    free(line);
    return stop_requested ? SERVER_STOPS : end;
}

/* serve: accept connections on listen_fd, print each peer, chat with it, close its connection.
 * Returns 0 after the one client lesson 05 serves, or -1 when accept(2) fails for a reason
 * that retrying cannot fix. From lesson 06 on it serves one client after another, and returns
 * 0 when the server must stop. */
static int serve(int listen_fd)
{
    while (!stop_requested) {
        struct sockaddr_in peer;
        socklen_t peer_len = sizeof peer; /* in: the room we have; out: what the kernel wrote */
        int conn_fd = accept(listen_fd, (struct sockaddr *)&peer, &peer_len);
        if (conn_fd < 0) {
            /* A signal, or a client that gave up while queued: try the next one. */
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("accept");
            return -1;
        }

        char peer_text[ADDR_TEXT_SIZE];
        if (format_addr(&peer, peer_text, sizeof peer_text) == 0)
            printf("connection from %s\n", peer_text);
        else
            perror("format_addr");

        enum chat_end end = chat(conn_fd);

        /* conn_fd is this client's own socket; listen_fd stays open for the next client. */
        if (close(conn_fd) < 0)
            perror("close");

        if (end == SERVER_STOPS)
            break; /* any other end of a chat: back to accept() the next client */
    }
    return 0;
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
    if (install_signals() < 0)
        return EXIT_FAILURE;

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

    int status = serve(listen_fd);
    if (close(listen_fd) < 0) {
        perror("close");
        return EXIT_FAILURE;
    }
    return status == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
