#!/usr/bin/env bats
# The instructors' grader (make grade, make grade-all: scripts/grade, grade-all, grade-report)
# on classes made on the fly from the reference solutions (tests/meta/fixtures/grader/
# students.bash): a correct student, students with the course's kept bugs, and hostile programs
# that hang, spin, flood, fork away, never listen or take a port. Each grade must be right, say
# what happened, finish in bounded time and leave no process behind; the reports must parse.
#
# The sandbox (scripts/grade-sandbox): hostile programs, each graded beside an honest twin, must
# score what the twin scores and change nothing of anyone else's: one that rewrites the course's
# tests (graded in a fresh clone, which must stay clean), one that writes the harness's results,
# one that reads and overwrites a classmate's work in grade-all, a fork bomb, an ever-growing
# file, a memory hog, one that signals every process it sees. Without a sandbox
# (SOCKCHAT_SANDBOX=off, or a bwrap that fails) every report must say so, STRICT=1 must refuse,
# and the integrity check must mark a grade taken with changed tests INVALID.
#
# All the grading happens in setup_file, two grades at a time (the machine has other work: the
# rest of `make test`), and the tests then read the reports. The lesson 02 cases are skipped
# when this checkout has no tests/02-bind-listen.bats.

load ../helpers/watchdog
load fixtures/grader/students

setup() {
    watchdog_keep
}

teardown() {
    watchdog_end
}

# graded OUT TARGET VAR=VALUE...: run `make TARGET OUT=OUT VAR=VALUE...` in the checkout, as an
# instructor would: without the variables of this bats run (BATS_TEST_TIMEOUT would reach the
# lesson tests). Its output goes to OUT.log and its duration, in seconds, to OUT.seconds.
graded() {
    local out=$1 target=$2 start=$SECONDS
    shift 2
    local unset=()
    for var in $(compgen -e | grep -E '^BATS_' || true); do
        unset+=(-u "$var")
    done
    local status=0
    env "${unset[@]}" make -s -C "${GRADE_ROOT:-$ROOT}" "$target" OUT="$out" "$@" >"$out.log" 2>&1 </dev/null 3>&- ||
        status=$?
    echo "$status" >"$out.status"
    echo $((SECONDS - start)) >"$out.seconds"
}

has_lesson_02() {
    [ -f "$ROOT/tests/02-bind-listen.bats" ] && [ -d "$ROOT/solutions/02-bind-listen" ]
}

