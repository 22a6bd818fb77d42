#!/usr/bin/env bats
# The student's report (scripts/check, full mode): verdicts stream as the checks end, the first
# failure is shown in full and the others by name, VERBOSE=1 shows every message, and
# results.tap (what the grader, the self-test and make progress read) keeps its format.
#
# The lesson is 01 built from its reference solution, its bats run replaced by a fake bats
# (SOCKCHAT_BATS) that prints scripted TAP for the lesson's real check names, with the lines
# bats itself adds. The fake waits between its first and second check until the test has seen
# the first verdict on screen: a report that does not stream never opens that gate.

load ../helpers/watchdog

teardown() {
    watchdog_end
}

setup_file() {
    export ROOT=${SOCKCHAT_ROOT:?scripts/check-meta sets SOCKCHAT_ROOT}
    export FAKE=$BATS_FILE_TMPDIR/fake-bats
    cat >"$FAKE" <<'EOF'
#!/usr/bin/env bash
# fake bats: the check names of the suite named last, verdicts from the script below.
suite=${!#}
mapfile -t names < <(sed -nE 's/^@test +"(.*)" *\{ *$/\1/p' "$suite")
echo "1..${#names[@]}"
echo "ok 1 ${names[0]}"
# The gate: wait (at most 5 s) until the reader has seen the first verdict.
for _ in $(seq 50); do [ -e "$GATE" ] && break; sleep 0.1; done
[ -e "$GATE" ] || echo "the gate was never opened" >"$GATE.timeout"
echo "not ok 2 ${names[1]}"
echo "# (from function \`flunk_check' in file tests/helpers/sockchat.bash, line 359,"
echo "#  in test file tests/01-socket.bats, line 20)"
echo "#   \`flunk_check' failed"
echo "#   check:    MESSAGE-A first failure"
echo "#   hint:     HINT-A"
echo "not ok 3 ${names[2]}"
echo "# (in test file tests/01-socket.bats, line 30)"
echo "#   \`[ \"\$status\" -eq 0 ]' failed"
echo "#   MESSAGE-B second failure, without a check: line"
for ((i = 3; i < ${#names[@]}; i++)); do
    echo "not ok $((i + 1)) ${names[i]}"
    echo "#   check:    MESSAGE-C$i"
done
EOF
    chmod +x "$FAKE"
}

setup() {
    watchdog_keep
    # Lesson 01's check names, as the fake prints them (it needs four).
    mapfile -t NAMES < <(sed -nE 's/^@test +"(.*)" *\{ *$/\1/p' "$ROOT/tests/01-socket.bats")
    [ "${#NAMES[@]}" -ge 4 ]
}

# report [ARGS...]: scripts/check on lesson 01's solution with the fake bats; each line of its
# output is stored with the seconds since the start in OUT/timed.txt, and the gate is opened
# when the first bats verdict arrives. Sets output (the report) and TAP (results.tap).
report() {
    local start=${EPOCHREALTIME/,/.} line first
    export GATE=$BATS_TEST_TMPDIR/gate
    OUT=$BATS_TEST_TMPDIR/out
    first=$(sed -nE 's/^@test +"(.*)" *\{ *$/\1/p' "$ROOT/tests/01-socket.bats" | head -n 1)
    rm -f "$GATE" "$GATE.timeout"
    while IFS= read -r line; do
        printf '%s %s\n' "$(awk -v a="$start" -v b="${EPOCHREALTIME/,/.}" 'BEGIN { printf "%.2f", b - a }')" \
            "$line" >>"$BATS_TEST_TMPDIR/timed.txt"
        [ "$line" = "  PASS  $first" ] && touch "$GATE"
    done < <(cd "$ROOT" && SOCKCHAT_BATS=$FAKE "$ROOT/scripts/check" --src "$ROOT/solutions/01-socket" \
        --out "$OUT" "$@" 01 2>&1 </dev/null 3>&-)
    output=$(cut -d ' ' -f 2- "$BATS_TEST_TMPDIR/timed.txt")
    TAP=$OUT/results.tap
}

@test "the heading and each verdict are printed as the checks end, not after the run" {
    report
    [ ! -e "$GATE.timeout" ] || { echo "no verdict was on screen before the run ended:"; echo "$output"; false; }
    head -n 1 <<<"$output" | grep -q '^Lesson 01: checking solutions/01-socket$'
    # The build line streams too: it comes before the first bats verdict's line.
    grep -n -m 1 '^  PASS  builds' <<<"$output" | grep -q '^3:'
}

@test "the first failure is shown in full, the others by name, with the VERBOSE=1 command" {
    report
    grep -q -F "✗ ${NAMES[1]}" <<<"$output"
    grep -q 'MESSAGE-A first failure' <<<"$output"
    grep -q 'HINT-A' <<<"$output"
    ! grep -q 'MESSAGE-B\|MESSAGE-C' <<<"$output"
    grep -q '^Fix this first$' <<<"$output"
    grep -q '^Also failing' <<<"$output"
    grep -q -F "  ✗ ${NAMES[2]}" <<<"$output"
    grep -q -F "  ✗ ${NAMES[3]}" <<<"$output"
    grep -q -x 'make solution-01 VERBOSE=1 shows every message.' <<<"$output"
    grep -q -x "Lesson 01: 2/$((${#NAMES[@]} + 1)) checks pass" <<<"$output"
    # Not a terminal: no colours.
    ! grep -q $'\e\[' <<<"$output"
}

@test "VERBOSE=1 and --verbose show every failure's message" {
    VERBOSE=1 report
    grep -q 'MESSAGE-A first failure' <<<"$output"
    grep -q 'MESSAGE-B second failure' <<<"$output"
    grep -q 'MESSAGE-C3' <<<"$output"
    ! grep -q '^Also failing' <<<"$output"
    ! grep -q 'VERBOSE=1 shows' <<<"$output"
    rm -f "$BATS_TEST_TMPDIR/timed.txt"
    report --verbose
    grep -q 'MESSAGE-B second failure' <<<"$output"
}

@test "results.tap keeps its format: 1..N, renumbered checks, '# ' message lines, bats' own lines gone" {
    report
    {
        echo "1..$((${#NAMES[@]} + 1))"
        echo "ok 1 builds (server)"
        echo "ok 2 ${NAMES[0]}"
        echo "not ok 3 ${NAMES[1]}"
        echo "# check:    MESSAGE-A first failure"
        echo "# hint:     HINT-A"
        echo "not ok 4 ${NAMES[2]}"
        echo "# the test stopped at: \`[ \"\$status\" -eq 0 ]' failed"
        echo "# MESSAGE-B second failure, without a check: line"
        for ((i = 3; i < ${#NAMES[@]}; i++)); do
            echo "not ok $((i + 2)) ${NAMES[i]}"
            echo "# check:    MESSAGE-C$i"
        done
    } >"$BATS_TEST_TMPDIR/expected.tap"
    diff -u "$BATS_TEST_TMPDIR/expected.tap" "$TAP"
    # The same results when nothing is printed (the grader's and the self-test's way).
    cp "$TAP" "$BATS_TEST_TMPDIR/full.tap"
    (cd "$ROOT" && SOCKCHAT_BATS=$FAKE GATE=$GATE "$ROOT/scripts/check" --no-report \
        --src "$ROOT/solutions/01-socket" --out "$OUT" 01 </dev/null 3>&-) || true
    diff -u "$BATS_TEST_TMPDIR/full.tap" "$TAP"
}
