# shellcheck shell=bash
# lib.sh - functions the course scripts share. Sourced, never run; expects $root.
# shellcheck disable=SC2154 # root: every script that sources this sets it first

# sanitizers_work: true when the C compiler builds and runs a program with ASan and UBSan.
sanitizers_work() {
    if [ -z "${SOCKCHAT_SANITIZERS:-}" ]; then
        local dir
        dir=$(mktemp -d)
        printf 'int main(void) { return 0; }\n' >"$dir/t.c"
        if ${CC:-cc} -fsanitize=address,undefined -o "$dir/t" "$dir/t.c" >/dev/null 2>&1 &&
            "$dir/t" >/dev/null 2>&1; then
            SOCKCHAT_SANITIZERS=yes
        else
            SOCKCHAT_SANITIZERS=no
        fi
        rm -rf "$dir"
        export SOCKCHAT_SANITIZERS
    fi
    [ "$SOCKCHAT_SANITIZERS" = yes ]
}

# up_to_date TARGET SOURCE...: true when TARGET exists and is newer than every SOURCE file
# (a SOURCE folder stands for the files in it).
up_to_date() {
    local target=$1 source
    shift
    [ -e "$target" ] || return 1
    for source in "$@"; do
        if [ -n "$(find "$source" -newer "$target" -print -quit 2>/dev/null)" ]; then
            return 1
        fi
    done
    return 0
}

# bats_command: the bats to run: the pinned one from npm (node_modules), else a system bats of
# version 1.5 or newer (then the helpers' `timeout` wrappers are what stops a hung program).
bats_command() {
    if [ -n "${SOCKCHAT_BATS:-}" ]; then # a chosen bats, e.g. SOCKCHAT_BATS=/usr/bin/bats
        echo "$SOCKCHAT_BATS"
        return 0
    fi
    if [ -x "$root/node_modules/bats/bin/bats" ]; then
        echo "$root/node_modules/bats/bin/bats"
        return 0
    fi
    local version
    version=$(bats --version 2>/dev/null | awk '{ print $2 }')
    case "$version" in
    1.[5-9]* | 1.[1-9][0-9]*) command -v bats ;;
    *) return 1 ;;
    esac
}

# run_bats ARGS...: bats with the course's settings.
run_bats() {
    local bats
    if ! bats=$(bats_command); then
        echo "No bats found: run 'make setup' (it installs the pinned bats with npm)." >&2
        return 2
    fi
    # A bats run inside a bats test (the grader and harness suites do that) must not inherit
    # the outer run's BATS_* settings, its temporary folder above all: it would clean it up.
    local var timeout=${BATS_TEST_TIMEOUT:-20}
    for var in $(compgen -v BATS_); do
        unset "$var"
    done
    BATS_TEST_TIMEOUT=$timeout "$bats" "$@"
}

# report_colours: set green, red, bold and reset to escape sequences when stdout is a
# terminal (and NO_COLOR is unset), to nothing otherwise: a log or a pipe gets plain text.
report_colours() {
    green="" red="" bold="" reset=""
    if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
        green=$'\e[32m' red=$'\e[31m' bold=$'\e[1m' reset=$'\e[0m'
    fi
}

# report_heading LABEL SRC: the first line of the report, printed before anything is built.
report_heading() {
    local green red bold reset
    report_colours
    printf '%s%s%s: checking %s\n\n' "$bold" "$1" "$reset" "${2#"$root"/}"
}

# report_verdict ok|not-ok NAME: one check's line, printed the moment the check ends.
report_verdict() {
    local green red bold reset
    report_colours
    if [ "$1" = ok ]; then
        printf '  %sPASS%s  %s\n' "$green" "$reset" "$2"
    else
        printf '  %sFAIL%s  %s\n' "$red" "$reset" "$2"
    fi
}

