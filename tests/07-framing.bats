#!/usr/bin/env bats
# Lesson 07: TCP is a stream. A message is a line ending in "\n" ("\r\n" accepted), at most
# 1023 bytes of text; recv_line puts the boundaries back, whatever pieces the bytes come in.
#
# Black-box checks. The peers decide how the bytes are cut: nc sends what the test writes to
# it in one send() (two lines, a hundred lines, a line and half of the next), and `drip` (a
# small perl peer, below) writes a line in pieces with pauses, down to one byte per send(),
# with TCP_NODELAY so that each piece is a segment of its own. The student's client is tested
# against nc -l or drip as the server, the student's server against nc, drip or the reference
# client, so a failure names one program. Input is typed through FIFOs (say, raw, hangup).

# shellcheck disable=SC2046,SC2028 # $(shown NAME) prints flunk_check's --prog words; hints show '\n' as text
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

# ---- helpers of this lesson -----------------------------------------------------------

# drip NAME connect PORT PAUSE_MS CHUNK [--close] PIECE...
# drip NAME listen PAUSE_MS CHUNK [--close] PIECE...
# A peer that writes each PIECE cut into sends of CHUNK bytes (0: each piece in one send),
# PAUSE_MS between sends, TCP_NODELAY on. `connect` connects to 127.0.0.1:PORT and sends at
# once; `listen` prints its port, accepts one client, waits for its first line, then sends.
# With --close it shuts down its sending side afterwards (a FIN). Everything it receives goes
# to its stdout, byte for byte, until the other side closes.
drip() {
    local name=$1
    shift
    cat >"$WORK/drip.pl" <<'PERL'
use strict;
use warnings;
use IO::Socket::INET;
use Socket qw(IPPROTO_TCP TCP_NODELAY);
use Time::HiRes qw(usleep);
$| = 1;
my $mode = shift @ARGV;
my $sock;
if ($mode eq 'connect') {
    my $port = shift @ARGV;
    $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
        or die "drip: connect: $!\n";
} else {
    my $listener = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1,
        ReuseAddr => 1, Proto => 'tcp') or die "drip: listen: $!\n";
    print $listener->sockport, "\n";
    $sock = $listener->accept or die "drip: accept: $!\n";
    close $listener;
    my $got = '';
    while ($got !~ /\n/) {
        my $n = sysread($sock, my $buf, 4096);
        die "drip: the client closed before it sent a line\n" unless $n;
        print $buf;
        $got .= $buf;
    }
}
setsockopt($sock, IPPROTO_TCP, TCP_NODELAY, 1);
my ($pause, $chunk) = splice(@ARGV, 0, 2);
my $close = 0;
if (@ARGV && $ARGV[0] eq '--close') { $close = 1; shift @ARGV; }
my $first = 1;
for my $piece (@ARGV) {
    my @parts = $chunk > 0 ? ($piece =~ /(.{1,$chunk})/gs) : ($piece);
    for my $part (@parts) {
        usleep($pause * 1000) unless $first;
        $first = 0;
        my $off = 0;
        while ($off < length $part) {
            my $n = syswrite($sock, $part, length($part) - $off, $off);
            die "drip: send: $!\n" unless defined $n;
            $off += $n;
        }
    }
}
shutdown($sock, 1) if $close;
while (1) {
    my $n = sysread($sock, my $buf, 4096);
    last unless $n;
    print $buf;
}
PERL
    start "$name" perl "$WORK/drip.pl" "$@"
    SHOW+=(--prog "$name")
}

# drip_port NAME: wait for the port a `drip listen` prints; set PORT.
drip_port() {
    if ! wait_line "$1" '^[0-9]+$'; then
        flunk_check "the test's own peer (drip) listens" --prog "$1" \
            --hint "This is the test's own setup, not your program: is perl installed? Run the checks again."
    fi
    PORT=$LINE
}

# nc_client NAME: nc connected to the server under test (started as s) on $PORT. What the test writes to it
# (raw) goes out in one send(); -N: the end of its stdin (hangup) sends a FIN.
nc_client() {
    STDIN=fifo start "$1" nc -N -n 127.0.0.1 "$PORT"
    SHOW+=(--prog "$1")
    if ! wait_line s '^connection from 127\.0\.0\.1:[0-9]+$'; then
        flunk_check "the server accepts nc's connection and says so" \
            --expected "the line 'connection from 127.0.0.1:PEERPORT'" $(shown s) \
            --hint "Accept the client, then print 'connection from 127.0.0.1:PORT' (lesson 03)."
    fi
}

