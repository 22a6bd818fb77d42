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

# probe CASE BATS: run the probe check with CASE's server under BATS; sets OUTPUT and ELAPSED.
probe() {
    local case=$1 bats=$2 start=$SECONDS
    OUTPUT=$(cd "$ROOT" && SOCKCHAT_BIN="$CASES/$case" SOCKCHAT_HELPERS="$ROOT/build/helpers" \
        WAIT_SECS=2 LIFE_SECS=8 BATS_TEST_TIMEOUT=20 timeout 60 "$bats" --tap tests/meta/fixtures/probe.bats 2>&1 </dev/null 3>&-) || true
    ELAPSED=$((SECONDS - start))
    output=$OUTPUT # for bats-assert
}

leftovers() {
    pgrep -f "$CASES/$1/" || true
}

# expect CASE WORDS: under each bats, the probe fails within 15 s, says WORDS, leaves nothing.
expect() {
    local case=$1 words=$2 bats
    for bats in "$ROOT/node_modules/bats/bin/bats" /usr/bin/bats; do
        [ -x "$bats" ] || continue
        probe "$case" "$bats"
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
    expect ignores-term "expected: a line 'listening on 127.0.0.1:PORT' within 2 s"
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
