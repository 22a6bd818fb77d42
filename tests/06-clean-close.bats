#!/usr/bin/env bats
# Lesson 06: closing cleanly. recv() == 0 is the peer's orderly close; the server goes back to
# accept() for the next client and closes every descriptor; SIGINT/SIGTERM stop it with status 0;
# a send to a vanished peer is an error message, not a death by SIGPIPE.
#
# Black-box checks. The student's client is tested against the reference server, the student's
# server against the reference client or the course's peer (tests/helpers/peer.c), so a failure
# points at one program; one check runs both together. Input is typed through FIFOs
# (STDIN=fifo start, say, hangup).

load helpers/chat

# Valgrind starts slowly and runs a program many times slower: its check, and only that one,
# gets twice the usual time limit (bats names the test before it reads this file).
if [[ "${BATS_TEST_NAME:-}" == *valgrind* ]]; then
    BATS_TEST_TIMEOUT=$((${BATS_TEST_TIMEOUT:-20} * 2))
fi

setup() {
    common_setup
}

teardown() {
    common_teardown
}

# ---- hints of this lesson -------------------------------------------------------------

# A client that finds nothing listening: the server exited after the previous client.
REFUSED_HINT="Nothing listens on the port any more: the server has exited, most likely after the previous client. Loop back to accept() for the next client (TODO 5)."

# expect_clean_stop NAME SIG WHILE: after SIG, NAME must end within WAIT_SECS with status 0 and
# no "Interrupted system call" on stderr; the failure's hint follows what was seen.
expect_clean_stop() {
    local name=$1 sig=$2 while=$3 check hint
    check="after SIG$sig $while, the server exits with status 0 and no error message"
    if ! wait_exit "$name"; then
        flunk_check "$check" \
            --expected "the server ends within ${WAIT_SECS} s" \
            --prog "$name" \
            --hint "The server did not stop. If your handler is installed with SA_RESTART, the kernel restarts the blocked accept()/recv()/read() instead of returning -1 with EINTR, so the loop never looks at stop_requested: leave sa_flags 0 (TODO 2). And the handler must set stop_requested (TODO 1)."
    fi
    if [ "$STATUS" -gt 128 ] && [ "$STATUS" -lt 160 ]; then
        hint="SIG$(kill -l $((STATUS - 128))) killed the server: its default action ends the process. Install a handler for SIGINT and SIGTERM with sigaction() that only sets stop_requested (TODOs 1 and 2)."
    elif grep -q 'Interrupted system call' "$WORK/$name.err"; then
        hint="A blocked call returned -1 with errno EINTR because of the signal, and was reported as an error. EINTR is not an error here: 'continue', so the loop sees stop_requested (TODO 4 for recv(), TODO 6 for accept()); then main closes the listening socket and returns EXIT_SUCCESS."
    elif [ "$STATUS" != 0 ]; then
        hint="A stop that was asked for is not a failure: leave the loops, close the sockets and return EXIT_SUCCESS from main."
    else
        return 0
    fi
    flunk_check "$check" \
        --expected "exit status 0, nothing on stderr about an interrupted call" \
        --prog "$name" \
        --hint "$hint"
}

# ---- the client ----------------------------------------------------------------------------

# Misconception: "exit" is a message like any other and goes to the server; or the client
# leaves without closing, or with a failure status.
# rules: client-exit client-status t-connected t-reply
@test "client: typing 'exit' closes the connection and exits with status 0" {
    start_server r ref
    start_client c
    say c "hello"
    expect r "client: hello" "the server receives the client's line" \
        "The client sends each typed line with one send(), without its newline (lesson 05)."
    say r "hi there"
    expect c "server: hi there" "the client prints the server's reply" \
        "Print each reply as 'server: TEXT' (lesson 05)."
    say c "exit"
    if ! wait_exit c || [ "$STATUS" != 0 ]; then
        flunk_check "after 'exit' the client exits with status 0" \
            --sent "hello, then exit" \
            --prog c \
            --hint "When the line is 'exit', leave the chat loop without sending it, close(sock_fd) and return EXIT_SUCCESS."
    fi
    if ! wait_line r '^connection closed$' || grep -q '^client: exit$' "$WORK/r.out"; then
        flunk_check "the server sees the connection close, and never receives 'exit'" \
            --expected "the reference server prints 'connection closed', not 'client: exit'" \
            --prog r \
            --hint "'exit' is a command to your client, not a message: do not send it; close the socket instead, and the server's recv() returns 0."
    fi
}

