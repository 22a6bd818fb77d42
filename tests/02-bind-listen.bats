#!/usr/bin/env bats
# Lesson 02: sockaddr_in, byte order, bind(2), listen(2), SO_REUSEADDR, getsockname(2).
# Black-box checks of `server [port]`: the line it prints, the sockets it holds (read from
# /proc/net/tcp and /proc/PID/fd, never by connecting), its errors, and how it ends.

load helpers/sockchat

setup() {
    common_setup
}

teardown() {
    common_teardown
}

LISTENING='^listening on 127\.0\.0\.1:[0-9]+$'

# ---- helpers of this lesson ------------------------------------------------------------

# dotted HEX: an address from /proc/net/tcp (0100007F) as text (127.0.0.1).
dotted() {
    local hex=$1
    printf '%d.%d.%d.%d' "0x${hex:6:2}" "0x${hex:4:2}" "0x${hex:2:2}" "0x${hex:0:2}"
}

# tcp_sockets_of NAME: the sockets that NAME's processes hold, one a line, from /proc:
# "127.0.0.1:9000 LISTEN 0100007F:2328" (address and port, state, /proc/net/tcp's hex). A TCP
# socket that is neither listening nor connected (bound only, say) is not in /proc/net/tcp:
# it shows as "a socket NOT-LISTENING inode:N".
tcp_sockets_of() {
    local sid pid inode line hex state addr port name
    sid=$(pid_of "$1")
    for inode in $(for pid in $(pgrep -s "$sid" || true); do
        ls -l "/proc/$pid/fd" 2>/dev/null || true
    done | sed -nE 's/.*socket:\[([0-9]+)\]$/\1/p' | sort -u); do
        line=$(awk -v inode="$inode" 'FNR > 1 && $10 == inode { print $2, $4; exit }' /proc/net/tcp)
        if [ -z "$line" ]; then
            if awk -v inode="$inode" 'FNR > 1 && $10 == inode { found = 1 } END { exit !found }' \
                /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/unix 2>/dev/null; then
                continue # not an IPv4 TCP socket: not this lesson's business
            fi
            printf 'a socket NOT-LISTENING inode:%s\n' "$inode"
            continue
        fi
        read -r hex state <<<"$line"
        addr=${hex%%:*} port=$((16#${hex##*:}))
        case $state in
        0A) name=LISTEN ;;
        01) name=ESTABLISHED ;;
        *) name="state-$state" ;;
        esac
        printf '%s:%d %s %s\n' "$(dotted "$addr")" "$port" "$name" "$hex"
    done
}