setup_file() {
    export ROOT=${SOCKCHAT_ROOT:?}
    export T=$BATS_FILE_TMPDIR
    export MARKS=$T/marks
    mkdir -p "$MARKS/forks" "$MARKS/course"

    # A class of five for lesson 01: one correct, four with different bugs: one of the course's
    # kept mutants (handed in with the student's own tests and Makefile), a program that does
    # not compile, one that exits at once, one that floods its output.
    local five=$T/five student
    for student in correct udp-socket does-not-compile exits-at-once floods-output; do
        new_student "$five/$student" 01
    done
    apply_mutant "$(lesson_of "$five/udp-socket" 01)" "$ROOT/tests/mutants/01-socket/udp-socket.patch"
    edits_course "$five/udp-socket" "$MARKS/course"
    does_not_compile "$(lesson_of "$five/does-not-compile" 01)"
    exits_at_once "$(lesson_of "$five/exits-at-once" 01)"
    floods_output "$(lesson_of "$five/floods-output" 01)"

    # A program whose children leave its session.
    new_student "$T/forks-away" 01
    forks_away "$(lesson_of "$T/forks-away" 01)" "$MARKS/forks"

    # Hostile servers for lesson 02.
    if has_lesson_02; then
        "$ROOT/build/helpers/peer" listen >"$T/taken.port" 2>/dev/null 3>&- &
        echo $! >"$T/taken.pid"
        for _ in $(seq 100); do [ -s "$T/taken.port" ] && break; sleep 0.05; done
        local hostile=$T/hostile-02
        for student in never-listens ignores-sigterm busy-loop fixed-port; do
            new_student "$hostile/$student" 02
        done
        never_listens "$(lesson_of "$hostile/never-listens" 02)"
        ignores_sigterm "$(lesson_of "$hostile/ignores-sigterm" 02)"
        busy_loop "$(lesson_of "$hostile/busy-loop" 02)"
        fixed_port "$(lesson_of "$hostile/fixed-port" 02)" "$(cat "$T/taken.port")"
    fi

    # Where a submission keeps its lessons: each server.c stops the build with its own name.
    local layouts=$T/layouts
    mkdir -p "$layouts/repo/lessons/01-socket" "$layouts/lessons-tree/01-socket" \
        "$layouts/unpacked/sockchat-main/lessons/01-socket" "$layouts/renamed/lessons/01-my-socket" \
        "$layouts/symlink/lessons/01-socket" "$T/bare"
    echo '#error graded-repo' >"$layouts/repo/lessons/01-socket/server.c"
    echo '#error graded-lessons-tree' >"$layouts/lessons-tree/01-socket/server.c"
    echo '#error graded-unpacked' >"$layouts/unpacked/sockchat-main/lessons/01-socket/server.c"
    echo '#error graded-renamed' >"$layouts/renamed/lessons/01-my-socket/server.c"
    ln -s "$ROOT/solutions/01-socket/server.c" "$layouts/symlink/lessons/01-socket/server.c"
    echo '#error graded-bare' >"$T/bare/server.c"
    mkdir -p "$T/autograder-results"
    echo "Gradescope's own file" >"$T/autograder-results/stdout"

    # A lesson that hangs, with a short time limit.
    new_student "$T/hangs" 01
    inject_main "$(lesson_of "$T/hangs" 01)/server.c" 'signal(SIGTERM, SIG_IGN); for (;;) pause();'

    # The hostile class of lesson 01, each beside its honest twin (correct, starter), graded two
    # at once: a-reads-classmate and a-victim come first, so they are graded together.
    local jail=$T/jail
    for student in correct a-reads-classmate a-victim forks grows hogs signals uses-reference \
        includes-reference; do
        new_student "$jail/$student" 01
    done
    hostile_c "$(lesson_of "$jail/uses-reference" 01)" uses-reference "$ROOT"
    # Its server.c is the reference solution's, by #include: it must not compile.
    printf '#include "%s/solutions/01-socket/server.c"\n' "$ROOT" >"$(lesson_of "$jail/includes-reference" 01)/server.c"
    mkdir -p "$jail/starter/lessons" "$jail/writes-results/lessons"
    cp -r "$ROOT/lessons/01-socket" "$jail/starter/lessons/"
    cp -r "$ROOT/lessons/01-socket" "$jail/writes-results/lessons/"
    echo '/* classmate-secret-7f3a */' >>"$(lesson_of "$jail/a-victim" 01)/server.c"
    hostile_c "$(lesson_of "$jail/a-reads-classmate" 01)" reads-classmate "$jail"
    for student in forks grows hogs writes-results; do
        hostile_c "$(lesson_of "$jail/$student" 01)" "$student"
    done
    hostile_c "$(lesson_of "$jail/signals" 01)" signals "$(readlink /proc/self/ns/pid)"

    # The forger of the issue, in a fresh clone: its lesson 01 rewrites the clone's lesson
    # tests of lessons 02-06; its lesson 02 is the untouched starter, which the forged tests
    # would pass. Its twin hands in the same without the forgery. (Lessons 03-06 would show the
    # same as 02, at five times the cost.) A second clone grades it without the sandbox.
    local clone=$T/clone unsafe=$T/clone-unsafe
    fresh_clone "$ROOT" "$clone"
    fresh_clone "$ROOT" "$unsafe"
    for student in forger twin; do
        new_student "$T/forgers/$student" 01
        cp -r "$ROOT"/lessons/02-*/ "$T/forgers/$student/lessons/"
    done
    hostile_c "$(lesson_of "$T/forgers/forger" 01)" forges-tests "$clone"
    new_student "$T/unsafe-forger" 01 02
    hostile_c "$(lesson_of "$T/unsafe-forger" 01)" forges-tests "$unsafe"
    # A bwrap that cannot make a sandbox, as on a host without user namespaces.
    mkdir -p "$T/nobwrap"
    printf '#!/bin/sh
echo "bwrap: No permissions to create new namespace" >&2
exit 1
' >"$T/nobwrap/bwrap"
    chmod +x "$T/nobwrap/bwrap"

    local start=$SECONDS grades=()
    # The same class, graded twice at once; beside them the program that forks away (it
    # mostly waits) and the cheap grades (nothing to run).
    graded "$T/five-1" grade-all SUBMISSIONS="$five" LESSONS=01 &
    grades+=($!)
    graded "$T/five-2" grade-all SUBMISSIONS="$five" LESSONS=01 &
    grades+=($!)
    graded "$T/forks-out" grade SUBMISSION="$T/forks-away" LESSONS=01 &
    grades+=($!)
    {
        graded "$T/layouts-out" grade-all SUBMISSIONS="$layouts" LESSONS="01 03"
        graded "$T/autograder-results" grade SUBMISSION="$T/bare" LESSONS=01
    } &
    grades+=($!)
    wait "${grades[@]}"
    # Then the hostile servers of lesson 02, and the lesson that outruns its limit.
    grades=()
    if has_lesson_02; then
        graded "$T/hostile-02-out" grade-all SUBMISSIONS="$T/hostile-02" LESSONS=02 JOBS=3 &
        grades+=($!)
    fi
    LESSON_SECS=8 graded "$T/hangs-out" grade SUBMISSION="$T/hangs" LESSONS=01 &
    grades+=($!)
    wait "${grades[@]}"
    # Then the sandbox's: the hostile class, the forger in its clone, the grades without one.
    grades=()
    # 400 MB: the memory hog reaches the limit in a fraction of the time it takes at the
    # default 1536 MB, on a machine busy with the rest of `make test`.
    SANDBOX_MEMORY_MB=400 graded "$T/jail-out" grade-all SUBMISSIONS="$jail" LESSONS=01 JOBS=2 &
    grades+=($!)
    GRADE_ROOT=$clone graded "$T/forgers-out" grade-all SUBMISSIONS="$T/forgers" LESSONS="01 02" JOBS=2 &
    grades+=($!)
    {
        SOCKCHAT_SANDBOX=off GRADE_ROOT=$unsafe graded "$T/unsafe-out" grade \
            SUBMISSION="$T/unsafe-forger" LESSONS="01 02"
        SOCKCHAT_SANDBOX=off graded "$T/strict-out" grade SUBMISSION="$jail/correct" LESSONS=01 STRICT=1
        PATH=$T/nobwrap:$PATH graded "$T/nobwrap-out" grade SUBMISSION="$jail/correct" LESSONS=01
    } &
    grades+=($!)
    wait "${grades[@]}"
    echo $((SECONDS - start)) >"$T/all.seconds"
    pgrep -a -f "$T/" >"$T/leftovers" || true
}

teardown_file() {
    [ -f "$T/taken.pid" ] && kill "$(cat "$T/taken.pid")" 2>/dev/null
    pkill -KILL -f "$T/" 2>/dev/null || true
}

# ---- reading the reports -------------------------------------------------------------------

