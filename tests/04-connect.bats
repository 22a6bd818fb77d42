#!/usr/bin/env bats
# Lesson 04: connect(2), the client's ephemeral port, name resolution with getaddrinfo(3).
# Black-box checks of `client [host [port]]`: against a server nobody in the course wrote (nc),
# against the reference server, against nothing at all; the calls it makes (strace, which can
# also make connect() fail on purpose without sending a packet); and its errors. The last check
# makes sure lesson 03's server still works.

load helpers/sockchat

setup() {
    common_setup
}

teardown() {
    common_teardown
}

# ---- helpers of this lesson ------------------------------------------------------------

# run_client NAME [ARGS...]: run the client under test to its end. It never waits for anyone:
# connect() answers at once on loopback, so a client still running after WAIT_SECS fails here.
run_client() {
    local name=$1
    shift
    start_prog "$name" client "$@"
    if ! AT_ONCE=1 wait_exit "$name"; then
        flunk_check "the client ends by itself" \
            --expected "it connects (or says why it cannot), and exits at once" \
            --prog "$name" \
            --hint "Lesson 04's client waits for nothing once connect() has answered: no retry loop, no sleep(), no read from stdin."
    fi
}

# traced_client NAME CALLS ERRNO [ARGS...]: run the client under strace, tracing CALLS, into
# $WORK/NAME.trace. With an ERRNO (not "-"), every connect() fails with it without being made:
# no packet leaves, so nothing needs to listen. LeakSanitizer cannot run under ptrace: off.
traced_client() {
    local name=$1 calls=$2 inject=$3
    shift 3
    need_program client
    local opts=(-f -qq -o "$WORK/$name.trace" -e "trace=$calls")
    [ "$inject" != - ] && opts+=(-e "inject=connect:error=$inject")
    ASAN_OPTIONS=detect_leaks=0 start "$name" strace "${opts[@]}" "$SOCKCHAT_BIN/client" "$@"
    if ! wait_exit "$name"; then
        flunk_check "the client ends by itself" \
            --expected "it connects (or says why it cannot), and exits at once" \
            --prog "$name" \
            --hint "Lesson 04's client waits for nothing once connect() has answered: no retry loop, no sleep(), no read from stdin."
    fi
}

# inet_connects NAME: the client's IPv4 connect() calls in NAME's trace, without strace's pid.
# (Resolving a name may also connect an AF_UNIX socket to nscd, glibc's cache: not ours.)
inet_connects() {
    grep -E 'connect\([0-9]+, \{sa_family=AF_INET,' "$WORK/$1.trace" 2>/dev/null |
        sed -E 's/^[0-9]+ +//' || true
}

# closes_after NAME FD: true when NAME's trace shows close(FD) = 0 after the first IPv4
# connect() on FD.
closes_after() {
    sed -E 's/^[0-9]+ +//' "$WORK/$1.trace" |
        sed -n "/^connect($2, {sa_family=AF_INET,/,\$p" | grep -q -E "^close\($2\) += 0"
}

# calls_after NAME FD: the calls NAME's trace shows after the first IPv4 connect() on FD, for a
# message, on one line.
calls_after() {
    local text
    text=$(sed -E 's/^[0-9]+ +//' "$WORK/$1.trace" |
        sed -n "/^connect($2, {sa_family=AF_INET,/,\$p" | tail -n +2 | tr -s ' ' | paste -sd ';')
    echo "${text:-nothing}"
}

# first_err NAME: the first non-empty line of NAME's stderr (a sanitizer's report comes later).
first_err() {
    grep -v -E '^\s*$' "$WORK/$1.err" | head -n 1 || true
}

# err_lines NAME: how many non-empty lines NAME wrote on stderr.
err_lines() {
    grep -c -v -E '^\s*$' "$WORK/$1.err" || true
}

