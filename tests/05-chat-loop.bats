#!/usr/bin/env bats
# Lesson 05: send(2) and recv(2), the turn-based chat.
# Black-box checks of `server [port]` and `client [host [port]]`: with each other, with the
# reference solution's programs (one side at a time, so a failure names the side), and with nc,
# which shows the exact bytes on the wire. Both programs read what to type from a FIFO, one line
# at a time (`say`), so every step waits for an event, never for a time.
#
# The wire format (README): a message is the bytes of one send() of the typed line, without its
# newline and without any terminator; the receiver takes what one recv() of up to 1024 bytes
# returns as one message. Each check waits for the answer to a message before it sends the next
# one, so two messages are never in flight together.

load helpers/chat
load helpers/faults

setup() {
    common_setup
    SHOW=()
}

teardown() {
    common_teardown
}

# ---- hints of this lesson -------------------------------------------------------------

# diagnose NAME LINE DEFAULT: the likeliest mistake when NAME did not print the line LINE.
diagnose() {
    local name=$1 line=$2 default=$3 out=$WORK/$1.out
    if LC_ALL=C grep -a -q -F -- '>> ' "$out" 2>/dev/null; then
        echo "A '>> ' prompt shows up in the output, but stdin is not a terminal here: print the prompt only when isatty(STDIN_FILENO) is true (read_line does that)."
    elif LC_ALL=C grep -a -q -F -- "$line" "$out" 2>/dev/null; then
        echo "'$(short "$line")' is followed by bytes that were never sent with it: what is left of a longer message received earlier. recv() does not end the bytes it received with a '\\0': terminate the buffer yourself, buf[n] = '\\0' after the n bytes recv() returned."
    elif [ "${#line}" -gt 80 ] && LC_ALL=C grep -a -q -F -- "${line:0:60}" "$out" 2>/dev/null; then
        echo "The long message was cut. Receive up to 1024 bytes in one recv() (a buffer of MSG_MAX + 1, one byte kept for the '\\0'), and read a whole typed line, up to 1023 bytes, before sending it."
    else
        echo "$default"
    fi
}

# wire_hint FILE: what the bytes a peer received (FILE) say about the sender's mistake.
wire_hint() {
    if LC_ALL=C grep -a -q -P '\x00' "$1" 2>/dev/null; then
        echo "A '\\0' and more bytes went out after the text: the program sends more than the text, such as sizeof(buf) or len + 1 bytes. Send exactly the len bytes of the line (what read_line returned), no terminator."
    elif LC_ALL=C grep -a -q -P '\r' "$1" 2>/dev/null || [ "$(wc -l <"$1")" -gt 0 ]; then
        echo "The newline went out with the text: on the wire a message is only the typed text. Remove the newline (chomp) and send the len bytes that are left."
    else
        echo "Send each typed line with one send_all(fd, line, len): the bytes of the text, nothing more, nothing less."
    fi
}

# ---- the turn-based chat -----------------------------------------------------------------

