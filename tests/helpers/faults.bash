# faults.bash - the fault table: every system call a program makes on its sockets (and its
# reads of stdin) is made to fail in turn, with strace, and the program must do what the
# lesson's README says: report it and exit with the stated status, try again (EINTR), or drop
# that client and serve the next one. Loaded after sockchat.bash or chat.bash.
#
# A lesson declares, for each program PROG (server, client):
#
#   FAULTS_PROG=(                        # one row a fault: CALL ERRNO OUTCOME [MESSAGE]
#       "socket EMFILE exit 1 socket: Too many open files"
#       "accept EINTR retry"
#       "recvfrom ECONNRESET next recv: Connection reset by peer"
#       "read@stdin EIO exit 1 stdin: Input/output error"
#       "close#2 EIO exit 1 close: Input/output error"
#   )
#   fault_scenario_PROG NAME             # the README's main scenario, PROG started as NAME with
#                                        # fault_start NAME PROG [ARGS...]; returns 0 when the
#                                        # session went as it does with no fault, 1 at the
#                                        # first step that did not: every step ends in
#                                        # `|| return 1`, and none fails the test (wait_line,
#                                        # wait_text, say; not server_port, heard or expect)
#   fault_next_PROG NAME                 # (for "next" rows) true when NAME, after the fault,
#                                        # still serves the next client as usual
#   fault_hint PROG CALL ERRNO OUTCOME   # (optional) the hint for a row that fails
#
# and one check per program that calls `fault_table PROG`.
#
# CALL is the system call's name as strace knows it: recvfrom for recv(), sendto for send(),
# accept or accept4, read, close, ... A row's fault hits the first call of that name the
# program makes on one of its TCP sockets (CALL@stdin: on descriptor 0), or the Kth such call
# with CALL#K. A first run with no fault (the survey, under strace -y) tells which call that is
# for this very program, so the calls the C library or the sanitizers make (closing a file,
# reading /proc) are never the ones hit.
#
# OUTCOME is what the README's error table says:
#   exit STATUS [MESSAGE]  the program writes exactly the line MESSAGE on stderr (nothing when
#                          MESSAGE is empty) and exits with STATUS, at once;
#   retry                  (EINTR) nothing on stderr, and the session goes on as with no fault;
#   next MESSAGE           the line MESSAGE on stderr, and the program goes on: fault_next_PROG
#                          must then pass.
#
# A program may make a call under another name (read() and write() on a socket instead of
# recv() and send(): the same calls with flags 0). A row whose call the program never makes
# (on a socket) has nothing to prove, and passes; so does one whose program never got that far
# with no fault (the scenario's other checks fail it).
#
# Coverage: with SOCKCHAT_FAULT_COVERAGE=1 (make test sets it for the solutions), the check
# also fails when the program makes a call on a TCP socket, or a read of stdin, that no row
# names: a table that forgets a call the solution makes cannot pass.

# shellcheck disable=SC2034,SC2153 # STARTED and STATUS belong to sockchat.bash
[ -n "${SHOW+x}" ] || SHOW=()

# fault_start NAME PROG [ARGS...]: start the program under test PROG under strace, its stdin a
# FIFO, with this row's fault (none in the survey). For the scenario functions.
fault_start() {
    local name=$1 prog=$2
    shift 2
    need_program "$prog"
    local trace=(-e "trace=${_FAULT_TRACE:-%network,read,readv,write,close,poll,ppoll,select,pselect6}")
    [ -n "${_FAULT_INJECT:-}" ] && trace=(-e "trace=${_FAULT_INJECT%%:*}" -e "inject=$_FAULT_INJECT")
    # LeakSanitizer cannot run under ptrace: off.
    ASAN_OPTIONS=detect_leaks=0 STDIN=fifo start "$name" strace -f -qq -y -o "$WORK/$name.trace" \
        "${trace[@]}" "$SOCKCHAT_BIN/$prog" "$@"
    # What a failure message shows: the program, and the fault.
    local fault=""
    [ -n "${_FAULT_INJECT:-}" ] && fault=" (under strace: $(_fault_words "$_FAULT_INJECT"))"
    printf '%s%s\n' "$SOCKCHAT_BIN/$prog $*" "$fault" >"$WORK/$name.cmd"
    SHOW+=(--prog "$name")
}