# Misconception: end of input is not handled, so read_line() returns -1 forever and the client
# spins at 100% CPU instead of leaving.
# rules: client-eof client-status
@test "client: end of stdin (Ctrl-D) closes the connection and exits with status 0" {
    start_server r ref
    start_client c
    say c "hello"
    expect r "client: hello" "the server receives the client's line" \
        "The client sends each typed line with one send(), without its newline (lesson 05)."
    say r "hi there"
    expect c "server: hi there" "the client prints the server's reply" \
        "Print each reply as 'server: TEXT' (lesson 05)."
    hangup c
    if ! AT_ONCE=1 wait_exit c; then
        flunk_check "at the end of stdin the client exits" \
            --expected "the client ends at once after Ctrl-D" \
            --seen "still running $(waited)" \
            --prog c \
            --hint "read_line() returns -1 at the end of input (Ctrl-D, or a closed pipe): leave the chat loop then, as for 'exit'. Going round again reads end of input again, forever: the client spins."
    fi
    if [ "$STATUS" != 0 ]; then
        flunk_check "at the end of stdin the client exits with status 0" \
            --prog c \
            --hint "The end of input is the normal way to finish (Ctrl-D, or a script's last line): close the socket and return EXIT_SUCCESS."
    fi
    expect r "connection closed" "the server sees the connection close when the client's stdin ends" \
        "Close the socket when stdin ends: the server's recv() then returns 0."
}

# Misconception: recv() returning 0 is an empty reply, so the client prints "server: " and
# carries on talking to nobody, instead of saying the server has gone.
# rules: client-server-gone client-status t-server-closed
@test "client: says 'server closed the connection' and exits when the server goes away" {
    start_server r ref
    start_client c
    say c "hello"
    expect r "client: hello" "the server receives the client's line" \
        "The client sends each typed line with one send(), without its newline (lesson 05)."
    # The client now waits for the reply; the (reference) server stops and closes instead.
    signal_prog r TERM
    wait_exit r || true
    if ! wait_line c '^server closed the connection$'; then
        flunk_check "the client says so when the server closes the connection" \
            --expected "server closed the connection" \
            --seen "$(grep -q '^server: *$' "$WORK/c.out" && echo "an empty reply 'server: ', as if recv() had returned data" || echo "no such line")" \
            --prog c \
            --hint "recv() returns 0 when the server has closed the connection (its FIN): no reply will ever come. That is not an empty message: print 'server closed the connection' and leave the loop."
    fi
    if ! AT_ONCE=1 wait_exit c || [ "$STATUS" != 1 ]; then
        flunk_check "after 'server closed the connection' the client exits with status 1" \
            --prog c \
            --hint "Leave the chat loop when recv() returns 0, close the socket and exit with status 1 (EXIT_FAILURE: the chat did not end the way the user asked)."
    fi
}

# Misconception: SIGPIPE cannot happen to a client. A send() to a server that has vanished
# (here: a FIN, then an RST) raises SIGPIPE, which silently kills a client that does not
# ignore it.
# rules: client-sigpipe client-status errors
@test "client: a send to a vanished server is an error message, not a death by SIGPIPE" {
    STDIN=fifo start p "$SOCKCHAT_HELPERS/peer" serve-abort "hi there"
    expect_match p '^[0-9]+$' "a port number" "the test's peer listens" \
        "(a problem of the test machine, not of your code)"
    PORT=$LINE
    start_tested c client 127.0.0.1 "$PORT"
    say c "hello"
    expect c "server: hi there" "the client prints the peer's reply" \
        "Print each reply as 'server: TEXT' (lesson 05)."
    hangup p # the peer vanishes: a FIN, then an RST
    wait_exit p || true
    say c "anyone there?"
    if ! wait_exit c; then
        flunk_check "a send to a vanished server ends the client" \
            --sent "hello, then (the server gone) anyone there?" \
            --prog c \
            --hint "send() fails with EPIPE (or recv() returns 0): report it and leave the loop."
    fi
    if [ "$STATUS" = 141 ]; then
        flunk_check "a send to a vanished server is an error message, not a death by SIGPIPE" \
            --sent "hello, then (the server gone) anyone there?" \
            --expected "'send: Broken pipe' on stderr and a non-zero status" \
            --prog c \
            --hint "The client was killed by SIGPIPE, with no message at all. Ignore SIGPIPE with sigaction() and SIG_IGN before you send (TODO 6); send() then returns -1 with errno EPIPE, and perror(\"send\") says why."
    fi
    if [ ! -s "$WORK/c.err" ] && ! grep -q '^server closed the connection$' "$WORK/c.out"; then
        flunk_check "a failed send is reported" \
            --expected "'send: Broken pipe' on stderr (or 'server closed the connection')" \
            --prog c \
            --hint "When send() returns -1, perror(\"send\") before leaving the loop."
    fi
    if [ "$STATUS" != 1 ]; then
        flunk_check "after a failed send the client exits with status 1" \
            --prog c \
            --hint "An error ends the chat with status 1 (EXIT_FAILURE), as the README's exit statuses say."
    fi
}