# Misconception: the chat works if each half works on its own. Turn by turn, both programs
# must print exactly the lines of the README, nothing else: no '>> ' prompt when stdin is not a
# terminal, no empty lines, no stray bytes.
# rules: chat prompt t-listening t-connection t-message t-connected t-reply t-closed
@test "server and client chat turn by turn, and 'exit' ends both" {
    start_server s
    start_client c
    if ! wait_line s '^connection from 127\.0\.0\.1:[0-9]+$'; then
        flunk_check "the server accepts the client and says so" \
            --expected "the line 'connection from 127.0.0.1:PEERPORT'" "${SHOW[@]}" \
            --hint "Accept one client, then print 'connection from 127.0.0.1:PORT' (lesson 03)."
    fi
    say c "hello"
    heard s "hello"
    say s "hi, how are you?"
    said c "hi, how are you?"
    say c "fine, thanks"
    heard s "fine, thanks"
    say s "bye"
    said c "bye"
    say c "exit"
    if ! wait_exit c || [ "$STATUS" != 0 ]; then
        flunk_check "the client ends with status 0 after 'exit'" \
            --expected "the client exits at once, with status 0" "${SHOW[@]}" \
            --hint "When the typed line is \"exit\", leave the loop without sending it, close the socket and return 0."
    fi
    expect s "connection closed" "the server prints 'connection closed' when the client leaves" \
        "recv() returns 0 when the client has closed its end: print 'connection closed' and stop."
    if ! wait_exit s || [ "$STATUS" != 0 ]; then
        flunk_check "the server exits with status 0 after the client left" \
            --expected "exit status 0" "${SHOW[@]}" \
            --hint "In lesson 05 the server serves one client: after 'connection closed', close both sockets and return 0."
    fi
    # The whole output, line by line: the README's lines and nothing more.
    local want_s="listening on 127.0.0.1:$PORT
connection from 127.0.0.1:PEERPORT
client: hello
client: fine, thanks
connection closed"
    local want_c="connected to 127.0.0.1:$PORT
server: hi, how are you?
server: bye"
    if ! cmp -s <(sed -E 's/^(connection from 127\.0\.0\.1:)[0-9]+$/\1PEERPORT/' "$WORK/s.out") <(printf '%s\n' "$want_s"); then
        flunk_check "the server's stdout is exactly the README's lines" \
            --expected "$(visible <(printf '%s\n' "$want_s"))" --seen "$(visible "$WORK/s.out" 400)" \
            "${SHOW[@]}" \
            --hint "$(diagnose s "client: hello" "One line per event and nothing else; a '>> ' prompt only when stdin is a terminal.")"
    fi
    if ! cmp -s "$WORK/c.out" <(printf '%s\n' "$want_c"); then
        flunk_check "the client's stdout is exactly the README's lines" \
            --expected "$(visible <(printf '%s\n' "$want_c"))" --seen "$(visible "$WORK/c.out" 400)" \
            "${SHOW[@]}" \
            --hint "$(diagnose c "server: bye" "One line per event and nothing else; a '>> ' prompt only when stdin is a terminal.")"
    fi
}

# Misconception: a server is right if it works with its own client. The reference client sends
# exactly what the README says; the server must understand it and answer it.
# rules: interop
@test "server chats with the reference client" {
    start_server s
    start_client a ref
    say a "hello from the reference client"
    heard s "hello from the reference client"
    say s "hello from your server"
    said a "hello from your server" \
        "Read the reply line from stdin (its newline removed) and send it with send_all() on the connected socket, the one accept() returned."
    say a "second turn"
    heard s "second turn" \
        "After sending the reply, go back to recv_message() on the same connected socket: the chat is a loop, one message and one reply per turn."
    say s "second reply"
    said a "second reply"
}

# Misconception: a client is right if it works with its own server. The reference server
# prints what it received and sends what is typed to it, exactly as the README says.
# rules: interop
@test "client chats with the reference server" {
    start_server r ref
    start_client c
    say c "hello from your client"
    heard r "hello from your client" \
        "Read a line from stdin (its newline removed) and send it with send_all() on the socket connect_to() returned."
    say r "hello from the reference server"
    said c "hello from the reference server"
    say c "second turn"
    heard r "second turn" \
        "After printing the reply, go back to reading the next line: the chat is a loop, one message and one reply per turn."
    say r "second reply"
    said c "second reply"
}

# Misconception: the checks' lines are all that matter. The session at the top of the README,
# played on two terminals (so the '>> ' prompts show and the typed lines echo), must show
# exactly what the README shows, line by line.
# rules: transcript prompt
@test "the README's session, on two terminals, shows exactly the README's lines" {
    need_program server
    need_program client
    local readme=$HELPERS_DIR/../../lessons/05-chat-loop/README.md
    # The player runs the two programs itself, as the student's uid under the grader's sandbox.
    AS_HARNESS=1 start t python3 "$HELPERS_DIR/transcript.py" "$readme" "$SOCKCHAT_BIN/server" "$SOCKCHAT_BIN/client"
    if ! wait_exit t 15 || [ "$STATUS" != 0 ]; then
        flunk_check "the session of the README, typed line by line on two terminals" \
            --expected "each terminal shows the README's lines, prompts and all, and nothing else" \
            --seen "$(head -n 1 "$WORK/t.out")" \
            --hint "$(tail -n +2 "$WORK/t.out" | head -n 30 | sed 's/^/            /;1s/^ *//')"
    fi
}

# ---- the wire format -------------------------------------------------------------------