# visible_lines: stdin's lines, each written as `visible` writes text (\r, \0, \xNN), one a
# line: one perl for all of them.
visible_lines() {
    perl -ne 'chomp;
        s{(\\)|(\r)|(\0)|([\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3})|([\x01-\x1F\x7F-\xFF])}
         {defined $1 ? "\\\\" : defined $2 ? "\\r" : defined $3 ? "\\0" : defined $4 ? $4 : sprintf("\\x%02x", ord $5)}ge;
        print "$_\n"'
}

# messages NAME: NAME's stdout without the README's connection lines (listening, connection
# from, connected to, connection closed, server closed the connection): the message lines, and
# anything else it printed (an empty line, a piece of a message), as visible text.
messages() {
    LC_ALL=C grep -a -v -E '^(listening on|connection from|connected to) 127\.0\.0\.1:[0-9]+$|^connection closed$|^server closed the connection$' \
        "$WORK/$1.out" 2>/dev/null | visible_lines
}

# stream_hint NAME PREFIX WANT...: the likeliest mistake, from what NAME printed instead of the
# lines WANT (each PREFIX TEXT).
stream_hint() {
    local name=$1 prefix=$2 seen
    shift 2
    seen=$(messages "$name")
    if grep -q -x -F -- "$prefix" <<<"$seen" && ! printf '%s\n' "$@" | grep -q -x -F -- "$prefix"; then
        echo "An empty message came out where a line was sent: its bytes were lost before its '\\n' came. recv() must append after the lb->len bytes already in the buffer (lb->data + lb->len, room sizeof lb->data - lb->len), never write over them (TODO 2)."
    elif grep -q -v -E "^$prefix" <<<"$seen"; then
        echo "One recv() was printed as one message, and its bytes held a '\\n': a line and its newline, two lines, or a line and part of the next. TCP is a stream: receive with recv_line(), which returns one line at a time without its '\\n' (TODOs 2, 5 and 9)."
    elif grep -q -F -- '\r' <<<"$seen"; then
        echo "A '\\r' is left at the end of the text: a \"\\r\" just before the \"\\n\" is part of the line's end, and take_line() drops it too, even when it came in an earlier recv() than the \"\\n\" (TODO 1)."
    elif [ "$(sort <<<"$seen" | uniq -d | wc -l)" -gt 0 ] && [ "$(printf '%s\n' "$@" | sort | uniq -d | wc -l)" = 0 ]; then
        echo "A line came out twice: after take_line() copied a line out, the bytes after it must move to the front of lb->data (memmove) and lb->len shrink by the line's length, or the next call finds the same line again (TODO 1)."
    elif [ "$(wc -l <<<"$seen")" -gt $# ]; then
        echo "A line came out in pieces, one message per recv(): TCP may deliver a line in several pieces. Keep receiving into the line buffer, after the bytes already there (lb->data + lb->len), until a '\\n' comes; only then is it a line (TODOs 2, 5 and 9)."
    elif [ "$(grep -c . <<<"$seen")" -lt $# ]; then
        echo "Lines are missing: the bytes after a complete line (the next line, or its start) must stay in the line_buffer for the next recv_line() call, never thrown away: memmove them to the front of lb->data (TODO 1), and look for a '\\n' in lb before calling recv() again (TODO 2)."
    else
        echo "A line came out cut or glued to another: the bytes after a line stay in the buffer, moved to its front (memmove, TODO 1); recv() appends after the lb->len bytes already there (lb->data + lb->len), and a line ends only at its '\\n' (TODO 2)."
    fi
}

# one_line: stdin's lines joined with " | ", each cut to 90 characters, 600 in all, for a
# message.
one_line() {
    awk '{ if (length($0) > 90) $0 = substr($0, 1, 60) "..." substr($0, length($0) - 20) " (" length($0) " chars)";
           out = out (NR > 1 ? " | " : "") $0 }
         END { if (length(out) > 600) out = substr(out, 1, 600) " ..."; printf "%s", out }'
}

# expect_messages NAME CHECK PREFIX TEXT...: wait until NAME has printed a line PREFIX TEXT for
# each TEXT, then check that its message lines are exactly those, in order, nothing else.
expect_messages() {
    local name=$1 check=$2 prefix=$3 want=() text
    shift 3
    for text in "$@"; do
        want+=("$prefix$text")
    done
    local last=${want[${#want[@]} - 1]}
    wait_text "$name" "$last" || true
    local expected seen
    expected=$(printf '%s\n' "${want[@]}" | visible_lines)
    seen=$(messages "$name")
    if [ "$seen" != "$expected" ]; then
        flunk_check "$check" \
            --expected "$(one_line <<<"$expected")" \
            --seen "$( [ -n "$seen" ] && one_line <<<"$seen" || echo "no message line $(waited)")" \
            $(shown "$name") --hint "$(stream_hint "$name" "$prefix" "${want[@]}")"
    fi
}

# replies NAME N [TEXT]: type N replies "TEXT 1" .. "TEXT N" (default "ok") into NAME's stdin.
replies() {
    local i
    for ((i = 1; i <= $2; i++)); do
        say "$1" "${3:-ok} $i"
    done
}

# expect_bytes NAME WANT CHECK HINT: wait until NAME (nc or drip) has received WANT (printf
# escapes), then check that it received exactly that.
expect_bytes() {
    local name=$1 check=$3 hint=$4 want
    want=$(printf '%b' "$2" | visible /dev/stdin 400)
    wait_for "$name" "$WAIT_SECS" _has_bytes "$name" "$want" || true
    local seen
    seen=$(visible "$WORK/$name.out" 400)
    if [ "$seen" != "$want" ]; then
        flunk_check "$check" --expected "the bytes '$want' at $name" --seen "'$seen'" \
            $(shown "$name") --hint "$hint"
    fi
}

_has_bytes() {
    [ "$(visible "$WORK/$1.out" 400)" = "$2" ]
}

# TOO_LONG: the README's message for a line over the limit, after "server: " or "client: ".
TOO_LONG="line too long (more than 1023 bytes)"

# ---- the server: lines, whatever pieces they come in ----------------------------------

# Misconception: one recv() is one message. nc sends two lines in one send(); one recv() can
# return both, and the server must show two messages, each without its "\n".
@test "server: two lines sent in one write are two messages, in order" {
    start_server s
    nc_client n
    raw n $'one\ntwo\n'
    replies s 2
    expect_messages s "the server prints each line of one write as its own message" "client: " one two
    expect_bytes n 'ok 1\nok 2\n' "nc receives a reply line for each message" \
        "Reply to each line with send_line(): the typed text and a '\\n' (TODO 6)."
}

# Misconception: at most two lines can come together. A hundred short lines fit in one
# segment and can come out of one recv(): every one of them is a message, in order.
@test "server: a hundred lines sent in one write are a hundred messages, in order" {
    local i text=() payload=""
    for ((i = 1; i <= 100; i++)); do
        text+=("line $i")
        payload+="line $i"$'\n'
    done
    start_server s
    replies s 100
    nc_client n
    raw n "$payload"
    expect_messages s "the server prints all 100 lines of one write, in order" "client: " "${text[@]}"
}

# Misconception: a line arrives whole. Sent one byte per send(), with pauses, it comes out of
# many recv() calls: the server must wait for the "\n" and show the line once, whole.
@test "server: a line sent one byte at a time is one message" {
    start_server s
    say s "got it"
    drip d connect "$PORT" 10 1 "byte by byte, 你好"$'\n'
    expect_messages s "the server prints a line sent one byte per send() as one message" "client: " \
        "byte by byte, 你好"
    expect_bytes d 'got it\n' "the peer receives the reply as a line" \
        "Send the reply with send_line(): the typed text and a '\\n' (TODO 6)."
}

# Misconception: "\r\n" is stripped where a recv() ends. The "\r" and the "\n" can come in
# two recv() calls: the "\r" is only known to be part of the line's end once the "\n" is there.
@test "server: a line split exactly between CR and LF is one message, without the CR" {
    start_server s
    replies s 2
    drip d connect "$PORT" 100 0 $'windows line\r' $'\nnext\r' $'\n'
    expect_messages s "the server prints 'windows line' then 'next', no '\\r', no empty line" "client: " \
        "windows line" "next"
}

# Misconception: what follows a line in the same recv() can be dropped (or handed out again).
# "first\nsec" then "ond\n": the start of the second line waits in the buffer for its end.
@test "server: what follows a line in the same write is kept for the next message, never lost or repeated" {
    start_server s
    nc_client n
    raw n $'first\nsec'
    heard s "first" "Receive with recv_line() (TODO 5): a line ends at its '\\n', and 'sec' waits in the line buffer."
    say s "ok 1"
    expect_bytes n 'ok 1\n' "nc receives the reply to 'first'" \
        "Send the reply with send_line() (TODO 6)."
    raw n $'ond\nthird\n'
    replies s 2
    expect_messages s "the server prints first, second, third: once each, whole" "client: " first second third
}

# Misconception: a line is only a line once its "\n" comes, so a last line without one is lost
# when the client closes. The README: it is delivered, then the close.
@test "server: a last line without a newline is delivered when the client closes" {
    start_server s
    nc_client n
    raw n $'hello\nbye'
    replies s 2
    hangup n # nc -N: a FIN after "bye"
    expect_messages s "the server prints 'hello', then 'bye' (the last line, without '\\n')" "client: " hello bye
    if ! wait_line s '^connection closed$'; then
        flunk_check "after the last line the server prints 'connection closed'" $(shown s) \
            --hint "When recv() returns 0 and the buffer holds a part line, return it as the last line (1); the next recv_line() call then returns 0 (TODO 2)."
    fi
}

# ---- the server: the limit ------------------------------------------------------------

# Misconception: a long line fits in one recv(). 1023 bytes of text (the limit) sent in
# pieces of 100 bytes come out as one message, whole.
@test "server: a line of 1023 bytes (the limit) sent in pieces is one message, whole" {
    local big
    big=$(long_text 1023)
    start_server s
    say s "ok"
    drip d connect "$PORT" 20 100 "$big" $'\n'
    expect_messages s "the server prints the 1023-byte line whole, as one message" "client: " "$big"
    if grep -q -F "$TOO_LONG" "$WORK/s.err"; then
        flunk_check "a line of exactly 1023 bytes is accepted" $(shown s) \
            --hint "The limit is 1023 bytes of text, MSG_MAX (1024) with its '\\n': the buffer is full only when lb->len == sizeof lb->data with no '\\n' in it (TODO 2)."
    fi
}

# Misconception: a line longer than the buffer is the buffer's problem. 1024 bytes of text and
# no "\n" among the first 1024: the server reports it, closes that connection (no overflow,
# no hang, no piece of it shown as a message) and serves the next client.
@test "server: a line of 1024 bytes is 'line too long' on stderr, the connection is closed, the next client served" {
    local big
    big=$(long_text 1024)
    start_server s
    say s "first"
    nc_client n
    raw n "$big"$'\n'
    if ! wait_for s "$WAIT_SECS" grep -q -x -F -- "server: $TOO_LONG" "$WORK/s.err"; then
        flunk_check "a 1024-byte line: the server prints 'server: $TOO_LONG' on stderr" \
            --expected "server: $TOO_LONG" $(shown s) \
            --hint "When lb->data is full (sizeof lb->data bytes) and holds no '\\n', recv_line() fails with EMSGSIZE (TODO 2); chat() then prints 'server: $TOO_LONG' on stderr and ends that conversation (TODO 5)."
    fi
    if LC_ALL=C grep -a -q '^client: ' "$WORK/s.out"; then
        flunk_check "no part of the 1024-byte line is shown as a message" \
            --seen "$(lines_of s 'client: ')" $(shown s) \
            --hint "A line over the limit is refused whole: recv_line() returns -1 with EMSGSIZE, never the first 1023 or 1024 bytes as a line (TODO 2)."
    fi
    if ! wait_exit n; then
        flunk_check "the server closes the connection of the too-long line" $(shown n) \
            --hint "After EMSGSIZE leave the chat loop: serve() closes conn_fd (TODO 5)."
    fi
    start_client c ref
    say c "hello"
    heard s "hello" "After a line too long, close that connection and go back to accept() the next client."
    said c "first" "Reply with send_line() (TODO 6)."
}

# ---- the server: per connection --------------------------------------------------------

# Misconception: one line buffer for the whole server (static, or global). What a client left
# in it (here "two", after that client vanished) must never reach the next client's chat.
@test "server: a new client starts with an empty line buffer" {
    start_server s
    STDIN=fifo start p "$SOCKCHAT_HELPERS/peer" abort "$PORT" $'one\ntwo\n'
    heard s "one" "Receive with recv_line() (TODO 5)."
    hangup p # the client vanishes with "two" still unread: a FIN, then an RST
    wait_exit p || true
    say s "are you there?"
    wait_stderr s || true
    start_client c ref
    say c "hello"
    say s "hi"
    if ! wait_line s '^client: (hello|two)$' || [ "$LINE" != "client: hello" ]; then
        flunk_check "the next client's first message is its own 'hello'" \
            --seen "$(lines_of s 'client: ')" $(shown s) \
            --hint "The line buffer belongs to one connection: declare it in chat(), struct line_buffer pending = {0}; so each client starts with an empty one (TODO 4). A static or global buffer hands one client's leftovers to the next."
    fi
}

# ---- the server: the wire, and the README's example -------------------------------------

# Misconception: the reply goes out as before (the bytes of the text) or with the string's
# '\0'. nc shows every byte: each reply is its text and one "\n", nothing else.
@test "server: each reply goes out as its text and a newline, nothing else (nc as the client)" {
    start_server s
    nc_client n
    raw n $'hello\n'
    heard s "hello" "Receive with recv_line() (TODO 5)."
    say s "hi"
    raw n $'你好\r\n'
    heard s "你好" "Receive with recv_line(): it removes the '\\r' of a \"\\r\\n\" too (TODOs 1, 5)."
    say s "こんにちは"
    expect_bytes n 'hi\nこんにちは\n' "the bytes on the wire are 'hi\\n' then 'こんにちは\\n'" \
        "Send each reply with send_line(conn_fd, line, len): the len bytes of the text, then one '\\n', nothing else (TODOs 3 and 6)."
}

# The README's example session, exactly: nc sends three lines in one write (the last without
# "\n", one with "\r\n") and closes; the server's replies are typed in advance.
@test "server: the README's example session, exactly" {
    start_server s
    replies s 3
    nc_client n
    raw n $'one\ntwo\r\nthr'
    hangup n
    wait_line s '^connection closed$' || true
    wait_exit n || true
    local peer want
    peer=$(sed -n 's/^connection from 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$WORK/s.out")
    want=$(printf '%s\n' "listening on 127.0.0.1:$PORT" "connection from 127.0.0.1:$peer" \
        "client: one" "client: two" "client: thr" "connection closed" | visible /dev/stdin 400)
    if [ "$(visible "$WORK/s.out" 400)" != "$want" ]; then
        flunk_check "the server's output is the README's example, line for line" \
            --expected "'$want'" --seen "'$(visible "$WORK/s.out" 400)'" $(shown s) \
            --hint "$(stream_hint s "client: " "client: one" "client: two" "client: thr")"
    fi
    if [ "$(visible "$WORK/n.out")" != 'ok 1\nok 2\nok 3\n' ]; then
        flunk_check "nc prints the README's three replies" \
            --expected "'ok 1\\nok 2\\nok 3\\n'" --seen "'$(visible "$WORK/n.out")'" $(shown n) \
            --hint "Send each reply with send_line() (TODO 6)."
    fi
}

# ---- the client --------------------------------------------------------------------------

# Misconception: the client's recv() is one reply. nc -l sends two lines and half of a third in
# one write: the client shows one reply per typed line, and the half waits for its end.
@test "client: two lines in one write are two replies, and a part line waits for its end" {
    nc_server n
    start_client c
    say c "hello"
    expect_bytes n 'hello\n' "nc receives the typed line and its '\\n'" \
        "Send each typed line with send_line(): the text, then one '\\n' (TODO 8)."
    raw n $'one\ntwo\nthr'
    said c "one" "Receive each reply with recv_line() (TODO 9)."
    say c "next"
    said c "two" "The second line of the same write waits in the line buffer: the next recv_line() returns it without a recv() (TODO 9)."
    say c "and"
    raw n $'ee\n'
    expect_messages c "the client prints one, two, three: one reply per line, whole" "server: " one two three
}

# Misconception: a handful of lines at most. A hundred replies in one write are a hundred
# replies, in order, one per line typed.
@test "client: a hundred lines in one write are a hundred replies, in order" {
    local i text=() payload=""
    for ((i = 1; i <= 100; i++)); do
        text+=("reply $i")
        payload+="reply $i"$'\n'
    done
    nc_server n
    start_client c
    say c "go"
    expect_bytes n 'go\n' "nc receives the typed line and its '\\n'" \
        "Send each typed line with send_line() (TODO 8)."
    raw n "$payload"
    replies c 99 more
    expect_messages c "the client prints all 100 replies, in order" "server: " "${text[@]}"
}

# Misconception: a reply arrives whole, and "\r\n" in one piece. Here it comes one byte per
# send(), with "\r\n" at its end.
@test "client: a reply sent one byte at a time, ending in CR LF, is one reply without the CR" {
    drip d listen 10 1 "one byte at a time"$'\r\n'
    drip_port d
    start_client c
    say c "hello"
    expect_messages c "the client prints the reply once, whole, without '\\r'" "server: " "one byte at a time"
}

# Misconception: the last reply, cut short by the server's close, is lost; or the close is
# missed. The README: it is shown, then 'server closed the connection'.
@test "client: a last reply without a newline is shown, then 'server closed the connection'" {
    drip d listen 50 0 --close $'first\nla' st
    drip_port d
    start_client c
    say c "hello"
    said c "first" "Receive each reply with recv_line() (TODO 9)."
    say c "again"
    expect_messages c "the client prints 'first' then 'last' (the server closed after it)" "server: " first last
    say c "anyone?"
    if ! wait_line c '^server closed the connection$'; then
        flunk_check "then the client says 'server closed the connection'" $(shown c) \
            --hint "After the last line, recv_line() returns 0: the server has closed (TODO 2)."
    fi
    if ! wait_exit c || [ "$STATUS" != 1 ]; then
        flunk_check "the client exits with status 1 when the server has closed" $(shown c) \
            --hint "recv_line() returning 0 ends the chat with status 1, as in lesson 06."
    fi
}

# Misconception: only the server needs a limit. A reply of 1023 bytes is shown whole; one of
# 1024 is an error on stderr, and the client exits with status 1.
@test "client: a reply of 1023 bytes is shown whole; one of 1024 is 'line too long' and status 1" {
    local ok big
    ok=$(long_text 1023)
    big=$(long_text 1024 | tr 'a-z' 'A-Z')
    nc_server n
    start_client c
    say c "hello"
    expect_bytes n 'hello\n' "nc receives the typed line and its '\\n'" \
        "Send each typed line with send_line() (TODO 8)."
    raw n "$ok"$'\n'
    said c "$ok" "A reply of 1023 bytes is allowed: it fills the line buffer with its '\\n' (MSG_MAX bytes); keep receiving until the '\\n' (TODOs 2, 9)."
    say c "more"
    raw n "$big"$'\n'
    if ! wait_exit c || [ "$STATUS" != 1 ] || ! grep -q -x -F "client: $TOO_LONG" "$WORK/c.err"; then
        flunk_check "a 1024-byte reply: 'client: $TOO_LONG' on stderr, exit status 1" \
            --expected "stderr 'client: $TOO_LONG', exit status 1" $(shown c) \
            --hint "recv_line() fails with EMSGSIZE when lb->data is full and holds no '\\n' (TODO 2); print 'client: $TOO_LONG' on stderr then and end the chat with status 1 (TODO 9)."
    fi
    if [ "$(count_lines c '^server: ')" != 1 ]; then
        flunk_check "no part of the 1024-byte reply is shown" \
            --seen "$(lines_of c 'server: ')" $(shown c) \
            --hint "A line over the limit is refused whole: never print part of it."
    fi
}

# Misconception: the client's sends stay as in lesson 06. On the wire every message is now the
# text and one "\n": nc -l shows every byte, and 'exit' is still not sent.
@test "client: each typed line goes out as its text and a newline, nothing else (nc -l as the server)" {
    nc_server n
    start_client c
    say c "hello"
    expect_bytes n 'hello\n' "nc receives 'hello\\n'" \
        "Send each typed line with send_line(sock_fd, line, len): the text and one '\\n' (TODOs 3 and 8)."
    raw n $'hi\n'
    said c "hi" "Receive each reply with recv_line() (TODO 9)."
    say c "你好，世界"
    raw n $'fine\n'
    said c "fine" "Receive each reply with recv_line() (TODO 9)."
    say c "exit"
    if ! wait_exit c || [ "$STATUS" != 0 ]; then
        flunk_check "after 'exit' the client exits with status 0" $(shown c) \
            --hint "'exit' ends the chat as in lesson 06: not sent, status 0."
    fi
    expect_bytes n 'hello\n你好，世界\n' "the bytes on the wire are 'hello\\n' then '你好，世界\\n', no 'exit'" \
        "Send each typed line with send_line(): the text and one '\\n', nothing else; 'exit' is not sent (TODOs 3 and 8)."
}

# ---- both programs -------------------------------------------------------------------------

# Misconception: each side works with the test's peers, so they work together. Both are yours
# here: lines both ways, a long one included, then Ctrl-D, then Ctrl-C: all exit 0.
@test "server and client together: lines both ways, then Ctrl-D and Ctrl-C, all exit 0" {
    local big
    big=$(long_text 1023)
    start_server s
    start_client c
    say c "hello"
    heard s "hello" "Check the checks above first: they say which side is wrong."
    say s "$big"
    said c "$big" "Check the checks above first: they say which side is wrong."
    say c "bye"
    heard s "bye" "Check the checks above first: they say which side is wrong."
    say s "see you"
    said c "see you" "Check the checks above first: they say which side is wrong."
    hangup c
    if ! wait_exit c || [ "$STATUS" != 0 ]; then
        flunk_check "at the end of stdin the client exits with status 0" $(shown c) \
            --hint "Ctrl-D ends the chat as in lesson 06."
    fi
    expect s "connection closed" "the server sees the client leave" \
        "recv_line() returns 0 when the client has closed and nothing is pending."
    signal_prog s INT
    if ! wait_exit s || [ "$STATUS" != 0 ]; then
        flunk_check "after Ctrl-C the server exits with status 0" $(shown s) \
            --hint "recv_line() hands EINTR back like recv(): chat() goes round and sees stop_requested (lesson 06)."
    fi
}

# Misconception: a buffer on the stack cannot leak, so nothing to check. The line buffer does
# not; getline()'s buffer still must be freed. Valgrind checks a whole session, and every read
# of the line buffer (no byte read before it was received).
@test "server and client free everything they allocate (valgrind)" {
    [ -n "${SOCKCHAT_SRC:-}" ] || skip "SOCKCHAT_SRC (the sources under test) is not set"
    command -v valgrind >/dev/null || skip "valgrind is not installed"
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
    WAIT_SECS=10 LIFE_SECS=30
    STDIN=fifo start s "${vg[@]}" "$plain/server" 0
    server_port s
    STDIN=fifo start c "${vg[@]}" "$plain/client" 127.0.0.1 "$PORT"
    expect c "connected to 127.0.0.1:$PORT" "the client connects (under valgrind)" \
        "Check the other checks first."
    say c "hello"
    expect s "client: hello" "the server gets the line (under valgrind)" \
        "Check the other checks first."
    say s "hi there"
    expect c "server: hi there" "the client gets the reply (under valgrind)" \
        "Check the other checks first."
    say c exit
    wait_exit c || true
    local client_status=$STATUS
    wait_count s '^connection closed$' 1 || true
    if alive s; then
        signal_prog s INT
    fi
    wait_exit s || true
    local who
    for who in c s; do
        local status=$client_status
        [ "$who" = s ] && status=$STATUS
        if [ "$status" = 99 ] || grep -q -E 'definitely lost: [1-9]|indirectly lost: [1-9]|Invalid (read|write)|uninitialised' "$WORK/$who.err"; then
            flunk_check "the $([ "$who" = s ] && echo server || echo client) frees what it allocates and reads only bytes it received (valgrind)" \
                --seen "$(grep -E 'lost|Invalid|uninitialised|at 0x|by 0x' "$WORK/$who.err" | head -n 6 | sed 's/^==[0-9]*== *//' | paste -sd '|' | sed 's/|/ | /g')" \
                --prog "$who" \
                --hint "Free getline()'s buffer once (free(line)) on every way out of the loop; start each line buffer empty ({0}) and read only its first lb->len bytes. Run it yourself: valgrind --leak-check=full build/lessons/07-framing/server"
        fi
    done
}