# ---- the server ----------------------------------------------------------------------------

# Misconception: recv() returning 0 is an empty message. The server prints "client: " and waits
# for a reply to a client that has left, instead of closing the connection.
# rules: server-closed t-closed t-message
@test "server: prints 'connection closed' when the client leaves, never an empty message" {
    start_server s
    start_client c ref
    say c "hello"
    expect s "client: hello" "the server prints the client's message" \
        "Print each message as 'client: TEXT' (lesson 05)."
    say s "hi there"
    expect c "server: hi there" "the client receives the server's reply" \
        "Send the typed reply with send_all(), without its newline (lesson 05)."
    hangup c # the reference client closes its socket at the end of its stdin
    wait_exit c || true
    if ! wait_line s '^connection closed$' || grep -q '^client: *$' "$WORK/s.out"; then
        flunk_check "when the client closes its end, the server prints 'connection closed'" \
            --expected "connection closed" \
            --seen "$(grep -q '^client: *$' "$WORK/s.out" && echo "an empty message 'client: ': recv() returned 0 and was printed as data" || echo "no 'connection closed' line")" \
            --prog s \
            --hint "recv() returns 0 when the client has closed the connection (its FIN): no data will ever come again. That is not an empty message: print 'connection closed' and end the chat."
    fi
}

# Misconception: a server serves one client and is done (lesson 05), or it never leaves the
# first client's loop: the next client waits forever or is refused.
# rules: server-three t-listening t-connection wire
@test "server: serves several clients one after another in one run" {
    start_server s
    local i
    for i in 1 2 3; do
        STDIN=fifo start "c$i" "$SOCKCHAT_REF/client" 127.0.0.1 "$PORT"
        expect "c$i" "connected to 127.0.0.1:$PORT" "client $i of 3 connects after the one before it has left" \
            "After a chat ends, close the connection and go back to accept() for the next client (TODO 5): the server must not exit when one client leaves."
        say "c$i" "hello $i"
        if ! wait_count s '^client: ' "$i"; then
            flunk_check "client $i of 3 is served: the server prints its message" \
                --sent "hello $i" \
                --expected "client: hello $i" \
                --prog s \
                --hint "Once the previous client has gone (recv() returned 0), go back to accept() for the next one (TODO 5)."
        fi
        say s "reply $i"
        expect "c$i" "server: reply $i" "client $i of 3 gets its reply" \
            "Reply to each client on its own connection, the descriptor accept() returned for it."
        hangup "c$i"
        wait_exit "c$i" || true
        if ! wait_count s '^connection closed$' "$i"; then
            flunk_check "client $i of 3 leaves: the server prints 'connection closed'" \
                --expected "$i 'connection closed' lines" \
                --prog s \
                --hint "recv() returns 0 when the client has gone: print 'connection closed', close its descriptor and go back to accept()."
        fi
    done
    if [ "$(count_lines s '^connection from 127\.0\.0\.1:[0-9]+$')" != 3 ] || ! alive s; then
        flunk_check "three clients, three connections, and the server is still running" \
            --expected "3 lines 'connection from 127.0.0.1:PORT', the server waiting for a 4th client" \
            --prog s \
            --hint "One accept() per client, in a loop that ends only when a stop is requested (TODO 5)."
    fi
}

# Misconception: a signal interrupting accept() is an error ("accept: Interrupted system call",
# status 1), or SIGTERM is left to its default action and kills the server.
# rules: sig-accept server-signals
@test "server: SIGTERM while it waits for a client stops it with status 0" {
    start_server s
    signal_prog s TERM
    expect_clean_stop s TERM "while it waits in accept()"
}