# Misconception: the bytes on the wire are what the C peer prints. A C peer prints up to the
# first '\0' and hides the rest; nc shows every byte. The server must send exactly the typed
# text: no newline, no '\0', no rest of a buffer. (nc sends what the test writes, unchanged.)
# rules: nc-server
@test "server: sends the typed reply and nothing else, and reads nc's bytes (nc as the client)" {
    start_server s
    STDIN=fifo start n nc -N -n 127.0.0.1 "$PORT"
    SHOW+=(--prog n)
    if ! wait_line s '^connection from 127\.0\.0\.1:[0-9]+$'; then
        flunk_check "the server accepts nc's connection and says so" \
            --expected "the line 'connection from 127.0.0.1:PEERPORT'" "${SHOW[@]}" \
            --hint "Accept one client, then print 'connection from 127.0.0.1:PORT' (lesson 03)."
    fi
    raw n "hello"
    heard s "hello"
    say s "hi"
    if ! wait_bytes n "hi"; then
        flunk_check "nc receives the reply 'hi'" \
            --expected "the bytes 'hi' at nc" --seen "'$(visible "$WORK/n.out")'" "${SHOW[@]}" \
            --hint "Send the reply with send_all() on the connected socket (conn_fd)."
    fi
    raw n "你好，世界"
    heard s "你好，世界"
    say s "fine"
    if ! wait_bytes n "fine"; then
        flunk_check "nc receives the reply 'fine'" \
            --expected "the bytes 'hi' then 'fine' at nc" --seen "'$(visible "$WORK/n.out")'" \
            "${SHOW[@]}" --hint "$(wire_hint "$WORK/n.out")"
    fi
    # nc -N: the end of its stdin shuts down its sending side; the server reads end of file,
    # closes, and nc ends. Then n.out holds every byte the server sent.
    hangup n
    wait_exit n || true
    local seen
    seen=$(visible "$WORK/n.out")
    if [ "$seen" != "hifine" ]; then
        flunk_check "the bytes on the wire are exactly the replies typed, 'hi' then 'fine'" \
            --expected "'hifine' (2 + 4 bytes: no newline, no '\\0', nothing else)" \
            --seen "'$seen' ($(wc -c <"$WORK/n.out") bytes, as nc received them)" \
            "${SHOW[@]}" --hint "$(wire_hint "$WORK/n.out")"
    fi
}

# Misconception: sending sizeof(buf) bytes, or the newline, is harmless because our own server
# prints the right thing. nc, as the server, shows every byte that came in.
# rules: nc-client
@test "client: sends the typed line and nothing else, and reads nc's bytes (nc -l as the server)" {
    nc_server n
    start_client c
    say c "hello"
    if ! wait_bytes n "hello"; then
        flunk_check "nc receives the message 'hello'" \
            --expected "the bytes 'hello' at nc" --seen "'$(visible "$WORK/n.out")'" "${SHOW[@]}" \
            --hint "Send each line with send_all() on the socket connect_to() returned."
    fi
    raw n "hi"
    said c "hi"
    say c "你好，世界"
    if ! wait_bytes n "你好，世界"; then
        flunk_check "nc receives the message '你好，世界'" \
            --expected "the bytes 'hello' then '你好，世界' at nc" --seen "'$(visible "$WORK/n.out")'" \
            "${SHOW[@]}" --hint "$(wire_hint "$WORK/n.out")"
    fi
    raw n "fine"
    said c "fine"
    # After 'exit' the client closes the connection and nc -l ends: n.out is complete.
    say c "exit"
    wait_exit c && wait_exit n || true
    local seen hint
    seen=$(visible "$WORK/n.out")
    hint=$(wire_hint "$WORK/n.out")
    [ "$seen" = "hello你好，世界exit" ] &&
        hint="'exit' went out as a message: compare the line with \"exit\" before sending it, and close the connection instead."
    if [ "$seen" != "hello你好，世界" ]; then
        flunk_check "the bytes on the wire are exactly the lines typed, 'hello' then '你好，世界'" \
            --expected "'hello你好，世界' (5 + 15 bytes: no newline, no '\\0', nothing else, no 'exit')" \
            --seen "'$seen' ($(wc -c <"$WORK/n.out") bytes, as nc received them)" \
            "${SHOW[@]}" --hint "$hint"
    fi
}

# Misconception: text is ASCII, one byte per character. UTF-8 characters take several bytes
# each (你 is 3), and to send() and recv() they are just bytes: nothing to convert, nothing to
# filter; strlen() counts bytes, which is what send() needs.
# rules: utf8
@test "UTF-8 text travels unchanged both ways: 你好，世界" {
    start_server s
    start_client c
    say c "你好，世界"
    heard s "你好，世界"
    say s "こんにちは, Grüße 🌍"
    said c "こんにちは, Grüße 🌍"
}