# Debian's python3 starts in a tenth of the time of a pyenv shim.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

# json FILE EXPR: the Python expression EXPR, with r the JSON in FILE (a list: one item a line).
json() {
    "$PYTHON" -c '
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
value = eval(sys.argv[2], {"r": r})
print("\n".join(map(str, value)) if isinstance(value, list) else value)' "$1" "$2"
}

# failed RESULTS LESSON: the names of LESSON's failed checks in a results.json, one a line.
failed() {
    json "$1" "[t['name'].split(': ', 1)[1] for t in r['tests'] if t['status'] == 'failed' and t['name'].startswith('$2-')]"
}

# output_of RESULTS CHECK: the message of the first check whose name contains CHECK.
output_of() {
    json "$1" "next(t['output'] for t in r['tests'] if '''$2''' in t['name'])"
}

# lesson_points RESULTS NN: "score/max" of lesson NN.
lesson_points() {
    json "$1" "next('%s/%s' % (l['score'], l['max_score']) for l in r['extra_data']['lessons'] if l['lesson'].startswith('$2'))"
}

# expect WHAT COMMAND...: run COMMAND; when it fails, say WHAT and show REPORT (a report.md).
expect() {
    local what=$1
    shift
    if ! "$@"; then
        echo "expected: $what"
        [ -n "${REPORT:-}" ] && [ -f "$REPORT" ] && sed -n '1,80p' "$REPORT"
        return 1
    fi
}

contains() { grep -q -F -- "$2" <<<"$1"; }

# ---- a class of five, graded twice at once -------------------------------------------------

@test "a class of five, graded twice at once: the same, right table from both" {
    local run
    for run in five-1 five-2; do
        expect "make grade-all succeeds ($run)" [ "$(cat "$T/$run.status")" = 0 ]
        expect "5 students and a header in class.csv ($run)" [ "$(wc -l <"$T/$run/class.csv")" = 6 ]
    done
    # The two runs give the same points (the messages may differ: process ids, times).
    expect "the two runs give the same points" \
        diff <(cut -d, -f1-6 "$T/five-1/class.csv") <(cut -d, -f1-6 "$T/five-2/class.csv")
    local csv=$T/five-1/class.csv total caught failed
    total=$(json "$T/five-1/correct/results.json" "r['extra_data']['max_score_text']")
    expect "the header names the columns" \
        [ "$(head -n 1 "$csv")" = "student,score,max_score,passed,total,01-socket,seconds,first_failure" ]
    expect "the correct student has every point" grep -q -E "^correct,$total,$total,$total,$total,$total,[0-9]+,$" "$csv"
    expect "the student whose program does not compile has 0" \
        grep -q -E "^does-not-compile,0,$total,0,$total,0,.*error" "$csv"
    expect "the program that exits at once keeps only the build" \
        grep -q -E "^exits-at-once,1,$total,1,$total,1,.*exited with status 1" "$csv"
    expect "the program that floods its output keeps only the build" \
        grep -q -E "^floods-output,1,$total,1,$total,1,.*KB of output" "$csv"
    # The kept bug loses the check that catches it (its Caught-by), and a point a failure.
    caught=$(sed -n 's/^Caught-by: *//p' "$ROOT/tests/mutants/01-socket/udp-socket.patch")
    failed=$(failed "$T/five-1/udp-socket/results.json" 01)
    expect "the UDP bug fails '$caught' (failed: $failed)" grep -q -x -F -- "$caught" <<<"$failed"
    expect "the UDP bug loses a point a failure" \
        grep -q -E "^udp-socket,$((total - $(wc -l <<<"$failed"))),$total," "$csv"
    echo "the two runs took $(cat "$T/five-1.seconds") s and $(cat "$T/five-2.seconds") s"
}

