#!/usr/bin/env bats
# Lesson 01: socket(2), file descriptors, errno.
# Black-box checks of `server`: what it prints, which system calls it makes (seen with strace),
# and what it says when socket() fails (strace injects the failure).

load helpers/sockchat

setup() {
    common_setup
}

teardown() {
    common_teardown
}

# run_server NAME [EXTRA...]: run the server to its end; fail the check if it hangs.
run_server() {
    local name=$1
    shift
    start "$name" "$@"
    if ! wait_exit "$name"; then
        flunk_check "the program ends by itself" \
            --expected "it prints one line and exits at once" \
            --prog "$name" \
            --hint "Lesson 01 does not wait for anything: no accept(), no read from stdin."
    fi
}

# traced NAME CALLS [ERROR]: run the server under strace, tracing CALLS; with ERROR, make every
# socket() call fail with that errno. LeakSanitizer cannot run under ptrace, so it is off here.
traced() {
    local name=$1 calls=$2 inject=()
    [ -n "${3:-}" ] && inject=(-e "inject=socket:error=$3")
    need_program server
    ASAN_OPTIONS=detect_leaks=0 run_server "$name" \
        strace -f -qq -o "$WORK/$name.trace" -e "trace=$calls" "${inject[@]}" "$SOCKCHAT_BIN/server"
}

# Misconception: the fd is printed before socket() is called, or the -1 is printed anyway; or
# the line has no newline (printf("socket fd: %d", fd)), or there is more on stdout.
# rules: stdout fd3
@test "prints the descriptor of a new socket: socket fd: 3" {
    need_program server
    run_server s "$SOCKCHAT_BIN/server"
    if ! is_exactly "$WORK/s.out" "socket fd: 3" || [ "$STATUS" != 0 ]; then
        local hint="Print the value socket() returned, after checking it is not -1."
        if [ "$(cat "$WORK/s.out")" = "socket fd: 3" ] && [ "$STATUS" = 0 ]; then
            hint="The line must end with a newline: printf(\"socket fd: %d\\n\", sock_fd). Without it the output is not a line, and the shell prompt runs into it."
        fi
        flunk_check "stdout is exactly the line 'socket fd: 3' and the exit status 0" \
            --expected "socket fd: 3\\n (0, 1 and 2 are stdin, stdout and stderr, so 3 is the lowest free descriptor)" \
            --seen "stdout '$(visible "$WORK/s.out" 60)', exit status $STATUS" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: "sockets are always fd 3", so the number is typed into the printf.
# rules: real-fd stdout
@test "prints the descriptor socket() really returned, not a fixed number" {
    need_program server
    # With 3, 4 and 5 already open, the lowest free descriptor is 6.
    # `start` closes fd 3 for the program, so bash opens them inside the session, then execs.
    run_server s bash -c 'exec 3</dev/null 4</dev/null 5</dev/null; exec "$0"' "$SOCKCHAT_BIN/server"
    if ! is_exactly "$WORK/s.out" "socket fd: 6"; then
        flunk_check "with descriptors 3, 4 and 5 already open, it prints 'socket fd: 6'" \
            --expected "socket fd: 6" \
            --prog s \
            --hint "Print the variable that holds socket()'s result, not a fixed fd number."
    fi
}

# Misconception: any socket type will do; SOCK_DGRAM is UDP, not TCP.
# rules: call
@test "asks for an IPv4 TCP socket: socket(AF_INET, SOCK_STREAM, 0)" {
    traced s socket
    local call
    # strace -f starts each line with the pid once there is more than one process: drop it.
    call=$(grep -m 1 'socket(' "$WORK/s.trace" | sed -E 's/^[0-9]+ +//' || true)
    if ! [[ "$call" =~ socket\(AF_INET,\ SOCK_STREAM,\ (0|IPPROTO_IP|IPPROTO_TCP)\)\ =\ [0-9]+ ]]; then
        flunk_check "the socket() call, as strace shows it" \
            --expected "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3" \
            --seen "${call:-no socket() call at all}" \
            --prog s \
            --hint "Use AF_INET (IPv4) and SOCK_STREAM (TCP); SOCK_DGRAM would be UDP. Try: strace -e trace=socket build/lessons/01-socket/server"
    fi
}

# Misconception: the kernel cleans up at exit, so close() does not matter. In a server that
# runs for weeks every forgotten descriptor is a leak.
# rules: close
@test "closes the socket before it exits" {
    traced s socket,close
    local fd
    fd=$(sed -nE 's/.*socket\(.*\) = ([0-9]+)$/\1/p' "$WORK/s.trace" | head -n 1)
    # Only the calls after socket(): the sanitizers' own start-up closes files too.
    local after=""
    [ -n "$fd" ] && after=$(sed -n '/socket(.*) = [0-9]/,$p' "$WORK/s.trace" | grep -E 'close\(' || true)
    if [ -z "$fd" ] || ! grep -q -E "close\($fd\) += 0" <<<"$after"; then
        flunk_check "close() is called on the socket's descriptor" \
            --expected "close(${fd:-3}) = 0 after socket(...) = ${fd:-3}" \
            --seen "${fd:+socket() returned $fd, then }$( [ -n "$after" ] && echo "$after" | sed -E 's/^[0-9]+ +//' | tr -s ' ' | paste -sd ';' || echo "no close() of it")" \
            --prog s \
            --hint "Call close(sock_fd) once you are done with the socket (TODO 3)."
    fi
}

# Misconception: socket() cannot fail. It can: out of descriptors (EMFILE) is the usual way.
# rules: emfile failure
@test "when socket() fails it prints 'socket: Too many open files' and exits non-zero" {
    traced s socket EMFILE
    local err
    err=$(grep -v -E '^\s*$' "$WORK/s.err" | head -n 1 || true)
    if ! is_exactly "$WORK/s.err" "socket: Too many open files" || [ "$STATUS" = 0 ] ||
        ! is_exactly "$WORK/s.out"; then
        flunk_check "socket() fails with EMFILE (injected with strace)" \
            --expected "stderr 'socket: Too many open files', nothing on stdout, a non-zero exit status" \
            --seen "stderr '$(visible "$WORK/s.err")', stdout '$(visible "$WORK/s.out" 80)', exit status $STATUS" \
            --prog s \
            --hint "Check socket()'s result for -1; then perror(\"socket\") at once, before any other call can change errno, and return EXIT_FAILURE."
    fi
}

# Misconception: the error text can be written by hand. errno says why, and perror() or
# strerror() turn it into words; a fixed message lies as soon as the reason differs.
# rules: errno failure
@test "reports the real reason from errno: 'socket: Permission denied' for EACCES" {
    traced s socket EACCES
    if ! is_exactly "$WORK/s.err" "socket: Permission denied" || [ "$STATUS" = 0 ] ||
        ! is_exactly "$WORK/s.out"; then
        flunk_check "socket() fails with EACCES (injected with strace)" \
            --expected "stderr 'socket: Permission denied', nothing on stdout, a non-zero exit status" \
            --seen "stderr '$(visible "$WORK/s.err")', stdout '$(visible "$WORK/s.out" 80)', exit status $STATUS" \
            --prog s \
            --hint "Let perror(\"socket\") read errno right after the failed call; a message typed by hand, or another call in between (it may change errno), gives the wrong reason."
    fi
}
