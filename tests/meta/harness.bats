#!/usr/bin/env bats
# The harness itself (tests/helpers/sockchat.bash and reaper.c) against hostile "student"
# programs: each must fail the probe check within seconds, with a message that says what
# happened, and leave no process behind. Run under the pinned bats and, where it is installed,
# Debian's bats 1.8 (the fallback), whose BATS_TEST_TIMEOUT cannot stop a hung test.

load ../helpers/watchdog
load ../helpers/sockchat
use_bats_assert

setup() {
    watchdog_keep
}

teardown() {
    watchdog_end
}

setup_file() {
    export ROOT=${SOCKCHAT_ROOT:?}
    export CASES=$BATS_FILE_TMPDIR/cases
    mkdir -p "$CASES"
    make_case never-listens 'int main(void) { for (;;) pause(); }'
    make_case ignores-term 'int main(void) { signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN); for (;;) pause(); }'
    make_case busy-loop 'int main(void) { volatile unsigned long n = 0; for (;;) n++; }'
    make_case exits-at-once 'int main(void) { fprintf(stderr, "bind: something went wrong\n"); return 3; }'
    make_case floods-output 'int main(void) { for (;;) puts("spam spam spam spam spam spam spam spam"); }'
    # Slow but correct: each listens in the end, and the harness must wait for it.
    local listen='#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
static void serve(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0) return;
    getsockname(fd, (struct sockaddr *)&a, &len);
    printf("listening on 127.0.0.1:%u\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) pause();
}'
    make_case sleeps-then-listens "$listen"'
int main(void) { sleep(1); serve(); }'
    make_case computes-then-listens "$listen"'
int main(void) {
    struct timespec t0, t; clock_gettime(CLOCK_MONOTONIC, &t0);
    volatile unsigned long n = 0;
    do { for (int i = 0; i < 1000000; i++) n++; clock_gettime(CLOCK_MONOTONIC, &t); }
    while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 1500);
    serve(); }'
    make_case listens "$listen"'
int main(void) { serve(); }'
    mkdir -p "$CASES/under-valgrind"
    printf '#!/bin/sh\nexec valgrind -q %s "$@"\n' "$CASES/listens/server" >"$CASES/under-valgrind/server"
    chmod +x "$CASES/under-valgrind/server"
    make_case forks-away 'int main(void) {
        for (int i = 0; i < 3; i++)
            if (fork() == 0) { setsid(); if (fork() == 0) { signal(SIGTERM, SIG_IGN); for (;;) pause(); } _exit(0); }
        printf("listening on 127.0.0.1:1\n"); fflush(stdout); for (;;) pause(); }'
}

make_case() {
    mkdir -p "$CASES/$1"
    printf '#define _DEFAULT_SOURCE\n#include <signal.h>\n#include <stdio.h>\n#include <unistd.h>\n%s\n' "$2" >"$CASES/$1/server.c"
    cc -o "$CASES/$1/server" "$CASES/$1/server.c"
}

# probe CASE BATS: run the probe check with CASE's server under BATS; sets OUTPUT, ELAPSED
# (seconds) and ELAPSED_MS. WAIT_SECS is 2 unless the caller sets it.
probe() {
    local case=$1 bats=$2 start
    start=$(date +%s%N)
    OUTPUT=$(cd "$ROOT" && SOCKCHAT_BIN="$CASES/$case" SOCKCHAT_HELPERS="$ROOT/build/helpers" \
        WAIT_SECS=${WAIT_SECS:-2} LIFE_SECS=${LIFE_SECS:-8} BATS_TEST_TIMEOUT=20 \
        timeout 60 "$bats" --tap tests/meta/fixtures/probe.bats 2>&1 </dev/null 3>&-) || true
    ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
    ELAPSED=$((ELAPSED_MS / 1000))
    output=$OUTPUT # for bats-assert
}

# passes CASE: under the pinned bats, with a WAIT_SECS long enough for it, the probe passes:
# the harness waited for a slow program instead of calling it quiet.
passes() {
    WAIT_SECS=10 LIFE_SECS=20 probe "$1" "$ROOT/node_modules/bats/bin/bats"
    if ! grep -q '^ok 1' <<<"$OUTPUT"; then
        echo "$1: the probe failed a slow but correct server ($ELAPSED_MS ms):"; echo "$OUTPUT"; return 1
    fi
}

leftovers() {
    pgrep -f "$CASES/$1/" || true
}

# expect CASE WORDS: under each bats, the probe fails within 15 s, says WORDS, leaves nothing.
expect() {
    local case=$1 words=$2 bats
    for bats in "$ROOT/node_modules/bats/bin/bats" /usr/bin/bats; do
        [ -x "$bats" ] || continue
        # 2 s, not sockchat.bash's WAIT_SECS (5): only a busy program waits it out.
        WAIT_SECS=2 probe "$case" "$bats"
        if ! grep -q '^not ok 1' <<<"$OUTPUT"; then
            echo "$case under $bats: the probe did not fail:"; echo "$OUTPUT"; return 1
        fi
        if [ "$ELAPSED" -gt 15 ]; then
            echo "$case under $bats: took $ELAPSED s"; return 1
        fi
        if ! grep -q -F -- "$words" <<<"$OUTPUT"; then
            echo "$case under $bats: the message does not say '$words':"; echo "$OUTPUT"; return 1
        fi
        sleep 0.2
        if [ -n "$(leftovers "$case")" ]; then
            echo "$case under $bats: processes left behind:"; ps -o pid,sid,args -p "$(leftovers "$case" | paste -sd,)"
            pkill -KILL -f "$CASES/$case/"; return 1
        fi
    done
}

