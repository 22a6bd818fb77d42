#!/usr/bin/env bats
# Lesson 03: accept(2), the peer's address, one connected socket per client.
# Black-box checks of `server 0`: for each client the course's peer program connects, the
# server must print "connection from 127.0.0.1:PEERPORT" with the port the client really has
# (peer prints it as "local N"), close that connection, and go on serving. accept() failures
# are injected with strace.

load helpers/sockchat

setup() {
    common_setup
}

teardown() {
    common_teardown
}

# start_server NAME: start the server under test on a port the kernel picks; sets PORT.
start_server() {
    start_prog "$1" server 0
    server_port "$1"
}

# connect_peer NAME: a client connects to 127.0.0.1:$PORT and waits for the server to close the
# connection, with no time limit of its own: when the server leaves it open, the two go quiet
# and the check's wait ends (sockchat.bash, wait_for). Sets PEER_PORT to the client's own port.
# Returns 1 if it could not connect (its stderr says why).
connect_peer() {
    local name=$1
    PEER_PORT=""
    start "$name" "$SOCKCHAT_HELPERS/peer" connect "$PORT" 0
    wait_line "$name" '^local [0-9]+$' || return 1
    PEER_PORT=${LINE#local }
}

# start_traced NAME INJECT: the server under strace, with the fault INJECT (strace's
# inject=... syntax) on accept. LeakSanitizer cannot run under ptrace, so it is off here.
start_traced() {
    local name=$1 inject=$2
    need_program server
    ASAN_OPTIONS=detect_leaks=0 start "$name" \
        strace -f -qq -o "$WORK/$name.trace" -e trace=accept,accept4 \
        -e "inject=accept,accept4:$inject" "$SOCKCHAT_BIN/server" 0
}

# Misconception: lesson 03 only adds code after listen(), so nothing before it can break.
# (Lesson 02 in brief: the listening line, with the real port, and 127.0.0.1 only.)
# rules: listens
@test "still listens on 127.0.0.1 and says so: listening on 127.0.0.1:PORT" {
    start_server s
    is_listening "$PORT" || true
    local seen
    seen=$(listeners "$PORT" | paste -sd ' ')
    if [ "$seen" != "0100007F:$(hexport "$PORT")" ]; then
        flunk_check "a socket listens on 127.0.0.1:$PORT, the port the server printed" \
            --expected "0100007F:$(hexport "$PORT") in /proc/net/tcp (127.0.0.1, port $PORT)" \
            --seen "${seen:-nothing listens on port $PORT}" \
            --prog s \
            --hint "Keep lesson 02's make_listener: bind 127.0.0.1 (htonl(INADDR_LOOPBACK)), listen(), then print the port local_port() reads back."
    fi
}

# Misconceptions: sin_port is printed as it is (it is in network byte order: without ntohs()
# 54321 prints as 12756); peer_len is only an output, so it may start at 0 or anything (it is
# also an input, the room in peer: with 0 the kernel writes no address at all).
# rules: peer-port
@test "prints 'connection from 127.0.0.1:PEERPORT' with the client's real port" {
    start_server s
    if ! connect_peer c; then
        flunk_check "a client connects to 127.0.0.1:$PORT" \
            --expected "the connection is accepted, or at least queued" \
            --seen "the client could not connect: $(stderr_text c)" \
            --prog s \
            --hint "The server must keep listen_fd open and listening while it serves."
    fi
    local expected="connection from 127.0.0.1:$PEER_PORT"
    if ! wait_line s '^connection from '; then
        flunk_check "the server prints a line for the client" \
            --expected "$expected (the client's port is $PEER_PORT)" \
            --seen "no 'connection from' line $(waited)" \
            --prog s \
            --hint "Call accept(listen_fd, (struct sockaddr *)&peer, &peer_len) in a loop (TODO 2; delete the starter's pause()), then print 'connection from ' and format_addr's text (TODO 3)."
    fi
    if [ "$LINE" != "$expected" ]; then
        local seen_port=${LINE##*:} hint
        if [ "$LINE" = "connection from 127.0.0.1:$(swapped "$PEER_PORT")" ]; then
            hint="$PEER_PORT came out as $(swapped "$PEER_PORT"): its two bytes are swapped. sin_port is in network byte order; print ntohs(addr->sin_port) in format_addr."
        elif [ "$seen_port" = "$PORT" ]; then
            hint="$PORT is the server's own port, not the client's: print the address accept() wrote into peer, with peer_len = sizeof peer set before that accept()."
        else
            hint="Set peer_len = sizeof peer before every accept(): it is in and out, the room peer has going in (with 0, accept() writes no address and peer stays junk, e.g. 0.0.0.0:0) and what was written coming out. Pass &peer and &peer_len to accept(), format peer with format_addr, and print its port with ntohs()."
        fi
        flunk_check "the line names the client: 127.0.0.1 and the client's own port" \
            --expected "$expected" \
            --seen "$LINE" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: accept() gives the server the client's connection to keep, or the process
# exit will close it some day. Each accepted socket is the server's to close, right after use.
# rules: closes
@test "closes each connection it accepts: the client sees end of file" {
    start_server s
    if ! connect_peer c; then
        flunk_check "a client connects to 127.0.0.1:$PORT" \
            --seen "the client could not connect: $(stderr_text c)" \
            --prog s \
            --hint "The server must keep listen_fd open and listening while it serves."
    fi
    wait_line c '^(closed|data)$' || true
    if [ "$LINE" != closed ]; then
        local seen="the client's connection was still open $(waited)"
        [ "$LINE" = data ] && seen="the client received data; this lesson sends nothing"
        [ -z "$LINE" ] && [ "$WAITED" != quiet ] && seen="the client saw neither end of file nor data: $(stderr_text c)"
        local hint="After printing the line, close(conn_fd) (TODO 4): the client then reads end of file."
        [ "$(count_lines s '^connection from ')" = 0 ] &&
            hint="The server printed no 'connection from' line either: it never accepted the client (TODO 2). Then close(conn_fd) (TODO 4)."
        flunk_check "the server closes the connection it accepted" \
            --expected "the client reads end of file (peer prints 'closed')" \
            --seen "$seen" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconceptions: the listening socket is closed once a client is in (close(listen_fd) instead
# of close(conn_fd)), or accept() is called once instead of in a loop: the first client is
# served, the next are refused.
# rules: serves-three stdout
@test "serves connections one after another, a line for each" {
    start_server s
    local i ports=()
    for i in 1 2 3; do
        if ! connect_peer "c$i"; then
            flunk_check "3 clients connect one after another, each once the last got its line" \
                --expected "client $i connects and the server prints its line" \
                --seen "client $i could not connect: $(stderr_text "c$i")" \
                --prog s \
                --hint "After the first client the server no longer listens. Close conn_fd, never listen_fd: listen_fd must stay open for the next client. And call accept() in a loop, once per client."
        fi
        if ! wait_line s "^connection from 127\.0\.0\.1:$PEER_PORT\$"; then
            flunk_check "3 clients connect one after another, each once the last got its line" \
                --expected "connection from 127.0.0.1:$PEER_PORT (client $i)" \
                --seen "$(count_lines s '^connection from ') 'connection from' line(s), none for client $i" \
                --prog s \
                --hint "Loop: accept(), print, close(conn_fd), and back to accept() on listen_fd for the next client. peer_len = sizeof peer before each accept()."
        fi
        ports+=("$PEER_PORT")
    done
    # The whole stdout: the README's lines, each with its newline, and nothing else.
    if ! is_exactly "$WORK/s.out" "listening on 127.0.0.1:$PORT" "connection from 127.0.0.1:${ports[0]}" \
        "connection from 127.0.0.1:${ports[1]}" "connection from 127.0.0.1:${ports[2]}"; then
        flunk_check "after 3 clients, stdout is exactly the listening line and one line per client" \
            --expected "listening on 127.0.0.1:$PORT\\nconnection from 127.0.0.1:${ports[0]}\\n... (4 lines)" \
            --seen "$(visible "$WORK/s.out" 240)" \
            --prog s \
            --hint "One line per event, each ending in a newline, and nothing else on stdout: debug output goes to stderr."
    fi
}

# Misconception: one descriptor more or less does not matter. A server that never closes
# conn_fd keeps one descriptor per client it ever had; around a thousand clients later
# accept() fails with "Too many open files" and nobody can connect.
# rules: no-leak
@test "keeps the same number of descriptors over 300 connections: no leak" {
    start_server s
    if ! connect_peer c || ! wait_line s '^connection from '; then
        flunk_check "the server accepts a first client (before counting descriptors)" \
            --expected "a 'connection from' line" \
            --seen "none $(waited)" \
            --prog s \
            --hint "Accept connections first (TODOs 1 to 3); this check then counts the server's descriptors."
    fi
    local pid before after
    pid=$(prog_pid s)
    before=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    # 300 clients in 20 rounds of 15, each round once the server has printed the last one's
    # lines: more at once would overflow the accept queue (BACKLOG 16), and the kernel would
    # drop the extra clients' SYNs, to be sent again a second later. Slow, and not the point.
    local round
    for round in $(seq 20); do
        timeout -k 1 5 "$SOCKCHAT_HELPERS/peer" storm "$PORT" 15 >"$WORK/storm.out" 2>"$WORK/storm.err" 3>&- || true
        wait_count s '^connection from ' $((1 + 15 * round)) 5 || break
    done
    if [ "$(count_lines s '^connection from ')" -lt 301 ]; then
        flunk_check "300 clients connect and hang up, 15 at a time, each 15 once the last got their lines" \
            --expected "301 'connection from' lines (the first client and 300 more)" \
            --seen "$(count_lines s '^connection from ') lines; the last clients said: $(cat "$WORK/storm.out" "$WORK/storm.err" | paste -sd ' ')" \
            --prog s \
            --hint "Keep serving: accept(), print, close(conn_fd), again. After about 1000 clients whose descriptors were never closed, accept() fails with 'Too many open files': close(conn_fd) for every client."
    fi
    after=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    if [ "$after" -gt $((before + 10)) ]; then
        flunk_check "the server's open descriptors (ls /proc/PID/fd) stay the same over 300 clients" \
            --expected "about $before descriptors, as before the 300 clients" \
            --seen "$before before, $after after: $((after - before)) more" \
            --prog s \
            --hint "Each accept() returns a new descriptor for that client: close(conn_fd) when done with it, every time round the loop. Try: ls -l /proc/\$(pgrep -n server)/fd"
    fi
}

# Misconception: accept() cannot fail once the socket listens. It can, e.g. out of descriptors
# (EMFILE); unchecked, -1 is used as a descriptor and the junk in peer is printed as a client.
# rules: emfile accept-fails
@test "when accept() fails it prints 'accept: Too many open files' and exits non-zero" {
    start_traced s "error=EMFILE:when=1"
    server_port s
    if ! wait_exit s 3 || [ "$STATUS" = 0 ] ||
        ! is_exactly "$WORK/s.err" 'accept: Too many open files' ||
        grep -q '^connection from' "$WORK/s.out"; then
        local hint="accept() returns -1 when it fails: check for -1 before you use conn_fd or peer. For errors other than EINTR and ECONNABORTED, perror(\"accept\") at once and return from serve(), so the server exits with a failure status."
        grep -q '^connection from' "$WORK/s.out" &&
            hint="It printed a client that never came: accept() returns -1 when it fails, and peer holds junk. Check conn_fd for -1 before you use it; for EMFILE, perror(\"accept\") and return."
        local err
        err=$(stderr_text s)
        [ -n "$err" ] && err="stderr '$err'"
        flunk_check "the first accept() fails with EMFILE (injected with strace)" \
            --expected "stderr exactly 'accept: Too many open files', no 'connection from' line, a non-zero exit status" \
            --seen "${err:-nothing on stderr}" \
            --prog s \
            --hint "$hint"
    fi
}

# Misconception: every accept() error is fatal. ECONNABORTED says one queued client gave up
# before it was accepted (and EINTR that a signal came): the server must go on serving.
# rules: econnaborted accept-fails
@test "a client that gave up in the queue (ECONNABORTED) does not stop the server" {
    start_traced s "error=ECONNABORTED:when=1"
    server_port s
    if ! connect_peer c || ! wait_line s '^connection from ' ||
        [ "$(count_lines s '^connection from ')" != 1 ] || [ "$LINE" != "connection from 127.0.0.1:$PEER_PORT" ]; then
        local seen hint
        if [ -z "$PEER_PORT" ]; then
            seen="the next client could not connect: $(stderr_text c)"
            hint="After accept() fails with ECONNABORTED (or EINTR), go round the loop and accept the next client: continue, not return."
        elif [ "$(count_lines s '^connection from ')" = 0 ]; then
            seen="no 'connection from' line $(waited)"
            hint="Is accept() called at all (TODO 2)? After it fails with ECONNABORTED (or EINTR), continue round the loop to the next accept(), and print the client that one brings."
        else
            seen="$(count_lines s '^connection from ') 'connection from' line(s): $(grep '^connection from' "$WORK/s.out" | head -n 3 | paste -sd ';')"
            hint="After accept() returns -1 with ECONNABORTED there is no client: print nothing, and accept() again (continue). Print a line only for a conn_fd that is not -1."
        fi
        flunk_check "the first accept() fails with ECONNABORTED (injected with strace), then a client connects" \
            --expected "the server keeps running and prints one line, connection from 127.0.0.1:${PEER_PORT:-PEERPORT}" \
            --seen "$seen" \
            --prog s \
            --hint "$hint"
    fi
}
