# Shared helpers for the lesson tests (bats).
#
# Student code is untrusted: it may hang, crash, fork or never listen. Every program a test
# starts goes through `start`, which runs it in a session of its own under a time limit, with
# its stdout and stderr kept in files for the failure message. `stop_all` (called from teardown)
# ends every session with TERM, then KILL, so nothing outlives a test.
#
# Environment (set by scripts/check):
#   SOCKCHAT_BIN      the programs under test (a student's build, a solution, a mutant)
#   SOCKCHAT_SRC      the sources those programs were built from (for a valgrind build)
#   SOCKCHAT_REF      the reference solution's programs for this lesson (interop peers)
#   SOCKCHAT_HELPERS  the course's own helper programs (peer)

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-20}

# How long a program may take to print its first expected line, and how long any program may
# live at all. A student program that hangs fails one check after WAIT_SECS, not the suite.
WAIT_SECS=${WAIT_SECS:-5}
LIFE_SECS=${LIFE_SECS:-15}

HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/helpers/watchdog.bash
source "$HELPERS_DIR/watchdog.bash"
# use_bats_assert: load bats-support and bats-assert (pinned in package.json, else Debian's), for
# suites that want assert_output and friends. Lesson tests write their own messages with
# flunk_check instead, and skip the load: it costs a noticeable part of a short test.
use_bats_assert() {
    local lib dir
    for lib in bats-support bats-assert; do
        for dir in "$HELPERS_DIR/../../node_modules/$lib" "/usr/lib/bats/$lib"; do
            if [ -f "$dir/load.bash" ]; then
                # shellcheck disable=SC1091
                source "$dir/load.bash"
                break
            fi
        done
    done
}

# ---- setup and teardown ------------------------------------------------------------------

common_setup() {
    : "${SOCKCHAT_BIN:?scripts/check sets SOCKCHAT_BIN to the programs under test}"
    WORK=$BATS_TEST_TMPDIR
    STARTED=()
    OPEN_FDS=()
    mkfifo "$WORK/.nap" && exec {NAP_FD}<>"$WORK/.nap"
    watchdog_keep
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
}

common_teardown() {
    stop_all
    watchdog_end
}

# ---- starting and stopping programs ------------------------------------------------------