# _fault_words CALL:error=E:when=N: "the Nth CALL() fails with E", for a message.
_fault_words() {
    local spec=$1 call errno n
    call=${spec%%:*}
    errno=${spec#*error=}
    errno=${errno%%:*}
    n=${spec##*when=}
    printf 'its system call %s() number %s fails with %s' "$call" "$n" "$errno"
}

# _fault_calls TRACE: the survey's calls, one a line, "PID CALL KIND ORDINAL" where KIND is
# tcp (a TCP socket of the program's own), stdin, or other, and ORDINAL counts that PID's
# calls of that name, all kinds together (strace's when=N counts the same way).
_fault_calls() {
    awk '
        # "PID call(args) = result": the TCP sockets of the program are the results of
        # socket(AF_INET*, SOCK_STREAM...) and accept(), as strace -y shows them: <socket:[N]>.
        match($0, /^[0-9]+ +[a-z0-9_]+\(/) {
            pid = $1
            call = substr($0, RSTART, RLENGTH - 1); sub(/^[0-9]+ +/, "", call)
            rest = substr($0, RSTART + RLENGTH)
            n = ++count[pid SUBSEP call]
            if (call == "socket") {
                if (rest ~ /^AF_INET6?, SOCK_STREAM/ && match(rest, /= [0-9]+<socket:\[[0-9]+\]>/))
                    tcp[substr(rest, RSTART + 2, RLENGTH - 2)] = 1
                kind = (rest ~ /^AF_INET6?, SOCK_STREAM/) ? "tcp" : "other"
            } else {
                if ((call == "accept" || call == "accept4") && match(rest, /= [0-9]+<socket:\[[0-9]+\]>/))
                    tcp[substr(rest, RSTART + 2, RLENGTH - 2)] = 1
                kind = "other"
                if (match(rest, /^[0-9]+<socket:\[[0-9]+\]>/)) {
                    fd = substr(rest, RSTART, RLENGTH)
                    if (fd in tcp) kind = "tcp"
                } else if (rest ~ /^0</ && (call == "read" || call == "readv")) {
                    kind = "stdin"
                }
            }
            print pid, call, kind, n
        }' "$1"
}

# _fault_when ROW_CALL: from the survey, "CALL N" for strace's inject (when=N), or nothing when
# the program never made that call. ROW_CALL is CALL, CALL@stdin or CALL#K (the Kth).
_fault_when() {
    local spec=$1 call kind=tcp k=1
    call=${spec%%[@#]*}
    [[ $spec == *@stdin* ]] && kind=stdin
    [[ $spec == *#* ]] && k=${spec##*#}
    # accept and accept4 are one call to the student; strace knows which one libc made.
    awk -v call="$call" -v kind="$kind" -v k="$k" '
        ($2 == call || (call == "accept" && $2 == "accept4")) && $3 == kind && ++seen == k {
            print $2, $4; exit
        }' "$WORK/survey.calls"
}

# fault_table PROG: run every row of FAULTS_PROG; fail at the first row whose outcome is not
# the README's, with a message that names the call, the errno and what happened.
fault_table() {
    local prog=$1 table="FAULTS_$1[@]" row i=0
    local scenario="fault_scenario_$prog"
    declare -F "$scenario" >/dev/null || {
        echo "the lesson's tests define no $scenario" >&2
        return 1
    }
    # The survey: the scenario with no fault, to learn which calls the program makes.
    SHOW=()
    _FAULT_INJECT="" "$scenario" survey || true
    _fault_reset
    _fault_calls "$WORK/survey.trace" >"$WORK/survey.calls"
    [ "${SOCKCHAT_FAULT_COVERAGE:-}" = 1 ] && _fault_coverage "$prog"
    for row in "${!table}"; do
        i=$((i + 1))
        _fault_row "$prog" "$i" "$row" || return 1
    done
}

# _fault_reset: end every program of the last run, and forget them.
_fault_reset() {
    stop_all
    STARTED=()
    SHOW=()
}

# _fault_coverage PROG: every call the survey saw on a TCP socket, or reading stdin, has a row.
_fault_coverage() {
    local prog=$1 table="FAULTS_$1[@]" row call kind missing=()
    local named=" "
    for row in "${!table}"; do
        call=${row%% *}
        named+="${call%%#*} "
    done
    while read -r _ call kind _; do
        case $kind in
        tcp) [[ $named == *" $call "* || ($call == accept4 && $named == *" accept "*) ]] ||
            missing+=("$call") ;;
        stdin) [[ $named == *" $call@stdin "* ]] || missing+=("$call@stdin") ;;
        esac
    done <"$WORK/survey.calls"
    if [ ${#missing[@]} -gt 0 ]; then
        flunk_check "the fault table of the $prog names every call it makes on its sockets" \
            --expected "a row in FAULTS_$prog for each of: $(printf '%s\n' "${missing[@]}" | sort -u | paste -sd ' ')" \
            --seen "no row for them (tests: the survey's trace, $WORK/survey.trace)" \
            --hint "This is the course's own table, not your program: add the rows, with the outcome the README states."
    fi
}

# _fault_row PROG I ROW: one fault. The scenario runs with the fault injected; then the outcome.
_fault_row() {
    local prog=$1 i=$2 row=$3 spec errno outcome status="" message="" hit name
    read -r spec errno outcome status message <<<"$row"
    SHOW=()
    if [ "$outcome" = next ]; then
        message="$status${message:+ $message}"
        status=""
    fi
    hit=$(_fault_when "$spec")
    [ -n "$hit" ] || return 0 # never made with no fault: nothing to prove
    name="f$i"
    local call=${hit% *} n=${hit#* } ok=0
    _FAULT_INJECT="$call:error=$errno:when=$n" "$scenario" "$name" && ok=1
    local shown_call=${spec%%[@#]*}
    [ "$shown_call" = recvfrom ] && shown_call=recv
    [ "$shown_call" = sendto ] && shown_call=send
    local what
    what="the $prog's $(_fault_ordinal "$spec")$shown_call() fails with $errno (injected with strace)"
    local expected seen=""
    case $outcome in
    exit)
        if [ -n "$message" ]; then
            expected="it says '$message' on stderr and exits with status $status, at once"
        else
            expected="it says nothing on stderr and exits with status $status, at once"
        fi
        if AT_ONCE=1 wait_exit "$name" && [ "$STATUS" = "$status" ] &&
            { if [ -n "$message" ]; then is_exactly "$WORK/$name.err" "$message"; else is_exactly "$WORK/$name.err"; fi; }; then
            _fault_reset
            return 0
        fi
        ;;
    retry)
        expected="it calls $shown_call() again: nothing on stderr, and the session goes on as with no fault"
        if [ "$ok" = 1 ] && is_exactly "$WORK/$name.err"; then
            _fault_reset
            return 0
        fi
        ;;
    next)
        expected="it says '$message' on stderr, drops that client, and serves the next one"
        if wait_for "$name" "$WAIT_SECS" grep -q -x -F -- "$message" "$WORK/$name.err" &&
            is_exactly "$WORK/$name.err" "$message" && alive "$name" &&
            "fault_next_$prog" "$name"; then
            _fault_reset
            return 0
        fi
        ;;
    *)
        flunk_check "the fault table's row '$row'" --expected "OUTCOME exit, retry or next" \
            --hint "This is the course's own table, not your program."
        return 1
        ;;
    esac
    # A call made in the survey may not be made again when the program's own behaviour changed
    # under strace; then the row has nothing to prove either.
    if ! grep -q -E "^[0-9]+ +$call\(" "$WORK/$name.trace" 2>/dev/null; then
        _fault_reset
        return 0
    fi
    seen="stderr '$(visible "$WORK/$name.err" 200)'"
    local hint
    if declare -F fault_hint >/dev/null; then
        hint=$(fault_hint "$prog" "$shown_call" "$errno" "$outcome")
    fi
    [ -n "${hint:-}" ] || hint=$(_fault_default_hint "$shown_call" "$errno" "$outcome" "$message")
    local progs=("${SHOW[@]}")
    [[ " ${progs[*]} " == *" $name "* ]] || progs+=(--prog "$name")
    flunk_check "$what" --expected "$expected" --seen "$seen" "${progs[@]}" --hint "$hint"
}

# _fault_ordinal SPEC: "second " for CALL#2, and so on; "" for the first.
_fault_ordinal() {
    case $1 in
    *#2) printf 'second ' ;;
    *#3) printf 'third ' ;;
    *#[0-9]*) printf '%sth ' "${1##*#}" ;;
    esac
}

_fault_default_hint() {
    local call=$1 errno=$2 outcome=$3 message=$4
    local said=${message%%:*}
    case $outcome in
    exit) printf 'Check what %s() returns: on -1, report it at once with perror("%s") (before another call can change errno), close what is open, and exit with the status the README gives.' "$call" "${said:-$call}" ;;
    retry) printf '%s means a signal interrupted %s(): nothing went wrong, so call it again (a loop around the call), without a message.' "$errno" "$call" ;;
    next) printf 'A failure on one connection is that client'"'"'s problem, not the server'"'"'s: perror("%s"), close that connection, and go back to accept() for the next client.' "${said:-$call}" ;;
    esac
}
