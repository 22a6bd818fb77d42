#!/usr/bin/env bats
# The instructors' grader (make grade, make grade-all: scripts/grade, grade-all, grade-report)
# on classes made on the fly from the reference solutions (tests/meta/fixtures/grader/
# students.bash): a correct student, students with the course's kept bugs, and hostile programs
# that hang, spin, flood, fork away, never listen or take a port. Each grade must be right, say
# what happened, finish in bounded time and leave no process behind; the reports must parse.
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
    env "${unset[@]}" make -s -C "$ROOT" "$target" OUT="$out" "$@" >"$out.log" 2>&1 </dev/null 3>&- ||
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
    expect "the children did run" [ ${#marks[@]} -ge 2 ]
    for mark in "${marks[@]}"; do
        expect "child $(basename "$mark") is gone" [ ! -d "/proc/$(basename "$mark")" ]
    done
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

@test "a server that binds a fixed port another program holds: 'Address already in use'" {
    hostile fixed-port
    expect "points lost" lesson_02_lost
    expect "the reason in the message" \
        contains "$(output_of "$RESULTS" "02-bind-listen: server 0 prints the port")" "Address already in use"
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
