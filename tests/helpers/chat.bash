# chat.bash - the harness of the chat lessons (05 and later), on top of sockchat.bash.
#
# A chat check starts a server and a client, either of them the program under test or the
# reference solution's (so a failure names one side), types into them through FIFOs (`say`),
# and waits for the lines the README promises (`heard`, `said`, `expect`). Every program it
# starts is added to SHOW, and every failure message describes them all.
#
#   start_server NAME [ref]      the server under test (or the reference) on a port the kernel
#                                picks; sets PORT
#   start_client NAME [ref]      the client to 127.0.0.1:$PORT; waits for "connected to ..."
#   start_faulty NAME FAULT PROG [ARGS]            the program under strace, one call made to fail
#   nc_server NAME               nc -l as the server: it prints the exact bytes it receives
#   say NAME TEXT / raw NAME TEXT / hangup NAME    type a line / bytes / Ctrl-D
#   expect NAME LINE CHECK HINT  wait for the exact line LINE on NAME's stdout, or fail CHECK
#   expect_match NAME REGEX WHAT CHECK HINT        the same for a line matching REGEX
#   heard NAME TEXT [HINT]       a server printed "client: TEXT"
#   said NAME TEXT [HINT]        a client printed "server: TEXT"
#
# A lesson may define diagnose NAME LINE DEFAULT: it then chooses the hint when an expected
# line does not come (what the output shows about the likely mistake). REFUSED_HINT is the
# hint when a client finds nothing listening.

# shellcheck source=tests/helpers/sockchat.bash
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/sockchat.bash"

SHOW=()

# ---- starting the two sides --------------------------------------------------------------

# start_tested NAME PROG [ARGS...]: start the program under test PROG, its stdin a FIFO.
start_tested() {
    STDIN=fifo start_prog "$@"
    SHOW+=(--prog "$1")
}

# start_faulty NAME FAULT PROG [ARGS...]: start the program under test PROG under strace, its
# stdin a FIFO, with FAULT (strace's inject syntax, e.g. recvfrom:error=ECONNRESET:when=1)
# making one system call fail without being made. LeakSanitizer cannot run under ptrace: off.
start_faulty() {
    local name=$1 fault=$2 prog=$3
    shift 3
    need_program "$prog"
    ASAN_OPTIONS=detect_leaks=0 STDIN=fifo start "$name" strace -f -qq -o "$WORK/$name.trace" \
        -e "trace=${fault%%:*}" -e "inject=$fault" "$SOCKCHAT_BIN/$prog" "$@"
    SHOW+=(--prog "$name")
}

# made_call NAME CALL: true when NAME (started with start_faulty) made the system call CALL. A
# correct program may read and write its socket with read(2) and write(2) instead of recv and
# send (the same with flags 0): strace cannot make only the socket's read() fail, so a fault
# check that finds its call never made has nothing to prove, and passes.
made_call() {
    grep -q -E "^([0-9]+ +)?$2\(" "$WORK/$1.trace" 2>/dev/null
}

# start_server NAME [ref]: start the server under test (or with `ref` the reference) on a port
# the kernel picks, its stdin a FIFO (say NAME types a reply); set PORT.
start_server() {
    if [ "${2:-}" = ref ]; then
        STDIN=fifo start_ref "$1" server 0
        SHOW+=(--prog "$1")
    else
        start_tested "$1" server 0
    fi
    server_port "$1"
}

# start_client NAME [ref]: start the client under test (or the reference) on 127.0.0.1:$PORT,
# its stdin a FIFO, and wait until it says it is connected.
start_client() {
    local name=$1 line="connected to 127.0.0.1:$PORT"
    if [ "${2:-}" = ref ]; then
        STDIN=fifo start_ref "$name" client 127.0.0.1 "$PORT"
        SHOW+=(--prog "$name")
    else
        start_tested "$name" client 127.0.0.1 "$PORT"
    fi
    wait_text "$name" "$line" && return 0
    local check="the client connects and says so"
    local hint="Print 'connected to 127.0.0.1:PORT' once connect() succeeds, before reading stdin (lesson 04)."
    if [ "${2:-}" = ref ]; then
        check="the reference client connects"
        hint="Is the server listening (listen()) and does it accept() the connection?"
    fi
    # Refused means nothing listens any more: the server is the one to blame.
    if grep -q 'Connection refused' "$WORK/$name.err" 2>/dev/null; then
        hint=${REFUSED_HINT:-"Nothing listens on the port any more: the server has exited. Loop back to accept() for the next client."}
    fi
    # shellcheck disable=SC2046 # shown prints words
    flunk_check "$check" --expected "the line '$line' on the stdout of $(who "$name") $(waited)" \
        $(shown "$name") --hint "$hint"
}

# shown NAME: the --prog arguments of flunk_check for SHOW's programs, and NAME if it is not
# one of them (names have no spaces, so the words split as they should).
shown() {
    local names=("${SHOW[@]}")
    [[ " ${names[*]} " == *" $1 "* ]] || names+=(--prog "$1")
    printf '%s ' "${names[@]}"
}