# hint_for NAME HINT: HINT, unless what NAME did shows a starter's stand-in still in place.
hint_for() {
    if grep -q 'Function not implemented' "$WORK/$1.err" 2>/dev/null; then
        echo "connect_to() is still the starter's stand-in (it says 'Function not implemented'): do TODOs 1 to 4 in net.c."
    elif [ "${STATUS:-}" != 0 ] && [ ! -s "$WORK/$1.out" ] && [ -z "$(first_err "$1")" ]; then
        echo "The client exited without a word: client.c still ends with the starter's stand-in (return EXIT_FAILURE). Do TODOs 5 to 8 there."
    else
        echo "$2"
    fi
}

# out_text NAME: NAME's stdout on one line, for a message.
out_text() {
    local text
    text=$(head -c 200 "$WORK/$1.out" | paste -sd '|')
    echo "${text:-(nothing)}"
}

# ---- connecting ------------------------------------------------------------------------

# Misconception: the client only has to work with our own server, or connects to a port typed
# into the code. nc is a server no lesson wrote; it listens on a port the kernel chose for this
# test, so only a client that uses the port from its command line can reach it.
# rules: nc out-connected
@test "connects to a server it did not write (nc -l) and prints 'connected to 127.0.0.1:PORT'" {
    need_program client
    local port
    port=$(free_port)
    start nc nc -v -n -l 127.0.0.1 "$port"
    if ! is_listening "$port"; then
        flunk_check "the test's own server, nc -l 127.0.0.1 $port, listens" \
            --prog nc --hint "This is the test's own setup, not your program: run the checks again."
    fi
    run_client c 127.0.0.1 "$port"
    local out
    out=$(visible "$WORK/c.out")
    if ! is_exactly "$WORK/c.out" "connected to 127.0.0.1:$port" || ! is_exactly "$WORK/c.err" ||
        [ "$STATUS" != 0 ]; then
        local hint="Pass the host and port from the command line (argv[1], argv[2]) to connect_to(); once connect() returns 0, print getpeername()'s address with format_addr()."
        if grep -q 'Connection refused' "$WORK/c.err"; then
            hint="Nothing listened where the client went: use the port from the command line (argv[2]), never a fixed 9000, and the host from argv[1]."
        fi
        flunk_check "client 127.0.0.1 $port, with nc listening there" \
            --expected "stdout exactly 'connected to 127.0.0.1:$port\\n', nothing on stderr, exit status 0" \
            --seen "stdout '$out', stderr '$(visible "$WORK/c.err" 120)', exit status $STATUS" \
            --prog c \
            --hint "$(hint_for c "$hint")"
    fi
    if ! wait_err nc 'Connection (received on|from)' 2; then
        flunk_check "nc saw the client connect" \
            --expected "nc -v reports 'Connection received on 127.0.0.1 ...'" \
            --prog nc \
            --hint "The client printed 'connected to' but nc never saw a connection: print it only after connect() has returned 0."
    fi
}

# Misconception: an address is always typed as numbers, so inet_pton() or inet_addr() will do.
# getaddrinfo() takes a name ("localhost", looked up in /etc/hosts) as well as an address.
# rules: localhost
@test "resolves a name: 'client localhost PORT' connects to 127.0.0.1" {
    need_program client
    start_ref s server 0
    server_port s
    run_client c localhost "$PORT"
    local out
    out=$(cat "$WORK/c.out")
    if [ "$out" != "connected to 127.0.0.1:$PORT" ] || [ "$STATUS" != 0 ]; then
        local hint="Resolve the host with getaddrinfo(host, port, &hints, &addrs) (TODO 1): inet_pton() and inet_addr() read only numbers like 127.0.0.1, never a name."
        if [[ "$out" == *localhost* ]]; then
            hint="Print the address you reached, from getpeername() and format_addr(), not the name that was typed."
        fi
        flunk_check "client localhost $PORT, with the reference server listening on 127.0.0.1:$PORT" \
            --expected "stdout 'connected to 127.0.0.1:$PORT' (localhost is 127.0.0.1 in /etc/hosts), exit status 0" \
            --seen "stdout '$out'" \
            --prog c \
            --hint "$(hint_for c "$hint")"
    fi
}