# ---- message sizes -----------------------------------------------------------------------

# Misconception: a small buffer is enough for a chat line, or a line longer than the fgets
# buffer is fine. The README allows 1023 bytes; they must come out whole on the other side.
# rules: max
@test "server: a 1023-byte message arrives intact, and a 1023-byte reply leaves intact" {
    local big reply
    big=$(long_text 1023)
    reply=$(long_text 1023 | tr 'a-z' 'A-Z')
    start_server s
    start_client a ref
    say a "$big"
    heard s "$big"
    say s "$reply"
    said a "$reply" \
        "Read the whole reply line (up to 1023 bytes; getline() grows its buffer) and send all of it with send_all()."
}

# rules: max
@test "client: a 1023-byte message leaves intact, and a 1023-byte reply arrives intact" {
    local big reply
    big=$(long_text 1023)
    reply=$(long_text 1023 | tr 'a-z' 'A-Z')
    start_server r ref
    start_client c
    say c "$big"
    heard r "$big" \
        "Read the whole line (up to 1023 bytes; getline() grows its buffer) and send all of it with send_all()."
    say r "$reply"
    said c "$reply"
}

# Misconception: recv() fills the buffer with a string. It writes n bytes and no '\0': after a
# long message, a short one printed with %s shows the short one and then the rest of the long
# one still in the buffer. (A long one after a short one must not be cut either.)
# rules: leftover
@test "server: messages of any length show no leftover bytes (short, long, short)" {
    local big
    big=$(long_text 600)
    start_server s
    start_client a ref
    say a "hi"
    heard s "hi"
    say s "1"
    said a "1"
    say a "$big"
    heard s "$big"
    say s "2"
    said a "2"
    say a "ok"
    heard s "ok"
}

# rules: leftover
@test "client: replies of any length show no leftover bytes (short, long, short)" {
    local big
    big=$(long_text 600)
    start_server r ref
    start_client c
    say c "1"
    heard r "1"
    say r "hi"
    said c "hi"
    say c "2"
    heard r "2"
    say r "$big"
    said c "$big"
    say c "3"
    heard r "3"
    say r "ok"
    said c "ok"
}

# ---- who talks to whom -------------------------------------------------------------------

# Misconception: accept() belongs in the chat loop. Each accept() takes the next queued
# client, so the second turn talks to a different client than the first. Accept once, then
# receive from and reply on that client's socket (conn_fd) every turn.
# rules: queue
@test "server replies to the client it accepted, not to one waiting in the queue" {
    start_server s
    start_client a ref
    if ! wait_line s '^connection from 127\.0\.0\.1:[0-9]+$'; then
        flunk_check "the server accepts the first client and says so" \
            --expected "the line 'connection from 127.0.0.1:PEERPORT'" "${SHOW[@]}" \
            --hint "Accept one client, then print 'connection from 127.0.0.1:PORT' (lesson 03)."
    fi
    # A second client: the kernel completes its connection and queues it, but this server
    # serves only the first one, so nothing of b's may reach the server or come back.
    start_client b ref
    say b "from the queued client"
    say a "first from a"
    heard s "first from a"
    say s "reply one"
    said a "reply one"
    say a "second from a"
    if ! wait_line s '^client: (second from a|from the queued client)$'; then
        flunk_check "the server prints a's second message" \
            --expected "client: second from a" --seen "$(lines_of s 'client: ')" "${SHOW[@]}" \
            --hint "After the reply, receive again on the same connected socket (conn_fd)."
    elif [ "$LINE" != "client: second from a" ]; then
        flunk_check "the server prints a's second message, not the queued client's" \
            --expected "client: second from a" \
            --seen "$(lines_of s 'client: '), after $(count_lines s '^connection from') 'connection from' lines" \
            "${SHOW[@]}" \
            --hint "The second turn talked to the queued client: accept() is called again inside the chat loop. Accept once, before the loop, and use that conn_fd every turn."
    fi
    say s "reply two"
    said a "reply two" "Send the reply on the socket the message came from (conn_fd), not on listen_fd."
    if [ "$(count_lines b '^server: ')" != 0 ]; then
        flunk_check "the queued client receives nothing" \
            --expected "no 'server:' line from b" --seen "$(lines_of b 'server: ')" "${SHOW[@]}" \
            --hint "A reply went to the queued client: accept() once, before the loop, and reply on that conn_fd."
    fi
}