# nc_server NAME: start `nc -l` on a port the kernel picks; set PORT. nc prints everything it
# receives on its stdout, byte for byte.
nc_server() {
    STDIN=fifo start "$1" nc -n -v -l 127.0.0.1 0
    SHOW+=(--prog "$1")
    if ! wait_for "$1" "$WAIT_SECS" _nc_listening "$1"; then
        flunk_check "the test's own server, nc -l 127.0.0.1, listens" --prog "$1" \
            --hint "This is the test's own setup, not your program: is netcat-openbsd installed? Run the checks again."
    fi
    local line
    line=$(grep -m 1 -E '^Listening on 127\.0\.0\.1 [0-9]+$' "$WORK/$1.err")
    PORT=${line##* }
}

_nc_listening() {
    grep -q -E '^Listening on 127\.0\.0\.1 [0-9]+$' "$WORK/$1.err" 2>/dev/null
}

# raw NAME TEXT: write TEXT to NAME's stdin FIFO as it is, with no newline. nc reads it in one
# read() and sends it in one send(): exactly what one send() of a client puts on the wire.
raw() {
    local fdvar="${1}_infd"
    (
        trap '' PIPE
        printf '%s' "$2" >&"${!fdvar}"
    ) 2>/dev/null
}

# ---- waiting for exact text --------------------------------------------------------------

# wait_text NAME LINE [SECS]: wait until NAME's stdout has exactly the line LINE (bytes compared
# as they are, in any locale). Returns 1 if NAME ends without printing it, if the programs go
# quiet, or after SECS.
wait_text() {
    wait_for "$1" "${3:-$WAIT_SECS}" env LC_ALL=C grep -a -q -x -F -- "$2" "$WORK/$1.out"
}

# wait_bytes NAME TEXT [SECS]: wait until NAME's stdout contains TEXT anywhere (nc writes what
# it receives with no newline of its own). Returns 1 if NAME ends without it, if the programs
# go quiet, or after SECS.
wait_bytes() {
    wait_for "$1" "${3:-$WAIT_SECS}" env LC_ALL=C grep -a -q -F -- "$2" "$WORK/$1.out"
}

# expect NAME LINE CHECK HINT: wait for the exact line LINE on NAME's stdout, or fail CHECK.
expect() {
    local name=$1 line=$2 check=$3 hint=$4
    if ! wait_text "$name" "$line"; then
        declare -F diagnose >/dev/null && hint=$(diagnose "$name" "$line" "$hint")
        # shellcheck disable=SC2046 # shown prints words
        flunk_check "$check" --expected "the line '$(short "$line")' on the stdout of $(who "$name") $(waited)" \
            $(shown "$name") --hint "$hint"
    fi
}

# expect_match NAME REGEX WHAT CHECK HINT: wait for a line of NAME's stdout that matches the
# extended REGEX (WHAT says it for the message), or fail CHECK. Sets LINE.
expect_match() {
    local name=$1 regex=$2 what=$3 check=$4 hint=$5
    if ! wait_line "$name" "$regex"; then
        # shellcheck disable=SC2046 # shown prints words
        flunk_check "$check" --expected "a line '$what' on the stdout of $(who "$name") $(waited)" \
            $(shown "$name") --hint "$hint"
    fi
}

# heard NAME TEXT [HINT]: NAME (a server) prints "client: TEXT"; said NAME TEXT [HINT]: NAME (a
# client) prints "server: TEXT". When NAME is the reference program, the student's other
# program is the one to blame, and the default hint says so.
heard() {
    local hint="Receive with recv_message(), then print it as 'client: %s' and a newline."
    [ "$(who "$1")" = "the reference server" ] &&
        hint="The reference server never received it: your client must send the typed line with send_all(), without its newline, once it has read it from stdin."
    expect "$1" "client: $2" "the server prints the message as 'client: $(short "$2")'" \
        "${3:-$hint}"
}

said() {
    local hint="After sending, wait for the reply with recv_message(), then print it as 'server: %s' and a newline."
    [ "$(who "$1")" = "the reference client" ] &&
        hint="The reference client never received the reply: your server must read a reply line from its stdin after printing the message, and send it with send_all() on conn_fd, without its newline."
    expect "$1" "server: $2" "the client prints the reply as 'server: $(short "$2")'" \
        "${3:-$hint}"
}

# ---- text for messages -------------------------------------------------------------------

# short TEXT: TEXT for a message: as it is when short, else its start, its end and its length.
short() {
    local text=$1
    if [ "${#text}" -le 70 ]; then
        printf '%s' "$text"
    else
        printf '%s...%s (%d bytes)' "${text:0:40}" "${text: -12}" "$(LC_ALL=C; printf '%s' "$text" | wc -c)"
    fi
}

# lines_of NAME PREFIX: NAME's stdout lines that contain PREFIX, each shortened, joined by
# " | ", for a message.
lines_of() {
    local name=$1 prefix=$2 line all=()
    while IFS= read -r line; do
        all+=("'$(short "$line")'")
    done < <(LC_ALL=C grep -a -F -- "$prefix" "$WORK/$name.out" 2>/dev/null || true)
    if [ ${#all[@]} -eq 0 ]; then
        printf 'no line starting "%s"' "$prefix"
    else
        local IFS='|'
        printf '%s' "${all[*]}" | sed 's/|/ | /g'
    fi
}

# who NAME: "your server", "the reference client", ...: which program NAME is, for a message.
who() {
    local cmd
    cmd=$(cat "$WORK/$1.cmd" 2>/dev/null)
    case "$cmd" in
    "${SOCKCHAT_REF:-@@}"/*) printf 'the reference %s' "$(basename "${cmd%% *}")" ;;
    "$SOCKCHAT_BIN"/*) printf 'your %s' "$(basename "${cmd%% *}")" ;;
    *) printf '%s' "$1" ;;
    esac
}

# long_text N: an ASCII text of exactly N bytes, different from one place to the next, ending
# with '#' (so a cut or an overrun shows).
long_text() {
    local n=$1 i=0 text="$1 bytes:"
    while [ "${#text}" -lt "$n" ]; do
        text+=" the quick brown fox jumps over the lazy dog $((++i)),"
    done
    printf '%s#' "${text:0:n-1}"
}