# verbose_command SRC NN: the command that runs these checks again with every message shown.
verbose_command() {
    local abs
    abs=$(cd "$1" 2>/dev/null && pwd) || abs=$1
    if [ "${SOCKCHAT_WATCH:-}" = 1 ]; then
        echo "make watch-$2 VERBOSE=1"
        return
    fi
    case "$abs" in
    "$root"/lessons/*) echo "make lesson-$2 VERBOSE=1" ;;
    "$root"/solutions/*) echo "make solution-$2 VERBOSE=1" ;;
    *) echo "scripts/check --verbose --src ${1#"$root"/} $2" ;;
    esac
}

# How many failures the report shows in full (VERBOSE=1: all of them). One: the student fixes
# one thing, runs the checks again, and reads the next. Later failures often follow from the
# first (a server that never listens fails every chat check), so their messages would only bury
# the one that matters; rustlings and CodeCrafters show one exercise or stage for that reason.
REPORT_FULL_FAILURES=1

# report_summary TAP LABEL SRC PASSED TOTAL WARNINGS BUILD_LOG NN VERBOSE: what follows the list
# of checks: the compiler's warnings, the first failure in full (every failure when VERBOSE is
# 1) and the others by name, the summary line and the next step.
report_summary() {
    local tap=$1 label=$2 src=$3 passed=$4 total=$5 warnings=$6 build_log=$7 num=$8 verbose=${9:-0}
    local green red bold reset full=$REPORT_FULL_FAILURES failed
    report_colours
    [ "$verbose" = 1 ] && full=1000000
    if [ "${warnings:-0}" -gt 0 ] 2>/dev/null; then
        printf '\n%sThe compiler warned %d time(s); warnings often point at the bug:%s\n' "$bold" "$warnings" "$reset"
        grep -E 'warning:' "$build_log" | head -n 5 | sed "s|${src}/||" | cut -c1-200 | sed 's/^/  /'
    fi
    failed=$((total - passed))
    if [ "$failed" -gt 0 ]; then
        if [ "$failed" -le "$full" ]; then
            printf '\n%sWhat failed%s\n' "$bold" "$reset"
        else
            printf '\n%sFix this first%s\n' "$bold" "$reset"
        fi
        awk -v r="$red" -v z="$reset" -v full="$full" '
            /^not ok / {
                sub(/^not ok [0-9]+ /, ""); n++; inside = (n <= full); shown = 0
                if (inside) printf "\n%s✗ %s%s\n", r, $0, z
                else { if (n == full + 1) printf "\nAlso failing (their messages are not shown):\n"; printf "  %s✗%s %s\n", r, z, $0 }
                next
            }
            /^ok / { inside = 0; next }
            inside && /^# / { if (++shown <= 30) { sub(/^# /, ""); print "  " $0 } }
        ' "$tap"
        if [ "$failed" -gt "$full" ]; then
            printf '%s shows every message.\n' "$(verbose_command "$src" "$num")"
        fi
    fi
    printf '\n%s%s: %d/%d checks pass%s\n' "$bold" "$label" "$passed" "$total" "$reset"
    # The next step, for a student working in lessons/.
    case "$src" in
    "$root"/lessons/*) ;;
    *) return 0 ;;
    esac
    if [ "$passed" -eq "$total" ]; then
        local next next_num
        next_num=$(printf '%02d' $((10#$num + 1)))
        next=$(cd "$root/lessons" && compgen -G "$next_num-*" | head -n 1)
        if [ -n "$next" ]; then
            printf 'Well done. Next: read lessons/%s/README.md, then run make lesson-%s.\n' "$next" "$next_num"
        else
            printf 'Well done: that was the last lesson so far. make progress shows them all.\n'
        fi
    else
        printf 'Next: start with the first failure above (its hint names the usual mistake), check\n'
        if [ "${SOCKCHAT_WATCH:-}" = 1 ]; then # make watch-NN runs them again on a save
            printf '"Classic mistakes" in %s/README.md, then save: the checks run again.\n' "${src#"$root"/}"
        else
            printf '"Classic mistakes" in %s/README.md, then run make lesson-%s again.\n' "${src#"$root"/}" "$num"
        fi
    fi
}

# render_report TAP LABEL SRC PASSED TOTAL WARNINGS BUILD_LOG NN [VERBOSE]: the whole report
# from a finished TAP file at once (scripts/check prints the same as the checks run).
render_report() {
    local line
    report_heading "$2" "$3"
    while IFS= read -r line; do
        case "$line" in
        "ok "*) report_verdict ok "$(sed -E 's/^ok [0-9]+ //' <<<"$line")" ;;
        "not ok "*) report_verdict not-ok "$(sed -E 's/^not ok [0-9]+ //' <<<"$line")" ;;
        esac
    done <"$1"
    report_summary "$@"
}

# build_helpers DIR: compile the course's own test programs (tests/helpers/*.c) into DIR, those
# that changed. Callers hold the build lock.
build_helpers() {
    local dir=$1 file prog
    mkdir -p "$dir"
    for file in "$root"/tests/helpers/*.c; do
        prog=$dir/$(basename "$file" .c)
        up_to_date "$prog" "$file" && continue
        ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -Wall -Wextra -Werror -o "$prog" "$file" ||
            return 1
    done
}