# Misconception: SA_RESTART (or signal(), which sets it on Linux) looks harmless, but then the
# kernel restarts a blocked recv() after the handler, and Ctrl-C is never noticed.
# rules: sig-recv server-signals
@test "server: Ctrl-C (SIGINT) while it waits for a client's message stops it with status 0" {
    start_server s
    start_client c ref
    expect_match s '^connection from 127\.0\.0\.1:[0-9]+$' "connection from 127.0.0.1:PORT" "the server accepts the client" \
        "Print 'connection from ADDR:PORT' after accept() (lesson 03)."
    signal_prog s INT
    expect_clean_stop s INT "while it waits in recv() for a client's message"
}

# Misconception: only the network calls are interrupted; a server blocked reading its own
# stdin (the reply) ignores Ctrl-C, or reports the interrupted read as an error.
# rules: sig-stdin server-signals
@test "server: Ctrl-C (SIGINT) while it waits for the reply on stdin stops it with status 0" {
    start_server s
    start_client c ref
    say c "hello"
    expect s "client: hello" "the server prints the client's message" \
        "Print each message as 'client: TEXT' (lesson 05)."
    signal_prog s INT
    expect_clean_stop s INT "while it waits for a reply line on stdin"
}

# Misconception: a send() cannot kill the process. To a client that has vanished (a FIN, then
# an RST) it raises SIGPIPE, whose default action ends the server without a word; ignored,
# send() fails with EPIPE, the server reports it and serves the next client.
# rules: server-sigpipe server-fault errors
@test "server: a reply to a vanished client is an error message, not a death by SIGPIPE" {
    start_server s
    STDIN=fifo start p "$SOCKCHAT_HELPERS/peer" abort "$PORT" hello
    expect s "client: hello" "the server prints the client's message" \
        "Print each message as 'client: TEXT' (lesson 05)."
    hangup p # the client vanishes: a FIN, then an RST
    wait_exit p || true
    say s "are you there?"
    wait_stderr s || true
    if ! alive s; then
        local killed=""
        wait_exit s 1 && [ "$STATUS" = 141 ] && killed="SIGPIPE killed the server. "
        flunk_check "the server survives a reply to a client that has vanished" \
            --sent "hello from a client that then vanished (FIN, RST); reply: are you there?" \
            --expected "'send: Broken pipe' on stderr, and the server still running" \
            --prog s \
            --hint "${killed}A send() to a client that has gone raises SIGPIPE, whose default action ends the process. Ignore SIGPIPE with sigaction() and SIG_IGN (TODO 3): send() then returns -1 with errno EPIPE; report it with perror(\"send\"), close the connection and serve the next client."
    fi
    if ! grep -q -E 'Broken pipe|Connection reset' "$WORK/s.err"; then
        flunk_check "the failed send is reported on stderr" \
            --expected "send: Broken pipe" \
            --prog s \
            --hint "When send_all() returns -1, perror(\"send\"): the reason (EPIPE) is in errno."
    fi
    start_client c ref
    say c "next"
    expect s "client: next" "after the vanished client, the server serves the next one" \
        "After a failed send, close that connection and go back to accept() (TODOs 5 and 7)."
}

# Misconception: the kernel cleans up at exit, so an accepted descriptor need not be closed.
# A server runs for weeks: one leaked descriptor per client, and after about a thousand
# clients accept() fails with "Too many open files".
# rules: server-fds
@test "server: its number of open descriptors stays flat over 200 clients" {
    start_server s
    local n=200 before after i
    # One reply per client, typed in advance.
    for i in $(seq $((n + 1))); do
        say s "ok"
    done
    start p1 "$SOCKCHAT_HELPERS/peer" chat "$PORT" hello 1
    if ! wait_line p1 '^done 1$' || ! wait_count s '^connection closed$' 1; then
        flunk_check "one client chats and leaves" \
            --expected "client: hello, then connection closed" \
            --prog s --prog p1 \
            --hint "Reply to each message, and print 'connection closed' when recv() returns 0."
    fi
    before=$(fd_count s || true)
    start p2 "$SOCKCHAT_HELPERS/peer" chat "$PORT" hello "$n"
    if ! wait_line p2 '^done ' 12 || ! wait_count s '^connection closed$' $((n + 1)) 5; then
        flunk_check "$n more clients chat and leave, one after another" \
            --expected "$((n + 1)) lines 'connection closed'" \
            --seen "$(count_lines s '^connection closed$') lines 'connection closed'" \
            --prog s --prog p2 \
            --hint "Go back to accept() after each client (TODO 5) and close each connection."
    fi
    after=$(fd_count s || true)
    if [ -z "$before" ] || [ -z "$after" ] || [ "$after" -gt $((before + 2)) ]; then
        flunk_check "the server's open descriptors stay flat over $n clients" \
            --expected "about $before descriptors open in /proc/PID/fd after $((n + 1)) clients, as after the first" \
            --seen "${before:-?} descriptors after 1 client, ${after:-?} after $((n + 1))" \
            --prog s \
            --hint "Close each accepted descriptor with close(conn_fd) once its client has left, whatever ended the chat, as serve() has done since lesson 03. Try: ls -l /proc/\$(pgrep -n -u \"\$USER\" -f build/lessons/06-clean-close/server)/fd while clients come and go."
    fi
}