@test "a class of five: every report.xml is JUnit that parses, every results.json Gradescope's format" {
    local dir
    for dir in "$T"/five-1/*/; do
        "$PYTHON" - "$dir" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
r = json.load(open(d + "results.json", encoding="utf-8"))
assert isinstance(r["score"], (int, float)), "score"
assert r["tests"], "no tests"
for t in r["tests"]:
    assert set(t) >= {"name", "score", "max_score", "output", "status"}, t
    assert t["status"] in ("passed", "failed"), t
    assert 0 <= t["score"] <= t["max_score"], t
assert abs(sum(t["score"] for t in r["tests"]) - r["score"]) < 1e-6, "score is not the sum"
root = ET.parse(d + "report.xml").getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert [s.get("name") for s in suites] == ["01-socket"], suites
cases = suites[0].findall("testcase")
assert len(cases) == len(r["tests"]), (len(cases), len(r["tests"]))
failures = [c for c in cases if c.find("failure") is not None]
assert int(suites[0].get("failures")) == len(failures)
assert len(failures) == sum(t["status"] == "failed" for t in r["tests"])
for c in failures:
    assert c.find("failure").text and c.find("failure").get("message"), "failure without a message"
tap = open(d + "report.tap", encoding="utf-8").read().splitlines()
assert tap[0] == "1..%d" % len(r["tests"]), tap[0]
assert sum(l.startswith("not ok ") for l in tap) == len(failures)
EOF
    done
}

@test "a lesson that does not compile scores 0, with the compiler's first errors in the report" {
    local results=$T/five-1/does-not-compile/results.json
    REPORT=$T/five-1/does-not-compile/report.md
    expect "0 points" [ "$(json "$results" "r['score']")" = 0.0 ]
    expect "the compiler's error in the build check" contains "$(output_of "$results" "builds")" "error:"
    expect "the file and line" contains "$(output_of "$results" "builds")" "server.c:"
    expect "the error in the report's table" grep -q -E '^\| 01-socket \| 0 \|.*error' "$REPORT"
}

@test "a submission's own Makefile, tests, helpers, scripts and points have no effect" {
    local results=$T/five-1/udp-socket/results.json
    REPORT=$T/five-1/udp-socket/report.md
    expect "none of the student's files ran" [ -z "$(ls "$MARKS/course")" ]
    expect "the course's points, not the student's 1000 a check" \
        [ "$(json "$results" "r['extra_data']['max_score']")" = "$(json "$T/five-1/correct/results.json" "r['extra_data']['max_score']")" ]
    expect "the bug is caught by the course's test, with its message" \
        contains "$(output_of "$results" "asks for an IPv4 TCP socket")" "SOCK_STREAM"
    expect "every check of the course's lesson 01 was run" \
        [ "$(json "$results" "len(r['tests'])")" = "$(json "$T/five-1/correct/results.json" "len(r['tests'])")" ]
}

@test "a program that prints megabytes is stopped at the output limit, and the report says so" {
    local results=$T/five-1/floods-output/results.json
    REPORT=$T/five-1/floods-output/report.md
    expect "only the build passes" [ "$(json "$results" "r['score']")" = 1.0 ]
    expect "SIGXFSZ in the message" contains "$(output_of "$results" "prints the descriptor of a new socket")" \
        "more than 10240 KB of output (SIGXFSZ)"
    expect "the reports stay small" [ "$(stat -c %s "$results")" -lt 200000 ]
}

@test "children that setsid() away are ended, and the checks they disturb say so" {
    local results=$T/forks-out/results.json
    REPORT=$T/forks-out/report.md
    local marks=("$MARKS"/forks/*) mark
    # In the sandbox the children cannot leave their marks (this folder is hidden from them),
    # and they die with its PID namespace; "no process is left" below checks that they did.
    if ! grep -q '^Sandbox: ' "$REPORT"; then
        expect "the children did run" [ ${#marks[@]} -ge 2 ]
        for mark in "${marks[@]}"; do
            expect "child $(basename "$mark") is gone" [ ! -d "/proc/$(basename "$mark")" ]
        done
    fi
    # The program's own output is right; a check that waits for every process of the program
    # to end (strace -f does) fails, and says the program was still running.
    expect "its output is right" contains "$(json "$results" "[t['status'] for t in r['tests']][1]")" passed
    expect "a failure says 'still running'" \
        [ -z "$(json "$results" "[t['name'] for t in r['tests'] if t['status'] == 'failed' and 'still running' not in t['output']]")" ]
}

@test "no process of any submission is left once the grades are done" {
    expect "nothing left running" [ ! -s "$T/leftovers" ]
    cat "$T/leftovers"
}

# ---- hostile servers -----------------------------------------------------------------------

# hostile STUDENT: read STUDENT's reports from the hostile class of lesson 02.
hostile() {
    has_lesson_02 || skip "this checkout has no lesson 02 tests"
    RESULTS=$T/hostile-02-out/$1/results.json
    REPORT=$T/hostile-02-out/$1/report.md
    expect "a report for $1" [ -f "$RESULTS" ]
}

# lesson_02_lost: true when lesson 02 has fewer points than it is worth.
lesson_02_lost() {
    local two
    two=$(lesson_points "$RESULTS" 02)
    [ "${two%/*}" != "${two#*/}" ]
}

@test "a correct student graded beside hostile ones has every point" {
    local run
    for run in five-1 five-2; do
        REPORT=$T/$run/correct/report.md
        expect "full marks ($run)" \
            [ "$(json "$T/$run/correct/results.json" "r['score'] == r['extra_data']['max_score']")" = True ]
    done
}

@test "a server that never listens loses its checks, and the message says it printed nothing in time" {
    hostile never-listens
    expect "points lost" lesson_02_lost
    local message
    message=$(output_of "$RESULTS" "02-bind-listen: server 0 prints the port")
    expect "the wait in the message" contains "$message" "within 5 s"
    expect "its state in the message" contains "$message" "still running"
    expect "its unit tests still pass" [ -z "$(failed "$RESULTS" 02 | grep '^unit: ' || true)" ]
}

@test "a program that exits at once: the message gives its status and its stderr" {
    local message
    REPORT=$T/five-1/exits-at-once/report.md
    message=$(output_of "$T/five-1/exits-at-once/results.json" "01-socket: prints the descriptor of a new socket")
    expect "its status" contains "$message" "exited with status 1"
    expect "its stderr" contains "$message" "server: cannot start, giving up"
}

@test "a server that hangs in accept and ignores SIGTERM loses only the SIGTERM check, and is killed" {
    hostile ignores-sigterm
    local lost
    lost=$(failed "$RESULTS" 02)
    expect "only the SIGTERM check fails (failed: $lost)" [ -n "$lost" ]
    expect "only the SIGTERM check fails (failed: $lost)" [ -z "$(grep -v SIGTERM <<<"$lost" || true)" ]
    expect "still running, in the message" contains "$(output_of "$RESULTS" "SIGTERM")" "still running"
}

@test "a server in a busy loop loses only the check that it sleeps" {
    hostile busy-loop
    local lost
    lost=$(failed "$RESULTS" 02)
    expect "a check fails" [ -n "$lost" ]
    expect "only the CPU check fails (failed: $lost)" [ -z "$(grep -v -i -E 'CPU|asleep' <<<"$lost" || true)" ]
}