# Misconception: a client, like a server, must bind() to a port of its own. It need not: at
# connect() the kernel gives the socket a free ephemeral port, a new one per connection, and a
# client that binds a fixed port cannot connect twice in a row (the old connection waits in
# TIME_WAIT on it).
# rules: ephemeral
@test "each connection comes from a new port the kernel picked (the reference server prints it)" {
    need_program client
    start_ref s server 0
    server_port s
    run_client c1 127.0.0.1 "$PORT"
    local status1=$STATUS
    run_client c2 127.0.0.1 "$PORT"
    local status2=$STATUS
    local lines
    wait_count s '^connection from 127\.0\.0\.1:[0-9]+$' 2 2 || true
    lines=$(grep -E '^connection from 127\.0\.0\.1:[0-9]+$' "$WORK/s.out" || true)
    local p1 p2 low high
    p1=$(sed -n '1s/.*://p' <<<"$lines")
    p2=$(sed -n '2s/.*://p' <<<"$lines")
    read -r low high </proc/sys/net/ipv4/ip_local_port_range
    local why="" hint="Do not bind() a client socket: connect() picks a free ephemeral port by itself, a new one each time. (ss -tn shows it.)"
    if [ "$status1" != 0 ] || [ "$status2" != 0 ]; then
        why="the client failed (exit status $status1, then $status2)"
        [ "$status1" = 0 ] && hint="It connected once, then failed: $hint"
        hint=$(hint_for c2 "$hint")
    elif [ -z "$p1" ] || [ -z "$p2" ]; then
        why="the reference server saw $(grep -c . <<<"$lines" || true) connection(s), not 2"
    elif [ "$p1" = "$p2" ]; then
        why="both connections came from port $p1"
    elif [ "$p1" -lt "$low" ] || [ "$p1" -gt "$high" ] || [ "$p2" -lt "$low" ] || [ "$p2" -gt "$high" ]; then
        why="ports $p1 and $p2: not both in the kernel's ephemeral range $low-$high"
    fi
    if [ -n "$why" ]; then
        flunk_check "client 127.0.0.1 $PORT, run twice, against the reference server" \
            --expected "two lines 'connection from 127.0.0.1:P' on the server, with two different ports P from $low-$high" \
            --seen "$why; server printed: $(paste -sd '|' "$WORK/s.out")" \
            --prog c2 \
            --hint "$hint"
    fi
}

# ---- when there is nobody to connect to -------------------------------------------------

# Misconception: "refused" means "try again later", so the client sleeps and retries (and hangs
# without a server); or connect()'s result goes unchecked and the dead socket is used anyway.
# On loopback, a port where nobody listens answers at once with a reset: ECONNREFUSED.
# rules: refused out-refused
@test "with no server it prints 'connect: Connection refused' at once and exits non-zero" {
    need_program client
    local port
    port=$(free_port)
    start_prog c client 127.0.0.1 "$port"
    if ! AT_ONCE=1 wait_exit c 3; then
        flunk_check "client 127.0.0.1 $port, with nothing listening on that port" \
            --expected "'connect: Connection refused' on stderr and an exit at once" \
            --prog c \
            --hint "It is still running. 'Connection refused' is the answer, not a delay: do not sleep and retry; perror(\"connect\") and return -1 from connect_to(), and exit with EXIT_FAILURE."
    fi
    local err
    err=$(first_err c)
    if ! is_exactly "$WORK/c.err" "connect: Connection refused" || [ "$STATUS" != 1 ] || [ -s "$WORK/c.out" ]; then
        local hint="Check connect()'s result: on -1 keep errno, close that socket and try the next address; when none is left, put errno back, perror(\"connect\") and return -1 (TODOs 2 and 4)."
        if grep -q -E 'connected to' "$WORK/c.out" || grep -q -i 'not connected' "$WORK/c.err"; then
            hint="connect() returned -1 but the socket was used as if connected: check connect()'s result, and return -1 from connect_to() when no address accepted."
        fi
        flunk_check "client 127.0.0.1 $port, with nothing listening on that port" \
            --expected "stderr exactly 'connect: Connection refused', nothing on stdout, exit status 1 (EXIT_FAILURE)" \
            --seen "stderr '$(visible "$WORK/c.err" 120)', stdout '$(out_text c)', exit status $STATUS" \
            --prog c \
            --hint "$(hint_for c "$hint")"
    fi
}