# ---- what is not sent --------------------------------------------------------------------

# Misconception: an empty line is a message like any other. send() of 0 bytes puts nothing on
# the wire, so the server never hears of it, while the client waits for a reply that never
# comes: both sides wait for ever.
# Misconception: any line can be sent. One recv() of up to 1024 bytes is one message, so a
# longer line would reach the server cut in two, as two messages; the client refuses it.
# rules: refuse-client too-long
@test "client: a line of 1024 bytes or more is refused on stderr, not sent" {
    start_server r ref
    start_client c
    local long
    long=$(long_text 1024)
    say c "$long"
    say c "hello"
    heard r "hello" \
        "The client sent the 1024-byte line (the server took it as the message), or stopped. Refuse a line of MSG_MAX bytes or more: say so on stderr and read the next line (TODO 4)."
    if [ "$(count_lines r '^client: ')" != 1 ] ||
        ! is_exactly "$WORK/c.err" "client: message too long (1024 bytes, at most 1023): not sent"; then
        flunk_check "the 1024-byte line, one byte over the limit, is refused" \
            --expected "one line 'client: hello' at the server, and stderr exactly 'client: message too long (1024 bytes, at most 1023): not sent'" \
            --seen "$(lines_of r 'client: '); the client's stderr '$(visible "$WORK/c.err" 120)'" "${SHOW[@]}" \
            --hint "A line of MSG_MAX (1024) bytes or more does not fit in one message: print 'client: message too long (N bytes, at most 1023): not sent' on stderr and read the next line (TODO 4)."
    fi
    say r "hi"
    said c "hi"
}

# rules: refuse-server too-long
@test "server: a reply of 1024 bytes or more is refused on stderr, not sent" {
    start_server s
    start_client a ref
    say a "hello"
    heard s "hello"
    say s "$(long_text 1024)"
    say s "back"
    said a "back" \
        "The server sent the 1024-byte reply, or stopped. Refuse a reply line of MSG_MAX bytes or more: say so on stderr and read the next line."
    if [ "$(count_lines a '^server: ')" != 1 ] ||
        ! is_exactly "$WORK/s.err" "server: message too long (1024 bytes, at most 1023): not sent"; then
        flunk_check "the 1024-byte reply, one byte over the limit, is refused" \
            --expected "one line 'server: back' at the client, and the server's stderr exactly 'server: message too long (1024 bytes, at most 1023): not sent'" \
            --seen "$(lines_of a 'server: '); the server's stderr '$(visible "$WORK/s.err" 120)'" "${SHOW[@]}" \
            --hint "The server reads its replies with read_line too: a line of MSG_MAX (1024) bytes or more is refused with 'server: message too long (N bytes, at most 1023): not sent' on stderr."
    fi
}

# rules: empty
@test "client: an empty line is not sent" {
    start_server r ref
    start_client c
    say c ""
    say c "hello"
    heard r "hello" \
        "The client sent the empty line (a send() of 0 bytes: nothing goes out) and now waits for a reply that will never come. Skip empty lines: read the next line instead."
    if [ "$(count_lines r '^client: ')" != 1 ]; then
        flunk_check "the server receives only 'hello'" \
            --expected "one line, 'client: hello'" --seen "$(lines_of r 'client: ')" "${SHOW[@]}" \
            --hint "Skip empty lines: a message is at least one byte."
    fi
    say r "hi"
    said c "hi"
}

# rules: empty
@test "server: an empty reply is not sent" {
    start_server s
    start_client a ref
    say a "hello"
    heard s "hello"
    say s ""
    say s "back"
    said a "back" \
        "The server sent the empty line (a send() of 0 bytes: nothing goes out) and now waits for the client's next message, while the client waits for the reply. Skip empty lines: read the next one."
}

# ---- the end of a chat -------------------------------------------------------------------