# In the sandbox the port another program holds outside is free (a network namespace of its
# own): the server gets it, and loses the checks that give it another port. Without a sandbox
# its bind() fails.
@test "a server that binds a fixed port another program holds: free in the sandbox, 'Address already in use' without" {
    hostile fixed-port
    expect "points lost" lesson_02_lost
    if grep -q '^Sandbox: ' "$REPORT"; then
        expect "not disturbed by the program outside: server 0 listens" \
            [ -z "$(failed "$RESULTS" 02 | grep -F 'server 0 prints the port' || true)" ]
        expect "the port it took, in the message" \
            contains "$(output_of "$RESULTS" "02-bind-listen: server PORT listens")" "listening on 127.0.0.1:$(cat "$T/taken.port")"
    else
        expect "the reason in the message" \
            contains "$(output_of "$RESULTS" "02-bind-listen: server 0 prints the port")" "Address already in use"
    fi
}

@test "every hostile grade finished within its time limit" {
    local manifest
    if has_lesson_02; then
        expect "make grade-all succeeds" [ "$(cat "$T/hostile-02-out.status")" = 0 ]
        expect "4 students" [ "$(wc -l <"$T/hostile-02-out/class.csv")" = 5 ]
    fi
    for manifest in "$T"/five-?/*/lessons/manifest.tsv "$T"/forks-out/lessons/manifest.tsv \
        "$T"/hostile-02-out/*/lessons/manifest.tsv; do
        expect "no lesson was stopped: $manifest" [ -z "$(grep -P '\ttimeout\t' "$manifest" || true)" ]
        expect "each within its limit: $manifest" awk -F '\t' 'NR > 1 && $3 > $5 { exit 1 }' "$manifest"
    done
    echo "the class of five took $(cat "$T/five-1.seconds") s; lesson 02's hostile servers" \
        "$(cat "$T/hostile-02-out.seconds" 2>/dev/null || echo -) s; all the grading $(cat "$T/all.seconds") s"
}

# ---- time limits, layouts, Gradescope --------------------------------------------------------

@test "a lesson that outruns LESSON_SECS is stopped; its checks score 0 as not run" {
    local results=$T/hangs-out/results.json
    REPORT=$T/hangs-out/report.md
    expect "the grade ends soon after the limit ($(cat "$T/hangs-out.seconds") s)" [ "$(cat "$T/hangs-out.seconds")" -lt 40 ]
    expect "a report" [ -f "$results" ]
    expect "every check is listed" \
        [ "$(json "$results" "len(r['tests'])")" = "$(json "$T/five-1/correct/results.json" "len(r['tests'])")" ]
    expect "the lesson is marked as stopped" grep -q -P '^01-socket\ttimeout\t' "$T/hangs-out/lessons/manifest.tsv"
    expect "the reason, in the report" grep -q 'took longer than 8 s' "$REPORT"
}

@test "lessons are found in a repository, a lessons/ tree, an unpacked archive, a renamed folder" {
    local student
    for student in repo lessons-tree unpacked renamed; do
        REPORT=$T/layouts-out/$student/report.md
        expect "$student's own server.c was built" \
            contains "$(output_of "$T/layouts-out/$student/results.json" "01-socket: builds")" "graded-$student"
    done
}

@test "a missing lesson scores 0 and the others are still graded" {
    local results=$T/layouts-out/repo/results.json
    REPORT=$T/layouts-out/repo/report.md
    expect "lesson 03 is in the report" contains "$(lesson_points "$results" 03)" "0.0/"
    expect "it says the folder is missing" contains "$(output_of "$results" "03-accept: builds")" "There is no folder"
}

@test "a symbolic link is not graded (it could point at the reference solution)" {
    local results=$T/layouts-out/symlink/results.json
    REPORT=$T/layouts-out/symlink/report.md
    expect "no point for the link" [ "$(json "$results" "r['score']")" = 0.0 ]
    expect "the report says why" grep -q 'server.c was not graded: it is a symbolic link' "$REPORT"
}

@test "Gradescope: bare sources, results.json in OUT, Gradescope's own files left alone" {
    local out=$T/autograder-results
    expect "make grade succeeds" [ "$(cat "$out.status")" = 0 ]
    expect "results.json in OUT" [ -f "$out/results.json" ]
    expect "stdout kept" grep -q "Gradescope's own file" "$out/stdout"
    expect "the bare server.c was built" contains "$(output_of "$out/results.json" "builds")" "graded-bare"
}

# ---- the report writer on its own -----------------------------------------------------------

# fake_grade DIR: an OUT folder as scripts/grade leaves it, with one lesson whose messages hold
# everything a report must escape.
fake_grade() {
    local dir=$1
    mkdir -p "$dir/lessons/07-framing"
    printf 'lesson\tstatus\tseconds\tsource\tlimit\n07-framing\tgraded\t3\tlessons/07-framing\t100\n' \
        >"$dir/lessons/manifest.tsv"
    {
        printf '1..4\n'
        printf 'ok 1 builds (server client)\n'
        printf 'not ok 2 unit: read_line keeps "quotes" & <tags> | pipes\n'
        printf '# check:    a line with \033[31mred\033[0m text, a bell\a and \001 control\n'
        printf '# seen:     "</failure>]]>" & caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac, a bad byte \xff\n'
        printf '# hint:     `backticks` and | pipes\n'
        printf 'ok 3 sends every byte # skip valgrind is not installed\n'
        printf 'not ok 4 survives a reset\n'
        printf '# status:   killed by signal 13 (SIGPIPE)\n'
    } >"$dir/lessons/07-framing/results.tap"
}