# Misconception: the error is always "refused", so the message is typed by hand. connect() has
# other answers (no route: "Network is unreachable"; a silent host: "Connection timed out",
# after minutes), and errno says which. strace makes connect() fail with ENETUNREACH here.
# rules: errno out-refused
@test "reports the reason connect() gave: 'connect: Network is unreachable' (injected)" {
    traced_client c connect ENETUNREACH 127.0.0.1 9000
    local err
    err=$(first_err c)
    if ! is_exactly "$WORK/c.err" "connect: Network is unreachable" || [ "$STATUS" != 1 ] || [ -s "$WORK/c.out" ]; then
        flunk_check "client 127.0.0.1 9000, connect() made to fail with ENETUNREACH by strace" \
            --expected "stderr exactly 'connect: Network is unreachable', nothing on stdout, exit status 1" \
            --seen "stderr '$(visible "$WORK/c.err" 120)', stdout '$(out_text c)', exit status $STATUS" \
            --prog c \
            --hint "$(hint_for c "Report the reason in errno with perror(\"connect\"), and keep connect()'s errno until then: close() may change it. A message typed by hand is right only for one reason.")"
    fi
}

# Misconception: the defaults of the command line do not matter. `client` alone must go where
# the course's server listens: 127.0.0.1, port 9000. (connect() is only traced, made to fail by
# strace, so nothing has to listen on 9000.)
# rules: defaults
@test "with no arguments it connects to 127.0.0.1 port 9000" {
    traced_client c connect ECONNREFUSED
    local calls
    calls=$(inet_connects c)
    if ! grep -q -F 'sin_port=htons(9000), sin_addr=inet_addr("127.0.0.1")' <<<"$calls"; then
        flunk_check "client with no arguments, its connect() calls as strace shows them" \
            --expected 'connect(3, {sa_family=AF_INET, sin_port=htons(9000), sin_addr=inet_addr("127.0.0.1")}, 16)' \
            --seen "${calls:-no IPv4 connect() at all}" \
            --prog c \
            --hint "$(hint_for c "Without arguments, host is \"127.0.0.1\" and port \"9000\" (the starter sets both): pass them to connect_to().")"
    fi
}

# ---- closing ---------------------------------------------------------------------------

# Misconception: the process exits anyway, so close() does not matter. The chat client of the
# next lessons keeps running; every descriptor it forgets is a leak.
# rules: closes
@test "closes its socket after connecting (strace)" {
    start_ref s server 0
    server_port s
    traced_client c connect,close - 127.0.0.1 "$PORT"
    local call fd
    call=$(inet_connects c | grep -E '\) += 0$' | head -n 1 || true)
    fd=$(sed -nE 's/^connect\(([0-9]+),.*/\1/p' <<<"$call")
    if [ -z "$fd" ] || ! closes_after c "$fd"; then
        flunk_check "client 127.0.0.1 $PORT against the reference server, traced: connect(N, ...) = 0 then close(N)" \
            --expected "close(${fd:-N}) = 0 after the connect() that succeeded" \
            --seen "${call:-no IPv4 connect() that returned 0}${fd:+, then: $(calls_after c "$fd")}" \
            --prog c \
            --hint "$(hint_for c "After printing 'connected to ...', close(sock_fd) (TODO 8).")"
    fi
}

# Misconception: a socket whose connect() failed can be left open, or reused. It is spent:
# connect_to() closes it before it tries the next address or gives up.
# rules: closes
@test "closes the socket whose connect() failed (strace)" {
    need_program client
    local port
    port=$(free_port)
    traced_client c connect,close - 127.0.0.1 "$port"
    local call fd
    call=$(inet_connects c | head -n 1)
    fd=$(sed -nE 's/^connect\(([0-9]+),.*/\1/p' <<<"$call")
    if [ -z "$fd" ] || ! closes_after c "$fd"; then
        flunk_check "client 127.0.0.1 $port with nothing listening, traced: connect(N, ...) = -1 then close(N)" \
            --expected "close(${fd:-N}) = 0 after the failed connect(${fd:-N}, ...)" \
            --seen "${call:-no IPv4 connect() at all}${fd:+, then: $(calls_after c "$fd")}" \
            --prog c \
            --hint "$(hint_for c "When connect() returns -1, keep errno, close that socket, then go on (TODO 2): a socket is not reused after a failed connect.")"
    fi
}