# Misconception: "exit" is a message for the server. It is an order to the client: close the
# connection and end, with status 0 (the user asked for it).
# rules: exit t-exit
@test "client: typing 'exit' closes the connection and exits with status 0" {
    start_server r ref
    start_client c
    say c "hello"
    heard r "hello"
    say r "hi"
    said c "hi"
    say c "exit"
    if ! wait_line r '^(connection closed|client: exit)$'; then
        flunk_check "the server sees the connection close after 'exit'" \
            --expected "the reference server prints 'connection closed'" "${SHOW[@]}" \
            --hint "On \"exit\", leave the loop and close(sock_fd): the server then reads end of file."
    elif [ "$LINE" = "client: exit" ]; then
        flunk_check "'exit' is not sent: it ends the client" \
            --expected "the reference server prints 'connection closed'" \
            --seen "the reference server printed 'client: exit'" "${SHOW[@]}" \
            --hint "Compare the line with \"exit\" (strcmp(line, \"exit\") == 0) before sending it; then leave the loop, close the socket and return 0."
    fi
    if ! wait_exit c || [ "$STATUS" != 0 ]; then
        flunk_check "the client exits with status 0 after 'exit'" \
            --expected "exit status 0" "${SHOW[@]}" \
            --hint "After \"exit\", close the socket and return EXIT_SUCCESS from main."
    fi
}

# Misconception: recv() returning 0 is an empty message. It means the client closed the
# connection: printing 'client: ' and waiting for more (or looping on it) is the bug.
# rules: client-left t-closed
@test "server: prints 'connection closed' and exits with status 0 when the client leaves" {
    start_server s
    start_client a ref
    say a "hello"
    heard s "hello"
    say s "hi"
    said a "hi"
    say a "exit"
    if ! wait_line s '^(connection closed|client: )$'; then
        flunk_check "the server prints 'connection closed' when the client leaves" \
            --expected "connection closed" "${SHOW[@]}" \
            --hint "recv() returned 0: the client closed the connection. Print 'connection closed', close the sockets and return 0."
    elif [ "$LINE" = "client: " ]; then
        flunk_check "the server prints 'connection closed' when the client leaves" \
            --expected "connection closed" \
            --seen "'client: ' (an empty message), $(count_lines s '^client: $') time(s)" "${SHOW[@]}" \
            --hint "recv() returned 0, which is not an empty message: the client closed the connection. Check for 0 before printing: print 'connection closed' and stop."
    fi
    if ! wait_exit s || [ "$STATUS" != 0 ]; then
        flunk_check "the server exits with status 0 after 'connection closed'" \
            --expected "exit status 0" "${SHOW[@]}" \
            --hint "Lesson 05's server serves one client: after 'connection closed', close both sockets and return 0."
    fi
}

# Misconception: the client can take recv() returning 0 as an empty reply. The server is gone:
# say so and end, rather than print 'server: ' or wait on stdin for a chat that is over.
# rules: server-left t-server-closed
@test "client: prints 'server closed the connection' and exits when the server leaves" {
    start_server r ref
    start_client c
    say c "hello"
    heard r "hello"
    # The end of its stdin ends the reference server: it closes the connection, no reply.
    hangup r
    if ! wait_line c '^(server closed the connection|server: )$'; then
        flunk_check "the client says the server left" \
            --expected "server closed the connection" "${SHOW[@]}" \
            --hint "recv() returned 0: the server closed the connection. Print 'server closed the connection' and leave the loop."
    elif [ "$LINE" = "server: " ]; then
        flunk_check "the client says the server left" \
            --expected "server closed the connection" --seen "'server: ' (an empty reply)" "${SHOW[@]}" \
            --hint "recv() returned 0, which is not an empty reply: the server closed the connection. Check for 0 before printing: print 'server closed the connection' and stop."
    fi
    if ! AT_ONCE=1 wait_exit c || [ "$STATUS" != 1 ]; then
        flunk_check "the client ends once the server has left, with exit status 1" \
            --expected "the client exits at once, with status 1 (EXIT_FAILURE: the chat did not end the way the user asked)" "${SHOW[@]}" \
            --hint "After 'server closed the connection', leave the loop, close the socket and return EXIT_FAILURE from main."
    fi
}