@test "report writer: quotes, <, &, UTF-8, bad bytes and terminal escapes make valid XML, JSON and TAP" {
    local dir=$BATS_TEST_TMPDIR/out
    fake_grade "$dir"
    printf '*\t*\t1\n' >"$BATS_TEST_TMPDIR/points.tsv"
    "$PYTHON" "$ROOT/scripts/grade-report" student "$dir" --name 'Zoë "<b>" & co' --points "$BATS_TEST_TMPDIR/points.tsv"
    "$PYTHON" - "$dir" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
r = json.load(open(d + "/results.json", encoding="utf-8"))
out = r["tests"][1]["output"]
assert "\x1b" not in out and "\x07" not in out and "\x01" not in out, repr(out)
assert "red text" in out and "café 日本" in out and "\ufffd" in out, repr(out)
assert r["tests"][2]["status"] == "passed" and "valgrind" in r["tests"][2]["output"], r["tests"][2]
assert r["score"] == 2 and r["extra_data"]["max_score"] == 4, r["score"]
assert r["extra_data"]["student"] == 'Zoë "<b>" & co'
x = ET.parse(d + "/report.xml").getroot()
f = x.find("testsuite/testcase/failure")
assert '"</failure>]]>"' in f.text and "café" in f.text, f.text
assert x.find("testsuite/testcase[@name='sends every byte']/skipped") is not None
assert x.get("name") == 'sockchat: Zoë "<b>" & co'
tap = open(d + "/report.tap", encoding="utf-8").read()
assert "\x1b" not in tap and "ok 3 07-framing: sends every byte # skip valgrind is not installed" in tap, tap
md = open(d + "/report.md", encoding="utf-8").read()
assert "\\|" in md and "&lt;tags&gt;" in md, md
EOF
}

@test "report writer: points from points.tsv: weights, (total), the last rule wins; bad rows stop it" {
    local dir=$BATS_TEST_TMPDIR/out points=$BATS_TEST_TMPDIR/points.tsv
    fake_grade "$dir"
    printf '# a comment\n*\t*\t2\n07\tbuilds*\t0\n07-framing  survives a reset  6\n' >"$points"
    "$PYTHON" "$ROOT/scripts/grade-report" student "$dir" --name x --points "$points"
    # builds 0 (passed), read_line 2 (failed), sends 2 (skipped: passed), survives 6 (failed).
    [ "$(json "$dir/results.json" "[t['max_score'] for t in r['tests']]")" = "$(printf '0.0\n2.0\n2.0\n6.0')" ]
    [ "$(json "$dir/results.json" "r['score']")" = 2.0 ]
    # A (total) shares 20 points out by those weights: 0, 4, 4, 12.
    printf '07\t(total)\t20\n' >>"$points"
    "$PYTHON" "$ROOT/scripts/grade-report" student "$dir" --name x --points "$points"
    [ "$(json "$dir/results.json" "[t['max_score'] for t in r['tests']]")" = "$(printf '0.0\n4.0\n4.0\n12.0')" ]
    # A rule naming a check that does not exist is a warning; a row that is not a rule, an error.
    printf '07\tno such check\t3\n' >>"$points"
    run "$PYTHON" "$ROOT/scripts/grade-report" student "$dir" --name x --points "$points"
    [ "$status" = 0 ] && contains "$output" "no check of lesson 07 is named 'no such check'"
    printf '07 three\n' >>"$points"
    run "$PYTHON" "$ROOT/scripts/grade-report" student "$dir" --name x --points "$points"
    [ "$status" != 0 ] && contains "$output" "points.tsv:7"
}

@test "report writer: a lesson stopped by its time limit keeps the checks that finished" {
    local dir=$BATS_TEST_TMPDIR/out work=$BATS_TEST_TMPDIR/out/lessons/07-framing
    fake_grade "$dir"
    printf 'lesson\tstatus\tseconds\tsource\tlimit\n07-framing\ttimeout\t50\tlessons/07-framing\t50\n' \
        >"$dir/lessons/manifest.tsv"
    printf 'ok 1 builds (server client)\n' >"$work/results.tap"
    mkdir -p "$work/expected"
    printf '1..4\nnot ok 1 builds\nnot ok 2 unit: one\nnot ok 3 sends every byte\nnot ok 4 survives a reset\n' \
        >"$work/expected/results.tap"
    printf '1..2\nok 1 sends every byte\n' >"$work/bats.tap"
    "$PYTHON" "$ROOT/scripts/grade-report" student "$dir" --name x --points ""
    [ "$(json "$dir/results.json" "[t['status'] for t in r['tests']]")" = "$(printf 'passed\nfailed\npassed\nfailed')" ]
    contains "$(output_of "$dir/results.json" "survives a reset")" "took longer than 50 s"
}

# ---- the sandbox -------------------------------------------------------------------------------

# points_of OUT STUDENT: "score/max" per lesson of STUDENT in a grade-all OUT, one a line.
points_of() {
    json "$1/$2/results.json" "['%s %s/%s' % (l['lesson'], l['score'], l['max_score']) for l in r['extra_data']['lessons']]"
}

# twins OUT HOSTILE TWIN: HOSTILE scores, lesson by lesson, what TWIN scores, and no message of
# HOSTILE's says NOT CONTAINED.
twins() {
    local out=$1 hostile=$2 twin=$3
    REPORT=$out/$hostile/report.md
    expect "a report for $hostile" [ -f "$out/$hostile/results.json" ]
    expect "$hostile scores what $twin scores ($(points_of "$out" "$hostile" | paste -sd ' ') vs $(points_of "$out" "$twin" | paste -sd ' '))" \
        [ "$(points_of "$out" "$hostile")" = "$(points_of "$out" "$twin")" ]
    expect "nothing in $hostile's reports says NOT CONTAINED" \
        [ -z "$(grep -l 'NOT CONTAINED' "$out/$hostile"/report.* "$out/$hostile/results.json" || true)" ]
}