# sockets_text NAME: tcp_sockets_of for a message, on one line.
sockets_text() {
    local text
    text=$(tcp_sockets_of "$1" | awk '
        $3 == "NOT-LISTENING" { print "a TCP socket that neither listens nor is connected (so not in /proc/net/tcp)"; next }
        { $NF = "(" $NF ")"; print }' | paste -sd ';' | sed 's/;/; /g')
    echo "${text:-no TCP socket at all}"
}

# listens_on NAME PORT: true when NAME holds a socket LISTENing on PORT (any address).
listens_on() {
    tcp_sockets_of "$1" | grep -q -E "^[0-9.]+:$2 LISTEN "
}

# holds_idle_socket NAME: true when NAME holds a TCP socket that is not listening (nor
# connected): bound, or not even that, with listen() never called.
holds_idle_socket() {
    tcp_sockets_of "$1" | grep -q ' NOT-LISTENING '
}

LISTEN_HINT="The server holds a socket that is not listening (it is not in /proc/net/tcp, and ss -ltn does not show it): call listen(listen_fd, BACKLOG) after bind() (TODO 4)."

# stderr_hint NAME: a hint read from the error NAME printed, for when it never listened.
stderr_hint() {
    local err=$WORK/$1.err
    if grep -q 'Function not implemented' "$err"; then
        echo "make_listener() or local_port() is still the starter's stub: do TODOs 1 to 6 in net.c."
    elif grep -q 'Cannot assign requested address' "$err"; then
        echo "bind() was given an address this machine does not have: set sin_addr.s_addr = htonl(INADDR_LOOPBACK) (without htonl, 127.0.0.1 is stored as 1.0.0.127)."
    elif grep -q -i 'Address family not supported' "$err"; then
        echo "bind() does not know the address family: set addr.sin_family = AF_INET, after zeroing addr with memset."
    elif grep -q 'Invalid argument' "$err"; then
        echo "A call was given a bad argument: bind() needs (struct sockaddr *)&addr and sizeof addr, with addr a struct sockaddr_in."
    elif holds_idle_socket "$1"; then
        echo "$LISTEN_HINT"
    else
        echo "Print 'listening on 127.0.0.1:PORT' once listen() has succeeded, with the port local_port() reads back."
    fi
}

# port_hint NAME WANT: why NAME, started as 'server WANT', does not print and listen on WANT,
# judged from the port it printed ($PORT, may be empty) and the sockets it holds.
port_hint() {
    local name=$1 want=$2
    if listens_on "$name" "$(swapped "$want")"; then
        echo "It listens on $(swapped "$want"), which is $want with its two bytes swapped: you forgot htons() on sin_port (TODO 2). sin_port is in network byte order (big-endian)."
    elif holds_idle_socket "$name"; then
        echo "$LISTEN_HINT"
    elif listens_on "$name" "$want" && [ "${PORT:-}" = "$(swapped "$want")" ]; then
        echo "It listens on $want but prints $PORT: the same two bytes, swapped. getsockname() fills sin_port in network byte order; return ntohs(addr.sin_port) from local_port (TODO 6)."
    elif listens_on "$name" "$want"; then
        echo "It listens on $want but prints ${PORT:-nothing}: print the port local_port() returns, which asks getsockname() (TODO 6)."
    else
        stderr_hint "$name"
    fi
}

# start_listening NAME [ARGS...]: start the server with ARGS, wait for its "listening on" line
# and set PORT from it. Fails the check, with a hint read from stderr, if the line never comes.
start_listening() {
    local name=$1
    shift
    start_prog "$name" server "$@"
    if ! wait_line "$name" "$LISTENING"; then
        flunk_check "the server says where it listens" \
            --expected "a line 'listening on 127.0.0.1:PORT' within ${WAIT_SECS} s of 'server $*'" \
            --seen "its sockets: $(sockets_text "$name")" \
            --prog "$name" \
            --hint "$(stderr_hint "$name")"
    fi
    PORT=${LINE##*:}
}

# a_free_port: a free port whose two bytes differ and whose byte-swapped value is free too, so
# that a missing htons() always shows (with equal bytes, swapped or not is the same number).
a_free_port() {
    local port i
    for i in $(seq 20); do
        port=$(free_port)
        if [ $((port >> 8)) != $((port & 255)) ] && [ -z "$(listeners "$(swapped "$port")")" ]; then
            echo "$port"
            return 0
        fi
    done
    echo "$port"
}

# stderr_lines NAME: the non-empty lines NAME wrote on stderr.
stderr_lines() {
    grep -c -v -E '^\s*$' "$WORK/$1.err" || true
}

# ---- the checks ------------------------------------------------------------------------

# Misconception: the port you asked for is the port you got. With port 0 the kernel picks one
# at bind() time, and only getsockname() can tell which: printing the 0 (or a port read back
# without ntohs) sends clients nowhere. A socket that is bound but never listen()s is in state
# CLOSE, not LISTEN, and refuses every client.
# rules: stdout real-port port0
@test "server 0 prints the port the kernel picked, and LISTENs on it" {
    start_listening s 0
    if [ "$PORT" = 0 ]; then
        flunk_check "'server 0' prints the port it really listens on" \
            --expected "listening on 127.0.0.1:P with P the port the kernel picked (1 to 65535)" \
            --seen "$LINE; its sockets: $(sockets_text s)" \
            --prog s \
            --hint "Port 0 asks the kernel to pick a free port at bind(). Ask which with getsockname() (local_port, TODO 6) and print that, not the 0 you asked for."
    fi
    if ! is_exactly "$WORK/s.out" "listening on 127.0.0.1:$PORT"; then
        flunk_check "stdout is exactly the one line 'listening on 127.0.0.1:$PORT'" \
            --expected "listening on 127.0.0.1:$PORT\\n, and nothing more" \
            --seen "stdout '$(visible "$WORK/s.out")'" \
            --prog s \
            --hint "Print the line once, with its newline, after listen() succeeds, and nothing else on stdout (debug output goes to stderr)."
    fi
    if ! listens_on s "$PORT"; then
        local hint="It must listen on the port it prints: call listen() after bind() (TODO 4), and print the port getsockname() reads back (TODO 6)."
        if listens_on s "$(swapped "$PORT")"; then
            hint="It listens on $(swapped "$PORT") and prints $PORT: the same two bytes, swapped. getsockname() fills sin_port in network byte order; return ntohs(addr.sin_port) from local_port (TODO 6)."
        elif holds_idle_socket s; then
            hint=$LISTEN_HINT
        fi
        flunk_check "the printed port is LISTENing (state 0A in /proc/net/tcp) and belongs to the server" \
            --expected "a socket of the server in state LISTEN on 127.0.0.1:$PORT" \
            --seen "its sockets: $(sockets_text s)" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: a port is just a number. sin_port holds it in network byte order (big-endian):
# without htons() a little-endian PC binds the byte-swapped port, 10275 for 9000.
# rules: port
@test "server PORT listens on exactly that port (htons)" {
    local want
    want=$(a_free_port)
    start_prog s server "$want"
    PORT=""
    wait_line s "$LISTENING" && PORT=${LINE##*:}
    if [ "$PORT" != "$want" ] || ! listens_on s "$want"; then
        local hint
        hint=$(port_hint s "$want")
        grep -q 'Address already in use' "$WORK/s.err" &&
            hint="Port $want was free a moment ago. Did bind() get htons($want)? Without htons it asks for $(swapped "$want"), which may be taken."
        flunk_check "'server $want' listens on port $want" \
            --expected "listening on 127.0.0.1:$want, and a LISTEN socket on 127.0.0.1:$want" \
            --seen "${PORT:+listening on 127.0.0.1:$PORT; }its sockets: $(sockets_text s)" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: the address does not matter, so INADDR_ANY will do. 0.0.0.0 opens the port to
# every network the machine is on; this server is for this machine only: 127.0.0.1.
# rules: loopback
@test "binds 127.0.0.1 (0100007F in /proc/net/tcp), not every address (0.0.0.0)" {
    start_listening s 0
    local mine
    mine=$(tcp_sockets_of s | awk '$2 == "LISTEN" { print $1 }' | head -n 1)
    if [ -z "$mine" ]; then
        flunk_check "the server holds a LISTEN socket" \
            --expected "a socket in state LISTEN on 127.0.0.1" \
            --seen "its sockets: $(sockets_text s)" \
            --prog s \
            --hint "$LISTEN_HINT"
    fi
    if [ "${mine%:*}" != 127.0.0.1 ]; then
        local hint="Bind 127.0.0.1: sin_addr.s_addr = htonl(INADDR_LOOPBACK) (TODO 2)."
        [ "${mine%:*}" = 0.0.0.0 ] &&
            hint="0.0.0.0 is INADDR_ANY: every address of the machine, open to the whole network. Use htonl(INADDR_LOOPBACK), 127.0.0.1, in sin_addr.s_addr (TODO 2)."
        flunk_check "the listening socket's address" \
            --expected "127.0.0.1 (0100007F in /proc/net/tcp)" \
            --seen "$(sockets_text s)" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: if the port was free before, it is free now. After a server with clients
# stops, its connections wait in TIME_WAIT on the port for a minute, and bind() without
# SO_REUSEADDR fails with "Address already in use" until they are gone.
# rules: timewait
@test "restarts at once on a port left in TIME_WAIT (SO_REUSEADDR)" {
    local port
    port=$("$SOCKCHAT_HELPERS/peer" timewait)
    if ! awk -v port=":$(hexport "$port")" '$4 == "06" && substr($2, length($2) - 4) == port { found = 1 }
            END { exit !found }' /proc/net/tcp; then
        flunk_check "the test leaves port $port in TIME_WAIT (a problem of the test machine, not of your code)" \
            --expected "a TIME_WAIT (06) line for port $port in /proc/net/tcp" \
            --hint "Run the checks again; if it persists, tell your instructor."
    fi
    start_prog s server "$port"
    PORT=""
    wait_line s "$LISTENING" && PORT=${LINE##*:}
    if [ "$PORT" != "$port" ] || ! listens_on s "$port"; then
        local hint
        hint=$(port_hint s "$port")
        grep -q 'Address already in use' "$WORK/s.err" &&
            hint="Port $port has an old connection in TIME_WAIT (see: ss -tan state time-wait). Set SO_REUSEADDR with setsockopt() before bind() (TODO 1), and bind() accepts the port."
        flunk_check "'server $port' listens while port $port has a connection in TIME_WAIT" \
            --expected "listening on 127.0.0.1:$port, and a LISTEN socket on 127.0.0.1:$port" \
            --seen "${PORT:+listening on 127.0.0.1:$PORT; }its sockets: $(sockets_text s)" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: bind() cannot fail, so its result goes unchecked. It fails when another
# program has the port; unchecked, listen() then quietly binds a random port, and the server
# says it listens somewhere no client will look.
# rules: errors in-use
@test "a port in use: one line 'Address already in use' on stderr, non-zero exit" {
    start holder "$SOCKCHAT_HELPERS/peer" listen
    wait_line holder '^[0-9]+$' || flunk_check "the test's own listener starts (not your code)" --prog holder
    local port=$LINE
    start_prog s server "$port"
    if ! wait_exit s; then
        local seen
        seen=$(head -n 1 "$WORK/s.out")
        flunk_check "'server $port' exits when port $port is taken" \
            --expected "one line on stderr, like 'bind 127.0.0.1:$port: Address already in use', and a non-zero exit" \
            --seen "still running after ${WAIT_SECS} s; stdout '${seen}'; its sockets: $(sockets_text s)" \
            --prog s \
            --hint "Check bind()'s result (TODO 3): it returns -1 with errno EADDRINUSE. Unchecked, listen() binds a random port instead."
    fi
    local hint
    hint="When bind() fails, return close_and_fail(listen_fd, \"bind 127.0.0.1:%u\", (unsigned)port) (TODO 3): it prints the one line and closes the socket; main then returns EXIT_FAILURE and prints nothing more."
    grep -q 'Function not implemented' "$WORK/s.err" && hint=$(stderr_hint s)
    if [ "$STATUS" = 0 ] || ! is_exactly "$WORK/s.err" "bind 127.0.0.1:$port: Address already in use" ||
        ! is_exactly "$WORK/s.out"; then
        flunk_check "'server $port' fails cleanly when port $port is taken" \
            --expected "stderr exactly 'bind 127.0.0.1:$port: Address already in use' (errno EADDRINUSE), nothing on stdout, a non-zero exit" \
            --seen "exit status $STATUS, stderr '$(visible "$WORK/s.err")', stdout '$(visible "$WORK/s.out" 80)'" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: atoi() reads ports. atoi("abc") is 0 (the kernel then picks a port), and
# 70000 or -1 squeezed into 16 bits is 4464 or 65535: the server listens somewhere nobody
# asked for instead of saying the argument is wrong.
# rules: errors bad-port
@test "a bad port (abc, 70000, -1): a one-line error naming it, non-zero exit, nothing listening" {
    local arg i=0
    for arg in abc 70000 -1; do
        i=$((i + 1))
        start_prog "s$i" server "$arg"
        if ! wait_exit "s$i"; then
            flunk_check "'server $arg' refuses the port" \
                --expected "an error on stderr naming '$arg', and a non-zero exit" \
                --seen "still running after ${WAIT_SECS} s; stdout '$(head -n 1 "$WORK/s$i.out")'; its sockets: $(sockets_text "s$i")" \
                --prog "s$i" \
                --hint "Read the port with parse_port() (it is given in net.c), not atoi(), and stop with a message when it returns -1."
        fi
        local lines
        lines=$(stderr_lines "s$i")
        if [ "$STATUS" = 0 ] || [ -s "$WORK/s$i.out" ] ||
            ! is_exactly "$WORK/s$i.err" "server: bad port '$arg': expected a number from 0 to 65535"; then
            flunk_check "'server $arg' refuses the port" \
                --expected "nothing on stdout, stderr exactly 'server: bad port '$arg': expected a number from 0 to 65535', a non-zero exit" \
                --seen "exit status $STATUS, $lines line(s) on stderr: '$(visible "$WORK/s$i.err")'" \
                --prog "s$i" \
                --hint "Check parse_port()'s result before making any socket; on -1 print one line naming the argument and return a non-zero status."
        fi
    done
}

# Misconception: the server's work is done once it listens, so main returns, or it spins in
# an empty loop. It must stay up, asleep, holding the port, until a signal ends it.
# rules: asleep
@test "stays up and asleep (not spinning the CPU) while it listens" {
    start_listening s 0
    if wait_exit s 1; then
        flunk_check "the server stays up after 'listening on'" \
            --expected "still running a second later, listening" \
            --prog s \
            --hint "Do not return from main after listening: wait for a signal with for (;;) pause();"
    fi
    # Blocked with no timer (pause(), accept()...): asleep, as wait_exit just saw.
    [ "$WAITED" = quiet ] && return 0
    # Otherwise: how much of half a second it spent running or ready to run. A spinning program
    # is never off the CPU by choice: on a busy machine it waits for a core, but it does not
    # sleep (schedstat's run and wait times; CPU time alone would depend on the load).
    local pid before after
    pid=$(prog_pid s)
    before=$(awk '{ print int(($1 + $2) / 1000000) }' "/proc/$pid/schedstat" 2>/dev/null || echo 0)
    sleep 0.5 # measuring needs time to pass: there is no event to wait for
    after=$(awk '{ print int(($1 + $2) / 1000000) }' "/proc/$pid/schedstat" 2>/dev/null || echo 0)
    if [ $((after - before)) -gt 250 ]; then
        flunk_check "the server sleeps while it waits" \
            --expected "(almost) no time on or waiting for the CPU while nothing happens" \
            --seen "$((after - before)) ms of 500 ms running, or ready to run" \
            --prog s \
            --hint "An empty loop (while (1);) burns a whole core. pause() sleeps until a signal comes."
    fi
}

# stop_with SIGNAL: start the server, send it SIGNAL (as kill or Ctrl-C would), and check that
# it ends within seconds and its port is free again.
stop_with() {
    local sig=$1
    start_listening s 0
    local pid
    pid=$(prog_pid s)
    if [ -z "$pid" ]; then
        flunk_check "the server stays up until it gets SIG$sig" \
            --expected "still running after 'listening on'" \
            --prog s \
            --hint "Do not return from main after listening: wait for a signal with for (;;) pause();"
    fi
    kill -"$sig" "$pid"
    if ! wait_exit s; then
        flunk_check "the server ends on SIG$sig" \
            --expected "the process gone within ${WAIT_SECS} s of SIG$sig" \
            --prog s \
            --hint "Leave SIG$sig's default action (it ends the process), or, if you catch it, leave the loop and exit."
    fi
    case $STATUS in
    132 | 134 | 135 | 136 | 139)
        flunk_check "the server ends cleanly on SIG$sig" \
            --expected "killed by SIG$sig, or a normal exit" \
            --prog s \
            --hint "It crashed instead (signal $((STATUS - 128))): look at the stderr lines above."
        ;;
    esac
    if [ -n "$(listeners "$PORT")" ]; then
        flunk_check "port $PORT is free once the server has ended" \
            --expected "nothing listening on 127.0.0.1:$PORT" \
            --seen "$(listeners "$PORT")" \
            --prog s \
            --hint "Did the server leave a child process behind holding the socket?"
    fi
}

# Misconception: a server needs its own signal handling to be stopped. The default action of
# SIGTERM (kill) ends the process, and the kernel closes its sockets.
# rules: signals freed
@test "ends on SIGTERM (kill) and frees its port" {
    stop_with TERM
}

# Misconception: as above, for Ctrl-C (SIGINT), the way a person stops it in a terminal.
# rules: signals freed
@test "ends on SIGINT (Ctrl-C) and frees its port" {
    stop_with INT
}