# Misconception: only the exact word ends the chat... or any line that starts with it does.
# "exiting" is a message like any other; end of input (Ctrl-D) ends the client as 'exit' does.
# rules: exiting t-exit t-message
@test "client: 'exiting' is a message; end of stdin (Ctrl-D) ends the client like 'exit'" {
    start_server r ref
    start_client c
    say c "exiting"
    heard r "exiting" \
        "Only the line that is exactly \"exit\" ends the client (strcmp(line, \"exit\") == 0): \"exiting\" is a message, to be sent."
    say r "ok"
    said c "ok"
    hangup c
    if ! AT_ONCE=1 wait_exit c || [ "$STATUS" != 0 ]; then
        flunk_check "at the end of stdin (Ctrl-D) the client exits with status 0" \
            --expected "the client closes the socket and exits at once, with status 0" "${SHOW[@]}" \
            --hint "read_line() returns -1 at the end of input: leave the loop as for 'exit', close the socket and return EXIT_SUCCESS."
    fi
    expect r "connection closed" "the server sees the connection close after Ctrl-D" \
        "Close the socket when stdin ends: the server's recv() then returns 0."
}

# ---- failing system calls ----------------------------------------------------------------

# Misconception: send() and recv() fail only on a broken network, so their -1 needs no message.
# Every call each program makes on its sockets is made to fail in turn, with strace, in the
# chat of the README (tests/helpers/faults.bash); the outcome is the README's error table.
FAULTS_server=(
    "socket EMFILE exit 1 socket: Too many open files"
    "setsockopt ENOMEM exit 1 setsockopt SO_REUSEADDR: Cannot allocate memory"
    "bind EADDRINUSE exit 1 bind 127.0.0.1:0: Address already in use"
    "listen EADDRINUSE exit 1 listen: Address already in use"
    "getsockname ENOBUFS exit 1 getsockname: No buffer space available"
    "accept EMFILE exit 1 accept: Too many open files"
    "accept ECONNABORTED retry"
    "recvfrom ECONNRESET exit 0 recv: Connection reset by peer"
    "sendto EPIPE exit 0 send: Broken pipe"
    "read@stdin EIO exit 0"
    "close EIO exit 0 close: Input/output error"
    "close#2 EIO exit 1 close: Input/output error"
)
FAULTS_client=(
    "socket EMFILE exit 1 connect: Too many open files"
    "connect ECONNREFUSED exit 1 connect: Connection refused"
    "sendto EPIPE exit 1 send: Broken pipe"
    "recvfrom ECONNRESET exit 1 recv: Connection reset by peer"
    "getpeername ENOTCONN exit 1 getpeername: Transport endpoint is not connected"
    "read@stdin EIO exit 0"
    "close EIO exit 1 close: Input/output error"
)

# fault_scenario_server NAME: the README's chat, the server under test (under strace) with the
# reference client: one message, one reply, then the client types exit.
fault_scenario_server() {
    local name=$1
    fault_start "$name" server 0
    wait_line "$name" '^listening on 127\.0\.0\.1:[0-9]+$' || return 1
    PORT=${LINE##*:}
    STDIN=fifo start_ref "${name}c" client 127.0.0.1 "$PORT"
    SHOW+=(--prog "${name}c")
    wait_text "${name}c" "connected to 127.0.0.1:$PORT" || return 1
    say "${name}c" "hello" || return 1
    wait_text "$name" "client: hello" || return 1
    say "$name" "hi" || return 1
    wait_text "${name}c" "server: hi" || return 1
    say "${name}c" "exit" || return 1
    wait_text "$name" "connection closed" || return 1
    AT_ONCE=1 wait_exit "$name" && [ "$STATUS" = 0 ]
}

# fault_scenario_client NAME: the same chat, the client under test (under strace) with the
# reference server.
fault_scenario_client() {
    local name=$1
    STDIN=fifo start_ref "${name}s" server 0
    SHOW+=(--prog "${name}s")
    wait_line "${name}s" '^listening on 127\.0\.0\.1:[0-9]+$' || return 1
    PORT=${LINE##*:}
    fault_start "$name" client 127.0.0.1 "$PORT"
    wait_text "$name" "connected to 127.0.0.1:$PORT" || return 1
    say "$name" "hello" || return 1
    wait_text "${name}s" "client: hello" || return 1
    say "${name}s" "hi" || return 1
    wait_text "$name" "server: hi" || return 1
    say "$name" "exit" || return 1
    AT_ONCE=1 wait_exit "$name" && [ "$STATUS" = 0 ]
}

# rules: faults errors
@test "server: every call it makes on its sockets, made to fail, is reported as the README says" {
    fault_table server
}

# rules: faults errors
@test "client: every call it makes on its sockets, made to fail, is reported as the README says" {
    fault_table client
}