# run_in_sandbox DIR COMMAND...: COMMAND in a sandbox whose scratch folder is DIR, as the
# student's uid; output and status in $output and $status (bats' run).
run_in_sandbox() {
    local dir=$1
    shift
    mkdir -p "$dir"
    run "$ROOT/scripts/grade-sandbox" --scratch "$dir" --uid 1999999 -- \
        "$ROOT/build/helpers/asuser" 1999999 "$@"
}

sandbox_or_skip() {
    "$ROOT/scripts/grade-sandbox" --probe >/dev/null || skip "no sandbox here: $("$ROOT/scripts/grade-sandbox" --probe)"
}

@test "sandbox: the forger of the issue, graded in a fresh clone, scores what the starters score; the clone stays clean" {
    sandbox_or_skip
    expect "make grade-all succeeds" [ "$(cat "$T/forgers-out.status")" = 0 ]
    twins "$T/forgers-out" forger twin
    expect "lessons 01 and 02 were graded" [ "$(points_of "$T/forgers-out" forger | wc -l)" = 2 ]
    expect "git status is clean in the clone: $(git -C "$T/clone" status --porcelain | head -n 3)" \
        [ -z "$(git -C "$T/clone" status --porcelain)" ]
    expect "no grade is INVALID" [ -z "$(grep -l INVALID "$T"/forgers-out/*/report.md || true)" ]
    expect "the reports say it was sandboxed" grep -q '^Sandbox: bubblewrap' "$T/forgers-out/forger/report.md"
}

@test "sandbox: a program that writes the harness's results and reports scores what the starter scores" {
    sandbox_or_skip
    twins "$T/jail-out" writes-results starter
    expect "its message says it was contained" \
        contains "$(cat "$T/jail-out/writes-results/report.md")" "contained: no result, report or harness output could be written"
}

@test "sandbox: in grade-all, a program that reads and overwrites a classmate's work finds none of it" {
    sandbox_or_skip
    twins "$T/jail-out" a-reads-classmate correct
    twins "$T/jail-out" a-victim correct
    expect "the classmate's source is in no report of the reader" \
        [ -z "$(grep -r -l 'classmate-secret' "$T/jail-out/a-reads-classmate" || true)" ]
    expect "the victim was graded at the same time (JOBS=2) and still has every point" \
        [ "$(json "$T/jail-out/a-victim/results.json" "r['score'] == r['extra_data']['max_score']")" = True ]
}

@test "sandbox: a submission can neither read nor run the reference solution, nor #include it" {
    sandbox_or_skip
    twins "$T/jail-out" uses-reference correct
    REPORT=$T/jail-out/includes-reference/report.md
    expect "the one that #includes the reference source scores 0" \
        [ "$(json "$T/jail-out/includes-reference/results.json" "r['score']")" = 0.0 ]
    expect "its report names the missing file" grep -q 'solutions/01-socket/server.c' "$REPORT"
}

@test "sandbox: a fork bomb, an ever-growing file, a memory hog and a signaller each score what the correct student scores" {
    sandbox_or_skip
    local student
    for student in forks grows hogs signals; do
        twins "$T/jail-out" "$student" correct
    done
    expect "the grade took under 60 s ($(cat "$T/jail-out.seconds") s)" [ "$(cat "$T/jail-out.seconds")" -lt 60 ]
}