# start NAME COMMAND [ARGS...]
# Runs COMMAND in a new session under `reaper $LIFE_SECS` (tests/helpers/reaper.c: a timeout
# that also ends whatever the program forked and left behind), stdout to $WORK/NAME.out,
# stderr to $WORK/NAME.err. Stdin is /dev/null, or the FIFO $WORK/NAME.in when STDIN=fifo
# (then `say NAME text` types a line and `hangup NAME` closes it). Sets NAME_pid to the
# session id. fd 3 is closed in the child, or bats would wait for it.
start() {
    local name=$1
    shift
    local in=/dev/null
    if [ "${STDIN:-}" = fifo ]; then
        in=$WORK/$name.in
        rm -f "$in"
        mkfifo "$in"
    fi
    : >"$WORK/$name.out"
    : >"$WORK/$name.err"
    printf '%s\n' "$*" >"$WORK/$name.cmd"
    # Sandbox hook. The grader's sandbox (scripts/grade-sandbox) sets SOCKCHAT_AS_USER: then the
    # student's program runs as that unprivileged uid, through tests/helpers/asuser, so it can
    # neither write the harness's files nor signal or trace the harness. A student's program is
    # one under SOCKCHAT_BIN, or one a check built in $WORK from the student's sources (the
    # valgrind build). A tracer (strace) stays the harness's, since it writes its trace into
    # $WORK: asuser goes just before the traced program; any other command that runs the
    # student's program (valgrind, a shell, the transcript player) runs as the student. The
    # course's own programs (the reference solution, nc, the test peer) stay the harness's: the
    # student's uid cannot even read them.
    # The folders above $WORK (bats' private run folder) get o+x, so that a program the test
    # built there can be run: that user can then open a file of $WORK whose name it knows,
    # read-only, and list or change nothing.
    # AS_HARNESS=1: a course program that switches to the student's uid itself, to run the
    # student's program (tests/helpers/transcript.py, which is known without it too).
    local as_harness=${AS_HARNESS:-}
    [[ "${2:-}" == */transcript.py ]] && as_harness=1
    if [ -n "${SOCKCHAT_AS_USER:-}" ] && [ -z "$as_harness" ]; then
        local as=("$SOCKCHAT_HELPERS/asuser" "$SOCKCHAT_AS_USER") at=-1 i dir=$WORK up=()
        if [ "$(basename "$1")" = strace ]; then
            # The traced program: the first word after strace's options.
            for ((i = 2; i <= $#; i++)); do
                case "${!i}" in
                -o | -e | -s | -p | -E | -u | -a | -b | -I | -P | -S | -X) i=$((i + 1)) ;;
                -*) ;;
                *) break ;;
                esac
            done
            case "${!i:-}" in "$SOCKCHAT_BIN"/* | "$WORK"/*) at=$((i - 1)) ;; esac
        else
            # Any command that runs the student's program (itself, valgrind, a shell that
            # execs it, the transcript player) runs as the student.
            for ((i = 1; i <= $#; i++)); do
                case "${!i}" in "$SOCKCHAT_BIN"/* | "$WORK"/*) at=0 ;; esac
            done
        fi
        if [ "$at" -ge 0 ]; then
            while [ -n "$dir" ] && [ "$dir" != /tmp ]; do
                up+=("$dir")
                dir=${dir%/*}
            done
            chmod o+x "${up[@]}" 2>/dev/null
            set -- "${@:1:at}" "${as[@]}" "${@:at+1}"
        fi
    fi
    # The subshell closes every descriptor above 2 before the program starts: bats waits for
    # its output pipes (fd 3, and more in bats 1.8) to close, and the stdin FIFOs of programs
    # started earlier must not stay open in later ones, or they never see end of file. Then
    # setsid execs in place (a background job is not a group leader), so $! is the new
    # session's id and its process group id.
    (
        for fd in "/proc/$BASHPID/fd"/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
        done
        # A program that floods its output is stopped (SIGXFSZ) at OUTPUT_KB, not the disk.
        ulimit -f "${OUTPUT_KB:-10240}"
        exec setsid "$SOCKCHAT_HELPERS/reaper" "$LIFE_SECS" "$@" <"$in" >"$WORK/$name.out" 2>"$WORK/$name.err"
    ) &
    local pid=$!
    printf -v "${name}_pid" '%s' "$pid"
    STARTED+=("$name")
    if [ "${STDIN:-}" = fifo ]; then
        # Hold the writing end open in this shell (fd chosen by bash) so the program never sees
        # EOF until hangup.
        local fd
        exec {fd}>"$in"
        printf -v "${name}_infd" '%s' "$fd"
        OPEN_FDS+=("$fd")
    fi
}

# start_prog NAME PROG [ARGS...]: start the program under test, $SOCKCHAT_BIN/PROG.
start_prog() {
    local name=$1 prog=$2
    shift 2
    need_program "$prog"
    start "$name" "$SOCKCHAT_BIN/$prog" "$@"
}

# start_ref NAME PROG [ARGS...]: start the reference solution's PROG (an interop peer).
start_ref() {
    local name=$1 prog=$2
    shift 2
    start "$name" "${SOCKCHAT_REF:?}/$prog" "$@"
}

need_program() {
    if [ ! -x "$SOCKCHAT_BIN/$1" ]; then
        flunk_check "the program '$1' exists" \
            --expected "an executable $SOCKCHAT_BIN/$1" \
            --seen "no such program" \
            --hint "Did the build fail? Check the compiler output above."
    fi
}

# say NAME TEXT: write TEXT and a newline to NAME's stdin (started with STDIN=fifo). Returns 1
# when NAME no longer reads it (it has ended): the write is made in a subshell that ignores
# SIGPIPE, which would otherwise end the test itself. (Never in this shell: an ignored signal
# is inherited by every program the test starts after, and lesson 06 tests SIGPIPE.)
say() {
    local fdvar="${1}_infd"
    (
        trap '' PIPE
        printf '%s\n' "$2" >&"${!fdvar}"
    ) 2>/dev/null
}

# hangup NAME: close NAME's stdin, which the program reads as end of file (Ctrl-D).
hangup() {
    local fdvar="${1}_infd"
    local fd=${!fdvar:-}
    if [ -n "$fd" ]; then
        eval "exec $fd>&-"
        printf -v "$fdvar" '%s' ""
        local keep=() open
        for open in "${OPEN_FDS[@]}"; do
            [ "$open" = "$fd" ] || keep+=("$open")
        done
        OPEN_FDS=("${keep[@]}")
    fi
}

# pid_of NAME: the session id of NAME (also its process group id).
pid_of() {
    local var="${1}_pid"
    printf '%s' "${!var}"
}

# prog_pid NAME: the pid of the program itself (the child of the reaper), empty if gone.
prog_pid() {
    pgrep -P "$(pid_of "$1")" | head -n 1
}

# alive NAME: true while NAME's session still has a process that is not a zombie.
alive() {
    local sid state
    sid=$(pid_of "$1")
    [ -n "$sid" ] || return 1
    # The session leader is the reaper, whose name has no spaces: field 3 of stat is its state.
    read -r _ _ state _ 2>/dev/null <"/proc/$sid/stat" || return 1
    [ "$state" != Z ]
}

# wait_exit NAME [SECS]: wait for NAME to end; sets STATUS to its exit status (124 means
# killed by the time limit). Returns 1 (STATUS=running) if it is still running after SECS, or
# once the programs have gone quiet.
wait_exit() {
    local name=$1 secs=${2:-$WAIT_SECS} sid
    sid=$(pid_of "$name")
    if ! wait_for "" "$secs" _ended "$name"; then
        STATUS=running
        return 1
    fi
    STATUS=0
    wait "$sid" 2>/dev/null || STATUS=$?
    printf '%s' "$STATUS" >"$WORK/$name.status"
    return 0
}

_ended() {
    ! alive "$1"
}

# stop NAME: end NAME's whole session: TERM, up to two seconds' grace, then KILL. Children that
# moved to a process group of their own are still in the session, and go too; those that left
# the session are the reaper's to end.
stop() {
    local name=$1 sid i
    sid=$(pid_of "$name")
    [ -n "$sid" ] || return 0
    hangup "$name"
    # The reaper has ended (it ends what its program left behind before it exits): only reap it.
    if ! alive "$name"; then
        wait "$sid" 2>/dev/null || true
        return 0
    fi
    kill -TERM -- "-$sid" 2>/dev/null || true
    pkill -TERM -s "$sid" 2>/dev/null || true
    # Two seconds: the reaper gives a program one second after TERM, then cleans up its leftovers.
    for ((i = 0; i < 100; i++)); do
        kill -0 -- "-$sid" 2>/dev/null || break
        nap
    done
    kill -KILL -- "-$sid" 2>/dev/null || true
    pkill -KILL -s "$sid" 2>/dev/null || true
    wait "$sid" 2>/dev/null || true
    return 0
}

stop_all() {
    local name
    _watch_stop
    for name in "${STARTED[@]}"; do
        stop "$name"
    done
}

# ---- waiting for output and sockets ------------------------------------------------------

# ---- waiting, and knowing when to stop -----------------------------------------------------
#
# A check waits for an event (a line, an exit, a listener), never for a time. It stops waiting
# as soon as the outcome is known: the event came; the program it waits on has ended without
# it; or every program of the test has gone quiet, blocked waiting for input that the test will
# not send (tests/helpers/quiet.c decides: no thread running, none on a timer, nothing changing
# for QUIET_MS). WAIT_SECS is only the backstop for a program that keeps busy.
#
# QUIET_MS=0 turns the quiet rule off, for a check that waits for a program's own timeout
# (SO_RCVTIMEO or alarm() look quiet from outside).
#
# AT_ONCE=1, for one wait (AT_ONCE=1 wait_exit c), is for what the README says happens at
# once: a program asleep on a timer then counts as stuck too (it should not be waiting at all),
# and one that spins ends the wait once the programs have used AT_ONCE_CPU_MS (1000) ms of CPU
# time during it: an exit or a line "at once" costs a few ms of CPU, even under valgrind.
QUIET_MS=${QUIET_MS:-150}
AT_ONCE_CPU_MS=${AT_ONCE_CPU_MS:-1000}

# The watcher: `quiet --watch` samples the programs of this test every 20 ms, from the first
# wait that does not end at once to the end of the test (or until another program starts), and
# keeps in $WORK/quiet.state one line: "SAMPLED CHANGED WAITING CPU0 CPU" (the time its last
# sample began, and the time of the last change it saw, in microseconds; whether every program
# was blocked in an untimed wait; their CPU time in ms at its first sample and now). wait_for
# reads it after each failed test of its condition: the programs are quiet when a sample begun
# after the test began shows them all waiting, with no change since before the test began, for
# QUIET_MS. So a wait decides within about 20 ms of the event it waits for, and QUIET_MS after
# the last thing the programs did when the event will not come (a second wait in a row that
# cannot end, as in a failure message, decides at once).

# _watch_start: make sure a watcher runs for the programs this test started, in the mode this
# wait wants (AT_ONCE counts timers as waiting); nothing when no program runs.
_watch_start() {
    local want="${AT_ONCE:+timers }${STARTED[*]}" name sids=() files=()
    if [ -n "${_WATCH_PID:-}" ] && [ "$_WATCH_FOR" = "$want" ] && kill -0 "$_WATCH_PID" 2>/dev/null; then
        return 0
    fi
    _watch_stop
    for name in "${STARTED[@]}"; do
        sids+=("$(pid_of "$name")")
        files+=(--file "$WORK/$name.out" --file "$WORK/$name.err")
    done
    [ ${#sids[@]} -gt 0 ] || return 0
    rm -f "$WORK/quiet.state"
    "$SOCKCHAT_HELPERS/quiet" --watch "$WORK/quiet.state" ${AT_ONCE:+--timers} \
        --why "$WORK/quiet.txt" "${files[@]}" "${sids[@]}" 3>&- &
    _WATCH_PID=$! _WATCH_FOR=$want
}

_watch_stop() {
    if [ -n "${_WATCH_PID:-}" ]; then
        kill "$_WATCH_PID" 2>/dev/null || true
        wait "$_WATCH_PID" 2>/dev/null || true
        _WATCH_PID=""
    fi
}

# _watch_verdict CHECKED CPU0: after a failed test of the condition that began at CHECKED (us),
# set VERDICT to "quiet", "busy" (AT_ONCE: the programs used AT_ONCE_CPU_MS since CPU0) or "".
_watch_verdict() {
    local checked=$1 cpu_start=$2 sampled changed waiting cpu0 cpu
    VERDICT=""
    read -r sampled changed waiting cpu0 cpu <"$WORK/quiet.state" 2>/dev/null || return 0
    [ -n "${cpu:-}" ] || return 0
    sampled=$((10#$sampled)) changed=$((10#$changed))
    if [ "${QUIET_MS:-0}" -gt 0 ] && [ "$waiting" = 1 ] && [ "$sampled" -gt "$checked" ] &&
        [ "$changed" -lt "$checked" ] && [ $((sampled - changed)) -ge $((QUIET_MS * 1000)) ]; then
        VERDICT=quiet
    elif [ -n "$cpu_start" ] && [ $((10#$cpu - cpu_start)) -ge "$AT_ONCE_CPU_MS" ]; then
        VERDICT=busy
    fi
}

# nap: sleep 20 ms without starting a process (read times out on a FIFO no one writes to).
nap() {
    if [ -n "${NAP_FD:-}" ]; then
        read -r -t 0.02 -u "$NAP_FD" _ || true
    else
        sleep 0.02
    fi
}

# cpu_used: the CPU time, in ms, that the programs this test started have used so far.
cpu_used() {
    local name sids=()
    for name in "${STARTED[@]}"; do
        sids+=("$(pid_of "$name")")
    done
    "$SOCKCHAT_HELPERS/quiet" --cpu "${sids[@]}"
}

# wait_for NAME SECS COMMAND [ARGS...]: run COMMAND until it succeeds. Returns 1 when it still
# fails once NAME has ended, once the programs have gone quiet, (with AT_ONCE) once they have
# spun for AT_ONCE_CPU_MS, or after SECS (NAME "" waits on no program in particular). Sets
# WAITED to why it stopped: "", ended, quiet, busy or timeout.
wait_for() {
    local name=$1 secs=$2
    shift 2
    local deadline=$((SECONDS + secs)) checked cpu0="" VERDICT watching=0
    [ -z "${AT_ONCE:-}" ] || cpu0=$(cpu_used)
    WAITED=""
    while :; do
        checked=${EPOCHREALTIME/[.,]/}
        "$@" && return 0
        if [ -n "$name" ] && ! alive "$name"; then
            "$@" && return 0
            WAITED=ended
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            WAITED=timeout
            return 1
        fi
        if [ "$watching" = 0 ]; then
            if [ "${QUIET_MS:-0}" -gt 0 ] || [ -n "$cpu0" ]; then
                _watch_start
            fi
            watching=1
        else
            _watch_verdict "$checked" "$cpu0"
            if [ -n "$VERDICT" ]; then
                "$@" && return 0
                WAITED=$VERDICT
                return 1
            fi
        fi
        nap
    done
}

# waited: how the last wait ended, for a failure message ("within 5 s", "before it ended", ...).
waited() {
    case "${WAITED:-}" in
    quiet) printf 'before every program was blocked, waiting for input the test does not send (status below)' ;;
    busy) printf 'before the programs had used %s ms of CPU time (it should take a few): one keeps running, spinning (status below)' "$AT_ONCE_CPU_MS" ;;
    ended) printf 'before it ended' ;;
    *) printf 'within %s s' "$WAIT_SECS" ;;
    esac
}

# wait_line NAME REGEX [SECS]: wait until a line of NAME's stdout matches the extended REGEX.
# Sets LINE to the first matching line. Returns 1 if NAME ends without printing it, if the
# programs go quiet, or after SECS.
wait_line() {
    LINE=""
    wait_for "$1" "${3:-$WAIT_SECS}" _has_line "$WORK/$1.out" "$2"
}

_has_line() {
    LINE=$(grep -E -m 1 -- "$2" "$1" 2>/dev/null)
    [ -n "$LINE" ]
}

# count_lines NAME REGEX: how many lines of NAME's stdout match REGEX.
count_lines() {
    grep -E -c -- "$2" "$WORK/$1.out" 2>/dev/null || true
}

# wait_count NAME REGEX N [SECS]: wait until at least N lines of NAME's stdout match REGEX.
# Returns 1 as soon as NAME has ended with fewer, the programs are quiet, or after SECS.
wait_count() {
    wait_for "$1" "${4:-$WAIT_SECS}" _has_count "$1" "$2" "$3"
}

_has_count() {
    [ "$(count_lines "$1" "$2")" -ge "$3" ]
}

# swapped PORT: PORT with its two bytes exchanged: what the kernel gets from a port stored
# without htons(), and what prints when ntohs() is missing.
swapped() {
    echo $((($1 & 255) << 8 | $1 >> 8))
}

# hexport PORT: the port as /proc/net/tcp writes it (4 upper-case hex digits).
hexport() {
    printf '%04X' "$1"
}

# listeners PORT: the local addresses of TCP sockets in LISTEN state on PORT, as "ADDR:PORT"
# in /proc/net/tcp's hex (0100007F is 127.0.0.1, 00000000 is 0.0.0.0).
listeners() {
    awk -v port=":$(hexport "$1")" '$4 == "0A" && substr($2, length($2) - 4) == port { print $2 }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# is_listening PORT [SECS]: wait (bounded) until something listens on PORT. Never connects:
# a probe would use up a one-client server.
is_listening() {
    wait_for "" "${2:-$WAIT_SECS}" _listens "$1"
}

_listens() {
    [ -n "$(listeners "$1")" ]
}

# server_port NAME: wait for "listening on 127.0.0.1:PORT" from NAME and set PORT. Fails the
# test with an explanation if the line never comes. (It sets a variable rather than printing:
# in a $(...) subshell the exit status of NAME could not be read for the message.)
server_port() {
    local name=$1
    if ! wait_line "$name" '^listening on 127\.0\.0\.1:[0-9]+$'; then
        flunk_check "the server says where it listens" \
            --expected "a line 'listening on 127.0.0.1:PORT' $(waited)" \
            --prog "$name" \
            --hint "Print it after listen() succeeds, and flush stdout (the starter's setvbuf line does that for every line)."
    fi
    # shellcheck disable=SC2034 # the tests read it
    PORT=${LINE##*:}
}

# free_port: a TCP port nothing on 127.0.0.1 uses right now (the kernel picks it).
free_port() {
    "$SOCKCHAT_HELPERS/peer" freeport
}

# ---- looking at a running program --------------------------------------------------------

# signal_prog NAME SIG: send SIG to NAME's program itself (not to the reaper above it), as
# `kill -SIG PID` from another terminal would.
signal_prog() {
    local pid
    pid=$(prog_pid "$1")
    if [ -z "$pid" ]; then
        flunk_check "the program is still running when the test sends it SIG$2" --prog "$1" \
            --hint "It ended before the signal was sent: see its status and stderr above."
    fi
    kill -s "$2" "$pid"
}

# wait_stderr NAME [SECS]: wait until NAME writes to stderr or ends.
wait_stderr() {
    wait_for "$1" "${2:-$WAIT_SECS}" test -s "$WORK/$1.err"
}

# wait_err NAME REGEX [SECS]: wait until a line of NAME's stderr matches the extended REGEX.
wait_err() {
    wait_for "$1" "${3:-$WAIT_SECS}" grep -q -E -- "$2" "$WORK/$1.err"
}

# fd_count NAME: how many descriptors NAME's program has open now; nothing if it has ended.
fd_count() {
    local pid
    pid=$(prog_pid "$1")
    if [ -n "$pid" ] && [ -d "/proc/$pid/fd" ]; then
        local fds=("/proc/$pid/fd"/*)
        echo "${#fds[@]}"
    fi
}

# cpu_seconds NAME: the CPU time NAME's program has used so far, in whole seconds.
cpu_seconds() {
    local pid
    pid=$(prog_pid "$1")
    [ -n "$pid" ] || return 0
    # Fields 14 and 15 of /proc/PID/stat are utime and stime, in clock ticks; after the ") "
    # that ends the command name they are fields 12 and 13.
    sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null |
        awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($12 + $13) / hz }'
}

# stderr_text NAME: NAME's stderr without blank lines, joined with " | " (3 lines at most), for a
# message.
stderr_text() {
    awk 'NF { printf "%s%s", (n++ ? " | " : ""), $0 } n == 3 { exit }' "$WORK/$1.err" 2>/dev/null || true
}

# ---- exact output ----------------------------------------------------------------------

# is_exactly FILE [LINE...]: true when FILE holds exactly these lines, each ending in a newline,
# and nothing else (no LINE: FILE is empty). $(cat FILE) would drop a missing final newline.
is_exactly() {
    local file=$1
    shift
    if [ $# -eq 0 ]; then
        [ ! -s "$file" ]
    else
        cmp -s "$file" <(printf '%s\n' "$@")
    fi
}

# visible FILE [MAX]: the first MAX (160) bytes of FILE on one line: newline, carriage return
# and the zero byte written \n, \r and \0, other control bytes and bytes that are not UTF-8
# as \xNN; UTF-8 text as it is.
visible() {
    head -c "${2:-160}" "$1" | perl -0777 -ne '
        s{(\\)|(\n)|(\r)|(\0)|([\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3})|([\x01-\x1F\x7F-\xFF])}
         {defined $1 ? "\\\\" : defined $2 ? "\\n" : defined $3 ? "\\r" : defined $4 ? "\\0" :
          defined $5 ? $5 : sprintf("\\x%02x", ord $6)}ge;
        print'
}

# ---- failure messages ------------------------------------------------------------------

# describe NAME: what NAME did, for a failure message: its command, whether it still runs or
# its exit status, the last lines of its stdout and stderr.
describe() {
    local name=$1 state
    if alive "$name"; then
        state="still running"
        local pid blocked=""
        pid=$(prog_pid "$name")
        if [ "${WAITED:-}" = quiet ] && [ -n "$pid" ] && [ -f "$WORK/quiet.txt" ]; then
            blocked=$(grep -m 1 -F "(pid $pid):" "$WORK/quiet.txt" | sed 's/^.*(pid [0-9]*): //')
        fi
        [ -z "$blocked" ] || state="still running, $blocked"
        [ "${WAITED:-}" != busy ] || state="still running, and busy: it keeps using the CPU"
    else
        wait_exit "$name" 1
        case "$STATUS" in
        0) state="exited with status 0" ;;
        124) state="was still running after ${LIFE_SECS} s and was stopped" ;;
        153) state="stopped: it wrote more than ${OUTPUT_KB:-10240} KB of output (SIGXFSZ)" ;;
        129 | 13[0-9] | 14[0-9] | 15[0-9]) state="killed by signal $((STATUS - 128)) (SIG$(kill -l $((STATUS - 128)) 2>/dev/null))" ;;
        *) state="exited with status $STATUS" ;;
        esac
    fi
    printf '  program:  %s\n' "$(sed "s|$SOCKCHAT_BIN/||g;s|${SOCKCHAT_REF:-@@}/|reference |g;s|$WORK/||g" "$WORK/$name.cmd" 2>/dev/null)"
    printf '  status:   %s\n' "$state"
    show_tail "stdout" "$WORK/$name.out"
    show_tail "stderr" "$WORK/$name.err"
}

show_tail() {
    local label=$1 file=$2
    if [ ! -s "$file" ]; then
        printf '  %-8s  (nothing)\n' "$label:"
        return
    fi
    printf '  %-8s  (last lines)\n' "$label:"
    tail -n 6 "$file" | cut -c1-200 | sed 's/^/            | /'
}

# flunk_check CHECK [--expected TEXT] [--seen TEXT] [--prog NAME]... [--hint TEXT]
# Prints a failure message written for a student and fails the test.
flunk_check() {
    local check=$1
    shift
    {
        printf '  check:    %s\n' "$check"
        while [ $# -gt 0 ]; do
            case "$1" in
            --expected) printf '  expected: %s\n' "$2" ;;
            --seen) printf '  seen:     %s\n' "$2" ;;
            --sent) printf '  sent:     %s\n' "$2" ;;
            --prog) describe "$2" ;;
            --hint) printf '  hint:     %s\n' "$2" ;;
            esac
            shift 2
        done
    } >&2
    return 1
}
