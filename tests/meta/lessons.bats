#!/usr/bin/env bats
# scripts/check-lessons, the proof that a lesson only adds (CONTRIBUTING.md), is itself tested:
# it passes on the committed lessons, and on a copy of them with one drift put in it fails,
# naming the rule, the file and the offending lines. Run by `make test`
# (scripts/check-meta lessons).

setup() {
    ROOT=${SOCKCHAT_ROOT:?scripts/check-meta sets SOCKCHAT_ROOT}
    COPY=$BATS_TEST_TMPDIR/course
    mkdir -p "$COPY"
    cp -r "$ROOT/lessons" "$ROOT/solutions" "$COPY/"
}

# edit FILE OLD NEW: replace the one line OLD of FILE (inside the copy) with NEW ("" drops it).
edit() {
    python3 - "$COPY/$1" "$2" "$3" <<'EOF'
import sys
path, old, new = sys.argv[1:]
lines = open(path).read().split("\n")
assert lines.count(old) == 1, f"{old!r} is not one line of {path}"
i = lines.index(old)
lines[i:i + 1] = [new] if new else []
open(path, "w").write("\n".join(lines))
EOF
}

@test "check-lessons passes on the committed lessons, one line per lesson" {
    run "$ROOT/scripts/check-lessons" --root "$COPY"
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    local lessons=("$ROOT"/lessons/[0-9][0-9]-*/)
    [ "$(grep -c '^PASS' <<<"$output")" -eq "${#lessons[@]}" ]
}

@test "a starter file without a TODO that loses a line of the previous solution fails rule (a)" {
    # net.h has no TODO in lesson 06: it must be solution 05's, byte for byte or with additions.
    edit lessons/06-clean-close/net.h '#define MSG_MAX 1024' ''
    run "$ROOT/scripts/check-lessons" --root "$COPY" 06
    [ "$status" -eq 1 ]
    grep -q '^FAIL lessons 05->06' <<<"$output"
    grep -q '(a) a starter file without a TODO' <<<"$output"
    grep -q -- '--- solutions/05-chat-loop/net.h' <<<"$output"
    grep -q -- '- #define MSG_MAX 1024' <<<"$output"
}

@test "a starter that rewords earlier code its README does not declare fails rule (b)" {
    # lesson 06 declares serve(), chat(), next_reply(); main() is not declared.
    edit lessons/06-clean-close/server.c '        fprintf(stderr, "usage: server [port]\n");' \
        '        fprintf(stderr, "usage: server PORT\n");'
    run "$ROOT/scripts/check-lessons" --root "$COPY" 06
    [ "$status" -eq 1 ]
    grep -q '(b) a starter file with TODOs only adds' <<<"$output"
    grep -q 'in main:' <<<"$output"
    grep -q -- '+         fprintf(stderr, "usage: server PORT\\n");' <<<"$output"
}

@test "the same change passes once the README declares it" {
    edit lessons/06-clean-close/server.c '        fprintf(stderr, "usage: server [port]\n");' \
        '        fprintf(stderr, "usage: server PORT\n");'
    edit solutions/06-clean-close/server.c '        fprintf(stderr, "usage: server [port]\n");' \
        '        fprintf(stderr, "usage: server PORT\n");'
    # shellcheck disable=SC2016 # the backticks are Markdown
    printf '\n**Changed from lesson 05:** `server.c:main()` says its usage differently.\n' \
        >>"$COPY/lessons/06-clean-close/README.md"
    run "$ROOT/scripts/check-lessons" --root "$COPY" 06
    [ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "lesson 05 taking lesson 03's serve() away to teach it again (the old design slip) fails" {
    # The starter loses serve(), although its README declares a change to it: declared or not,
    # a function a lesson taught stays.
    python3 - "$COPY/lessons/05-chat-loop/server.c" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
start = text.index("/* serve:")
end = text.index("\n}\n", start) + 3
open(path, "w").write(text[:start] + text[end:])
EOF
    run "$ROOT/scripts/check-lessons" --root "$COPY" 05
    [ "$status" -eq 1 ]
    grep -q 'a declared change keeps the function it changes: serve() of solution 04-connect/server.c is gone' <<<"$output"
}

@test "a solution that changes the starter outside its TODOs fails rule (c)" {
    edit solutions/05-chat-loop/client.c '    /* Flush stdout at every newline, even into a pipe or a file. */' \
        '    /* Line-buffer stdout. */'
    run "$ROOT/scripts/check-lessons" --root "$COPY" 05
    [ "$status" -eq 1 ]
    grep -q '(c) the solution differs from the starter only where the TODOs are' <<<"$output"
    grep -q -- '+     /\* Line-buffer stdout. \*/' <<<"$output"
}

@test "a lesson that drops a file of the previous solution fails" {
    rm "$COPY/lessons/06-clean-close/net.h" "$COPY/solutions/06-clean-close/net.h"
    run "$ROOT/scripts/check-lessons" --root "$COPY" 06
    [ "$status" -eq 1 ]
    grep -q 'net.h is missing: solution 05-chat-loop has it' <<<"$output"
}