@test "a server that never listens fails in seconds and says it is still running" {
    expect never-listens "still running"
}

@test "a server that ignores SIGTERM is killed, and the message says it never listened" {
    expect ignores-term "expected: a line 'listening on 127.0.0.1:PORT'"
}

@test "a server stuck in a busy loop fails in seconds" {
    expect busy-loop "still running"
}

@test "a server that exits at once: the message gives its status and its stderr" {
    expect exits-at-once "exited with status 3"
    assert_output --partial 'bind: something went wrong'
}

@test "a server that floods its output is stopped at the output limit" {
    expect floods-output "more than 10240 KB of output"
}

@test "children that setsid() away from the session are still ended" {
    local bats=$ROOT/node_modules/bats/bin/bats
    probe forks-away "$bats"
    sleep 0.3
    if [ -n "$(leftovers forks-away)" ]; then
        echo "left behind:"; ps -o pid,sid,args -p "$(leftovers forks-away | paste -sd,)"
        pkill -KILL -f "$CASES/forks-away/"
        return 1
    fi
}

# Quiet detection (tests/helpers/quiet.c): a program blocked waiting for input that the test
# will not send fails at once; a slow program that will answer is waited for.
@test "a server blocked in pause() fails within about a second, long before WAIT_SECS" {
    local bats pass_ms
    for bats in "$ROOT/node_modules/bats/bin/bats" /usr/bin/bats; do
        [ -x "$bats" ] || continue
        # What a passing probe costs on this machine now (bats itself, the build of nothing):
        # the failing one may take about a second more, not WAIT_SECS more.
        WAIT_SECS=30 probe listens "$bats"
        pass_ms=$ELAPSED_MS
        WAIT_SECS=30 probe never-listens "$bats"
        assert_output --partial "not ok 1"
        assert_output --partial "blocked in pause()"
        if [ "$ELAPSED_MS" -gt $((pass_ms + 1500)) ]; then
            echo "under $bats the probe took $ELAPSED_MS ms to fail, a passing one $pass_ms ms: quiet detection did not fire"
            return 1
        fi
    done
}

@test "a server that sleeps 1 s before it listens is not called quiet" {
    passes sleeps-then-listens
}

@test "a server that computes for 1.5 s before it listens is not called quiet" {
    passes computes-then-listens
}

@test "a server under valgrind is not called quiet while valgrind starts it" {
    command -v valgrind >/dev/null || skip "valgrind is not installed"
    passes under-valgrind
}

# The other half of quiet detection: a wait for a line that comes at once must end at once. A
# line printed between the wait's test and the watcher's sample must not be taken for silence
# (with QUIET_MS at 5 s, that mistake would cost 5 s; the race hit most starts before the
# watcher was made).
@test "a wait for a line that comes at once ends at once, whatever QUIET_MS is" {
    SOCKCHAT_BIN=$CASES/listens SOCKCHAT_HELPERS=$ROOT/build/helpers
    common_setup
    local i start took worst=0
    for i in $(seq 15); do
        start=$(date +%s%N)
        start_prog "s$i" server 0
        QUIET_MS=5000 server_port "s$i"
        took=$((($(date +%s%N) - start) / 1000000))
        [ "$took" -le "$worst" ] || worst=$took
        stop "s$i"
    done
    stop_all
    echo "the slowest of 15 starts took $worst ms"
    [ "$worst" -lt 1500 ]
}

@test "quiet: a program blocked in read() is quiet, one asleep on a timer or busy is not" {
    local q=$ROOT/build/helpers/quiet fifo=$BATS_TEST_TMPDIR/in
    mkfifo "$fifo"
    (exec setsid "$ROOT/build/helpers/reaper" 20 cat <"$fifo" >/dev/null) &
    local reader=$!
    exec 5>"$fifo"
    (exec setsid "$ROOT/build/helpers/reaper" 20 sleep 10) &
    local sleeper=$!
    (exec setsid "$ROOT/build/helpers/reaper" 20 sh -c 'while :; do :; done') &
    local busy=$!
    sleep 0.3
    local r1=0 r2=0 r3=0 r4=0
    "$q" --why "$BATS_TEST_TMPDIR/why" "$reader" || r1=$?
    "$q" "$sleeper" || r2=$?
    "$q" "$busy" || r3=$?
    "$q" "$reader" "$sleeper" || r4=$?
    exec 5>&-
    kill "$sleeper" "$busy" 2>/dev/null || true
    wait "$reader" "$sleeper" "$busy" 2>/dev/null || true
    [ "$r1" = 0 ] || { echo "the reader was not quiet ($r1)"; return 1; }
    grep -q 'blocked in read() on fd 0' "$BATS_TEST_TMPDIR/why" || { cat "$BATS_TEST_TMPDIR/why"; return 1; }
    [ "$r2" = 1 ] || { echo "the sleeper was called quiet ($r2)"; return 1; }
    [ "$r3" = 1 ] || { echo "the busy loop was called quiet ($r3)"; return 1; }
    [ "$r4" = 1 ] || { echo "reader + sleeper were called quiet ($r4)"; return 1; }
}

# The fallback: with Debian's bats 1.8 instead of the pinned one, a solution still passes.
@test "a solution passes under Debian's bats 1.8 too (the fallback)" {
    [ -x /usr/bin/bats ] || skip "Debian's bats is not installed"
    local out=$BATS_FILE_TMPDIR/fallback
    if ! (cd "$ROOT" && SOCKCHAT_BATS=/usr/bin/bats scripts/check --no-report \
        --src solutions/01-socket --out "$out" 01 3>&-); then
        grep -E '^not ok|^#' "$out/results.tap" | head -n 20
        return 1
    fi
}
