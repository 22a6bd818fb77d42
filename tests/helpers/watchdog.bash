# watchdog.bash - work around bats-core issue 1206 (bats 1.13.0): when a test fails, bats loses
# the pid of its BATS_TEST_TIMEOUT watchdog and waits out the whole timeout before the next test.
# Debian's bats 1.8 does the same, for another reason: its watchdog's sleep holds the output pipe.
# Call watchdog_keep in setup and watchdog_end in teardown: the pid is kept while bats still
# has it, and the watchdog is ended by hand. Harmless where bats has no such watchdog.

watchdog_keep() {
    WATCHDOG_PID=${BATS_killer_pid:-}
}

watchdog_end() {
    if [ -n "${WATCHDOG_PID:-}" ]; then
        # The watchdog first (bats 1.8's would otherwise abort the test when its sleep ends),
        # then its sleep, which in bats 1.8 still holds the output pipe that bats waits on.
        local sleeper
        sleeper=$(pgrep -P "$WATCHDOG_PID" 2>/dev/null || true)
        kill "$WATCHDOG_PID" 2>/dev/null || true
        # shellcheck disable=SC2086 # one pid or more, one per line
        [ -z "$sleeper" ] || kill $sleeper 2>/dev/null || true
    fi
}