# Misconception: a server cannot be restarted at once on the port it just used: "Address already
# in use", because its last connection waits in TIME_WAIT. SO_REUSEADDR lets bind() go ahead.
# rules: server-restart
@test "server: restarts on the same port right after a session (SO_REUSEADDR)" {
    start_server s
    local port=$PORT
    start_client c ref
    say c "hello"
    expect s "client: hello" "the server prints the client's message" \
        "Print each message as 'client: TEXT' (lesson 05)."
    # The server closes first, so its side of the connection ends in TIME_WAIT on the port
    # once the client has closed too.
    stop s
    hangup c
    wait_exit c || true
    start_tested s2 server "$port"
    if ! wait_line s2 "^listening on 127\.0\.0\.1:$port\$"; then
        flunk_check "a new server listens on the same port at once" \
            --expected "listening on 127.0.0.1:$port" \
            --seen "$(awk -v p=":$(hexport "$port")" 'substr($2, length($2) - 4) == p && $4 == "06"' /proc/net/tcp | wc -l) connection(s) in TIME_WAIT on port $port" \
            --prog s2 \
            --hint "bind() fails with 'Address already in use' while the last connection waits in TIME_WAIT: set SO_REUSEADDR on the listening socket before bind() (make_listener, lesson 02)."
    fi
}

# Misconception: each program works with the reference, so together they must work too. Here
# both are yours: two chats, one left with 'exit' and one with Ctrl-D, then Ctrl-C.
# rules: together
@test "server and client together: two chats one after another, then Ctrl-C, all exit 0" {
    start_server s
    local i
    for i in 1 2; do
        start_client "c$i"
        say "c$i" "hello $i"
        expect s "client: hello $i" "your server gets client $i's message" \
            "Check the chat with the reference first: the checks above say which side is wrong."
        say s "reply $i"
        expect "c$i" "server: reply $i" "your client $i gets the reply" \
            "Check the chat with the reference first: the checks above say which side is wrong."
        if [ "$i" = 1 ]; then say c1 exit; else hangup c2; fi
        if ! wait_exit "c$i" || [ "$STATUS" != 0 ]; then
            flunk_check "client $i leaves (with $([ "$i" = 1 ] && echo "'exit'" || echo "Ctrl-D")) and exits with status 0" \
                --prog "c$i" \
                --hint "Leave the loop on 'exit' and on the end of input; close the socket and return EXIT_SUCCESS."
        fi
        if ! wait_count s '^connection closed$' "$i"; then
            flunk_check "your server sees client $i leave" \
                --expected "$i line(s) 'connection closed'" \
                --prog s \
                --hint "recv() returns 0 when the client has closed: print 'connection closed'."
        fi
    done
    signal_prog s INT
    expect_clean_stop s INT "after two clients"
}