# ---- bad arguments -----------------------------------------------------------------------

# Misconception: getaddrinfo() sets errno like a system call, so perror() will explain its
# failure. It does not: it returns an EAI_ code, and gai_strerror() turns that into words;
# perror() prints whatever errno last held. (bad..host is refused by glibc itself: no DNS query.)
# rules: bad-host out-unknown-host
@test "an unknown host ('bad..host') gives one line naming it and the resolver's reason, and a non-zero exit" {
    need_program client
    local reason port
    reason=$("$SOCKCHAT_HELPERS/peer" gai bad..host || true)
    port=$(free_port)
    run_client c bad..host "$port"
    local err lines
    err=$(first_err c)
    lines=$(err_lines c)
    if ! is_exactly "$WORK/c.err" "client: cannot resolve 'bad..host': $reason" ||
        [ "$STATUS" != 1 ] || [ -s "$WORK/c.out" ]; then
        local hint="When getaddrinfo() returns non-zero, print client: cannot resolve 'HOST': REASON with REASON from gai_strerror(gai_status) (getaddrinfo does not set errno, so perror and strerror(errno) print a stale reason), then return -1."
        flunk_check "client bad..host $port" \
            --expected "stderr exactly 'client: cannot resolve 'bad..host': $reason' (the reason from gai_strerror), nothing on stdout, exit status 1" \
            --seen "$lines line(s) on stderr, the first '$err'; stdout '$(out_text c)'; exit status $STATUS" \
            --prog c \
            --hint "$(hint_for c "$hint")"
    fi
}

# Misconception: any text will do as a port, or 0 is a port to connect to. "abc" is not a
# number, 70000 does not fit in 16 bits, and nobody listens on port 0: the client says so
# before it tries to connect anywhere.
# rules: bad-port out-bad-port
@test "a bad port ('abc', '0', '70000') gives one line on stderr and a non-zero exit, before any connect()" {
    local bad calls err lines
    for bad in abc 0 70000; do
        traced_client "c$bad" connect ECONNREFUSED 127.0.0.1 "$bad"
        calls=$(inet_connects "c$bad")
        err=$(first_err "c$bad")
        lines=$(err_lines "c$bad")
        if [ -n "$calls" ] || [ "$STATUS" != 2 ] || [ -s "$WORK/c$bad.out" ] ||
            ! is_exactly "$WORK/c$bad.err" "client: bad port '$bad': expected a number from 1 to 65535"; then
            flunk_check "client 127.0.0.1 $bad" \
                --expected "stderr exactly 'client: bad port '$bad': expected a number from 1 to 65535', exit status 2, and no connect()" \
                --seen "${calls:+it connected: $calls; }$lines line(s) on stderr, the first '$err'; exit status $STATUS" \
                --prog "c$bad" \
                --hint "$(hint_for "c$bad" "Check the port first (TODO 5): parse_port() refuses abc and 70000, and refuse port 0 too (nobody listens on port 0); print the port as typed and return 2 before connect_to().")"
        fi
    done
}

# ---- lesson 03's server ------------------------------------------------------------------

# Misconception: only the new file matters. The server is lesson 03's and shares net.c with
# the client: an edit there must not break it. The reference client connects to it.
# rules: server
@test "the server from lesson 03 still prints 'connection from 127.0.0.1:PORT' for a client" {
    start_prog s server 0
    server_port s
    start_ref c client 127.0.0.1 "$PORT"
    wait_exit c || true
    if ! wait_line s '^connection from 127\.0\.0\.1:[0-9]+$'; then
        flunk_check "the reference client connects to your server" \
            --expected "a line 'connection from 127.0.0.1:PORT' from your server" \
            --prog s \
            --hint "server.c is lesson 03's: did a change to net.c (make_listener, format_addr) break it?"
    fi
}