@test "sandbox: each hostile program is stopped by the sandbox's limits, well before its own bound" {
    sandbox_or_skip
    local student seen
    for student in forks grows hogs signals writes-results a-reads-classmate uses-reference; do
        mkdir -p "$T/direct/$student"
        cp "$T/jail-out/$student/lessons/01-socket/server" "$T/direct/$student/"
        run_in_sandbox "$T/direct/$student" "$T/direct/$student/server"
        seen[${#seen[@]}]="$student: $output"
    done
    printf '%s\n' "${seen[@]}"
    expect "fork() fails before 300 processes" grep -q -E '^forks: contained: fork\(\) failed after [0-9]{1,2}[0-9]? processes' <<<"${seen[0]}"
    expect "the file stops at 64 MB (File too large)" grep -q 'writing stopped at 64 MB: File too large' <<<"${seen[1]}"
    expect "the hog is killed (the memory cgroup)" grep -q -E 'killed by signal 9|malloc\(\) failed' <<<"${seen[2]}"
    expect "the signaller signals no one" grep -q 'none of the [0-9]* processes of other users' <<<"${seen[3]}"
    expect "the reference solution is out of reach" \
        grep -q 'contained: the reference solution can be neither read nor run' <<<"${seen[6]}"
    expect "nothing says NOT CONTAINED" [ -z "$(grep 'NOT CONTAINED' <<<"${seen[*]}" || true)" ]
}

@test "sandbox: from inside: only loopback, up, on 127.0.0.1 and ::1; own PID namespace; another uid; the course read-only, its reference solution hidden" {
    sandbox_or_skip
    # shellcheck disable=SC2016
    run_in_sandbox "$T/inside" /bin/sh -c '
        echo "uid $(id -u)"
        echo "pidns $(readlink /proc/self/ns/pid) netns $(readlink /proc/self/ns/net)"
        echo "pid1 $(tr "\0" " " </proc/1/cmdline | cut -c1-5)"
        echo "interfaces $(awk "NR > 2 { sub(/:.*/, \"\", \$1); print \$1 }" /proc/net/dev | paste -sd " ")"
        echo "routes $(($(wc -l </proc/net/route) - 1)) ipv6 $(awk "{ print \$6 }" /proc/net/if_inet6 | paste -sd " ")"
        echo "lo $(cat /sys/class/net/lo/operstate 2>/dev/null; ip -o link show lo | grep -o "UP,LOWER_UP")"
        python3 -c "
import socket
for family, host in ((socket.AF_INET, \"127.0.0.1\"), (socket.AF_INET6, \"::1\")):
    server = socket.socket(family); server.bind((host, 0)); server.listen()
    client = socket.create_connection(server.getsockname()[:2]); conn, _ = server.accept()
    client.sendall(b\"hi\"); print(\"loopback\", host, conn.recv(2).decode())
"
        touch "$0/tests/01-socket.bats" 2>/dev/null && echo "WROTE the course" || echo "course read-only"
        ls "$0/build" | paste -sd " " | sed "s/^/build: /"
        echo "solutions: $(ls -A "$0/solutions" | wc -l) entries"
        ls "$0/build/ref" >/dev/null 2>&1 && echo "ref: listed" || echo "ref: out of reach"
    ' "$ROOT"
    echo "$output"
    expect "it ran" [ "$status" = 0 ]
    expect "as the uid given" grep -q -x 'uid 1999999' <<<"$output"
    expect "another PID namespace" [ "$(sed -n 's/^pidns \([^ ]*\) .*/\1/p' <<<"$output")" != "$(readlink /proc/self/ns/pid)" ]
    expect "another network namespace" [ "$(sed -n 's/.* netns //p' <<<"$output")" != "$(readlink /proc/self/ns/net)" ]
    expect "pid 1 is the sandbox" grep -q -x 'pid1 bwrap' <<<"$output"
    expect "only lo" grep -q -x 'interfaces lo' <<<"$output"
    expect "no route, IPv6 only on lo" grep -q -x 'routes 0 ipv6 lo' <<<"$output"
    expect "lo is up" grep -q 'UP,LOWER_UP' <<<"$output"
    expect "127.0.0.1 works" grep -q -x 'loopback 127.0.0.1 hi' <<<"$output"
    expect "::1 works" grep -q -x 'loopback ::1 hi' <<<"$output"
    expect "the course is read-only" grep -q -x 'course read-only' <<<"$output"
    expect "build/ shows only ref and helpers" grep -q -x 'build: helpers ref' <<<"$output"
    expect "solutions/ is empty" grep -q -x 'solutions: 0 entries' <<<"$output"
    expect "the student's uid cannot list build/ref" grep -q -x 'ref: out of reach' <<<"$output"
}

@test "no sandbox (SOCKCHAT_SANDBOX=off): the forger's changes make both lessons INVALID, in every report" {
    local out=$T/unsafe-out
    REPORT=$out/report.md
    expect "make grade ends (status 1: INVALID)" [ "$(cat "$out.status")" != 0 ]
    expect "the output says not sandboxed" grep -q 'not sandboxed: SOCKCHAT_SANDBOX=off' "$out.log"
    expect "the output says INVALID" grep -q 'INVALID' "$out.log"
    expect "report.md: INVALID, no score" grep -q '^\*\*INVALID: no score.\*\*' "$REPORT"
    expect "report.md: not sandboxed" grep -q '^\*\*not sandboxed: SOCKCHAT_SANDBOX=off' "$REPORT"
    expect "report.md: both lessons INVALID" [ "$(grep -c -E '^\| 0[12]-[a-z-]+ \| INVALID' "$REPORT")" = 2 ]
    expect "report.md names a changed test file" grep -q 'tests/02-bind-listen.bats' "$REPORT"
    expect "report.tap: not sandboxed, INVALID, no check passes" \
        [ "$(sed -n 2p "$out/report.tap")" = "# not sandboxed: SOCKCHAT_SANDBOX=off was set" ] &&
        grep -q '^# INVALID' "$out/report.tap" && ! grep -q '^ok ' "$out/report.tap"
    expect "report.xml: every check an error, not sandboxed" "$PYTHON" -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("testsuite/testcase")
assert cases and all(c.find("error") is not None for c in cases), "a check that is not an error"
assert all(p.get("value") == "INVALID" for p in root.findall("testsuite/properties/property[@name=\"points\"]"))
assert all("not sandboxed" in p.get("value") for p in root.findall("testsuite/properties/property[@name=\"sandbox\"]"))
' "$out/report.xml"
    expect "results.json: score 0, INVALID, not sandboxed" [ "$(json "$out/results.json" \
        "(r['score'], r['extra_data']['score_text'], r['extra_data']['sandboxed'], [l['score'] for l in r['extra_data']['lessons']], 'not sandboxed' in r['output'])")" = "(0.0, 'INVALID', False, [None, None], True)" ]
}

@test "no sandbox: STRICT=1 refuses to grade; a bwrap that fails is reported as the reason" {
    expect "STRICT=1: status 2" [ "$(cat "$T/strict-out.status")" = 2 ]
    expect "STRICT=1: it says why" grep -q 'refusing to grade.*not sandboxed: SOCKCHAT_SANDBOX=off' "$T/strict-out.log"
    expect "STRICT=1: no report" [ ! -f "$T/strict-out/report.md" ]
    REPORT=$T/nobwrap-out/report.md
    expect "a failing bwrap: graded anyway" [ "$(cat "$T/nobwrap-out.status")" = 0 ]
    expect "a failing bwrap: the reason in the output" \
        grep -q 'not sandboxed: bwrap cannot make the sandbox here: bwrap: No permissions' "$T/nobwrap-out.log"
    expect "a failing bwrap: the reason in the report" grep -q 'not sandboxed: bwrap cannot make' "$REPORT"
    expect "a failing bwrap: in results.json" \
        [ "$(json "$T/nobwrap-out/results.json" "r['extra_data']['sandboxed']")" = False ]
}