# Misconception: a leak does not matter in a program that ends. A server that leaks a little per
# client, or per message, grows for as long as it runs. Valgrind checks a whole session: a
# chat, the client's 'exit', the server's Ctrl-C.
# rules: valgrind
@test "server and client free everything they allocate (valgrind)" {
    [ -n "${SOCKCHAT_SRC:-}" ] || skip "SOCKCHAT_SRC (the sources under test) is not set"
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    # A build without the sanitizers, which cannot run under valgrind.
    local plain=$WORK/plain file prog lib=()
    mkdir -p "$plain"
    for file in "$SOCKCHAT_SRC"/*.c; do
        case "$(basename "$file")" in server.c | client.c) ;; *) lib+=("$file") ;; esac
    done
    for prog in server client; do
        if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -g -I"$SOCKCHAT_SRC" -o "$plain/$prog" \
            "$SOCKCHAT_SRC/$prog.c" "${lib[@]}" >"$WORK/plain-$prog.log" 2>&1; then
            flunk_check "the programs build without sanitizers, for valgrind" \
                --seen "$(head -n 3 "$WORK/plain-$prog.log")" \
                --hint "It built with the sanitizers: look at the compiler's first error above."
        fi
    done
    local vg=(valgrind -q --leak-check=full --error-exitcode=99 --errors-for-leak-kinds=definite,indirect)
    # Valgrind starts slowly: more time for each step, and for the programs' lives.
    WAIT_SECS=10 LIFE_SECS=30
    STDIN=fifo start s "${vg[@]}" "$plain/server" 0
    server_port s
    STDIN=fifo start c "${vg[@]}" "$plain/client" 127.0.0.1 "$PORT"
    expect c "connected to 127.0.0.1:$PORT" "the client connects (under valgrind)" \
        "Check the other checks first."
    say c "hello"
    expect s "client: hello" "the server gets the message (under valgrind)" \
        "Check the other checks first."
    say s "hi there"
    expect c "server: hi there" "the client gets the reply (under valgrind)" \
        "Check the other checks first."
    say c exit
    wait_exit c || true
    local client_status=$STATUS
    wait_count s '^connection closed$' 1 || true
    # Ctrl-C, unless the server has already ended (the other checks judge that).
    if alive s; then
        signal_prog s INT
    fi
    wait_exit s || true
    local who
    for who in c s; do
        local status=$client_status
        [ "$who" = s ] && status=$STATUS
        if [ "$status" = 99 ] || grep -q -E 'definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write)' "$WORK/$who.err"; then
            flunk_check "the $([ "$who" = s ] && echo server || echo client) frees what it allocates (valgrind --leak-check=full)" \
                --seen "$(grep -E 'lost|Invalid|at 0x|by 0x' "$WORK/$who.err" | head -n 6 | sed 's/^==[0-9]*== *//' | paste -sd '|' | sed 's/|/ | /g')" \
                --prog "$who" \
                --hint "Every buffer getline() grew is freed once (free(line)) on every way out of the loop, including a signal; freeaddrinfo() after connecting. Run it yourself: valgrind --leak-check=full build/lessons/06-clean-close/server"
        fi
    done
}

# Misconception: a failed recv() ends the server, or is not worth a message. It is one
# connection's trouble: say why, close it, and serve the next client.
# rules: server-recv-fault server-fault errors
@test "server: a failing recv() is 'recv: REASON' on stderr, and the next client is served" {
    start_faulty s recvfrom:error=ECONNRESET:when=1 server 0
    server_port s
    start_client a ref
    say a "hello"
    if ! wait_for s "$WAIT_SECS" grep -q -x -F -- "recv: Connection reset by peer" "$WORK/s.err"; then
        made_call s recvfrom || return 0 # it reads with read(): nothing was made to fail
        flunk_check "the server's first recv() fails with ECONNRESET (injected with strace): it says so" \
            --expected "the line 'recv: Connection reset by peer' on the server's stderr $(waited)" \
            --seen "stderr '$(visible "$WORK/s.err" 160)'" "${SHOW[@]}" \
            --hint "When recv_message() returns -1 (and errno is not EINTR), perror(\"recv\"), leave the chat, close that connection, and accept the next client."
    fi
    start_client b ref
    say b "next"
    expect s "client: next" "after the failed recv(), the server serves the next client" \
        "A failed recv() ends one chat, not the server: close conn_fd and go back to accept() (TODO 5)."
}

# Misconception: the end of the server's stdin is an error, or is never looked at. Nobody is
# left to type replies: the server ends, with status 0.
# rules: server-stdin-end server-eof
@test "server: the end of its stdin while a client waits for a reply ends it with status 0" {
    start_server s
    start_client a ref
    say a "hello"
    expect s "client: hello" "the server prints the client's message" \
        "Print each message as 'client: TEXT' (lesson 05)."
    hangup s
    if ! AT_ONCE=1 wait_exit s || [ "$STATUS" != 0 ]; then
        flunk_check "at the end of its stdin the server exits with status 0" \
            --expected "the server ends at once, with status 0" "${SHOW[@]}" \
            --hint "read_line() returns -1 at the end of stdin: nobody is left to type the replies. Leave the chat and the accept loop, close the sockets, and return EXIT_SUCCESS."
    fi
}
