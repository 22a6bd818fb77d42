#!/usr/bin/env bats
# scripts/check-rules, the proof that every rule a lesson README marks is a check, is itself
# tested on a copy of lesson 01: it passes as committed, and fails, saying why, on a rule with
# no check, a check that names no rule, and a check that names a rule the README lacks. Run by
# `make test` (scripts/check-meta rules).

setup() {
    ROOT=${SOCKCHAT_ROOT:?scripts/check-meta sets SOCKCHAT_ROOT}
    COPY=$BATS_TEST_TMPDIR/course
    mkdir -p "$COPY/lessons" "$COPY/tests/unit"
    cp -r "$ROOT/lessons/01-socket" "$COPY/lessons/"
    cp "$ROOT/tests/01-socket.bats" "$COPY/tests/"
}

rules() {
    run "$ROOT/scripts/check-rules" --root "$COPY" 01
}

@test "check-rules passes on lesson 01 as committed" {
    rules
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    grep -q '^PASS lesson 01-socket' <<<"$output"
}

@test "a README rule that no check names fails, naming the rule" {
    sed -i 's/^# rules: close$/# rules: call/' "$COPY/tests/01-socket.bats"
    rules
    [ "$status" -eq 1 ] || { echo "$output"; false; }
    grep -q "rule 'close' of lessons/01-socket/README.md has no check" <<<"$output"
}

@test "a rule marked 'not checked: REASON' needs no check" {
    sed -i 's/^# rules: close$/# rules: call/' "$COPY/tests/01-socket.bats"
    sed -i 's/<!-- rule: close -->/<!-- rule: close not checked: for the demo -->/' "$COPY/lessons/01-socket/README.md"
    rules
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    grep -q 'marked not checked (1)' <<<"$output"
}

@test "a check that names no rule fails: it tests what the README never says" {
    sed -i '/^# rules: close$/d' "$COPY/tests/01-socket.bats"
    rules
    [ "$status" -eq 1 ] || { echo "$output"; false; }
    grep -q 'the check "closes the socket before it exits" names no rule' <<<"$output"
}

@test "a check that names a rule the README does not mark fails" {
    sed -i 's/^# rules: close$/# rules: close closes-twice/' "$COPY/tests/01-socket.bats"
    rules
    [ "$status" -eq 1 ] || { echo "$output"; false; }
    grep -q "names rule 'closes-twice', which lessons/01-socket/README.md does not mark" <<<"$output"
}
