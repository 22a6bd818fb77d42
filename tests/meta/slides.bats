#!/usr/bin/env bats
# The slides (slides/NN-name.md, Marp decks): every lesson has a deck with the parts a class
# needs; every deck and diagram builds with the pinned Marp CLI and Graphviz; and in a real
# browser (headless Chromium, driven by playwright-core) every slide fits its frame, every image
# loads and every slide has speaker notes. Two fixture decks prove that the browser check fails,
# naming the deck and the slide. Run by `make test` (scripts/check-meta slides) and by
# `make test-slides`. Without Node, Graphviz or Chromium, the checks that need them skip and
# say what is missing; the static checks still run.

setup_file() {
    export ROOT=${SOCKCHAT_ROOT:?scripts/check-meta sets SOCKCHAT_ROOT}
    export OUT=$BATS_FILE_TMPDIR/decks FIX=$BATS_FILE_TMPDIR/fixtures
    export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
    # What building needs, and what the browser check needs on top.
    local build=() browser=()
    command -v node >/dev/null || build+=("node")
    [ -f "$ROOT/node_modules/@marp-team/marp-cli/marp-cli.js" ] || build+=("the Marp CLI (npm ci)")
    command -v dot >/dev/null || build+=("Graphviz (dot)")
    [ -d "$ROOT/node_modules/playwright-core" ] || browser+=("playwright-core (npm ci)")
    [ -x "$CHROME_PATH" ] || browser+=("Chromium ($CHROME_PATH)")
    export MISSING_BUILD="${build[*]}" MISSING_BROWSER="${build[*]} ${browser[*]}"
    MISSING_BROWSER=${MISSING_BROWSER# }
    MISSING_BROWSER=${MISSING_BROWSER% }
    [ -z "$MISSING_BUILD" ] || return 0

    # Two decks that must fail the browser check: one too big for its slides, one whose
    # picture is missing. They are built with the real decks, as `make slides` builds them, in
    # one run (one Marp start) into a folder of this run.
    mkdir -p "$FIX"
    write_fixtures "$FIX"
    # (bats runs this with set -e: every status is caught, never fatal.)
    local status=0
    timeout 300 "$ROOT/scripts/slides" --out "$OUT" "$ROOT"/slides/[0-9][0-9]-*.md \
        "$FIX/overflow.md" "$FIX/broken-image.md" >"$BATS_FILE_TMPDIR/build.log" 2>&1 || status=$?
    echo $status >"$BATS_FILE_TMPDIR/build.status"

    [ -z "$MISSING_BROWSER" ] || return 0

    # One browser for everything: the real decks, then the fixtures. Each deck gets its own
    # lines ("ok DECK" or "FAIL DECK slide N"), so one run serves every test below.
    status=0
    (cd "$ROOT" && timeout 300 node scripts/slides-check.mjs "$OUT"/[0-9][0-9]-*.html \
        "$OUT/overflow.html" "$OUT/broken-image.html") >"$BATS_FILE_TMPDIR/check.txt" 2>&1 || status=$?
    echo $status >"$BATS_FILE_TMPDIR/check.status"
}

# write_fixtures DIR: overflow.md (slide 1 fits; slide 2 too tall; slide 3 a code line too
# wide) and broken-image.md (slide 1 shows a picture that does not exist).
write_fixtures() {
    local dir=$1 line
    {
        printf -- '---\nmarp: true\ntheme: sockchat\n---\n\n## Fits\n\nOne short line.\n\n<!-- a note -->\n\n'
        printf -- '---\n\n## Too tall\n\n```c\n'
        for line in $(seq 1 30); do printf 'int line_%d = %d;\n' "$line" "$line"; done
        printf '```\n\n<!-- a note -->\n\n---\n\n## Too wide\n\n```c\n'
        printf 'int x = 1; /* %s */\n' "$(printf 'far too wide %.0s' $(seq 1 12))"
        printf '```\n\n<!-- a note -->\n'
    } >"$dir/overflow.md"
    printf -- '---\nmarp: true\ntheme: sockchat\n---\n\n## A picture nobody rendered\n\n![a diagram](pictures/missing.svg)\n\n<!-- a note -->\n' \
        >"$dir/broken-image.md"
}

# needs_build_tools, needs_browser: skip this check, saying what is missing, where the tools it
# needs are not installed.
needs_build_tools() {
    if [ -n "$MISSING_BUILD" ]; then
        skip "slide tools missing: $MISSING_BUILD; install them with scripts/setup --slides"
    fi
}
needs_browser() {
    if [ -n "$MISSING_BROWSER" ]; then
        skip "slide tools missing: $MISSING_BROWSER; install them with scripts/setup --slides"
    fi
}

# lessons: the lesson folder names (01-socket ...), one a line.
lessons() {
    (cd "$ROOT/lessons" && ls -d [0-9][0-9]-* | sed 's|/$||')
}

# deck_parts DECK: print what the deck lacks, one line each; nothing when it is complete.
deck_parts() {
    local deck=$1 name svg
    name=$(basename "$deck" .md)
    [ "$(head -n 1 "$deck")" = "---" ] && grep -q -x 'marp: true' "$deck" ||
        echo "front matter with 'marp: true'"
    grep -q -x 'theme: sockchat' "$deck" || echo "'theme: sockchat' (slides/sockchat.css)"
    grep -q -E '^# Lesson [0-9]{2}' "$deck" || echo "a title slide '# Lesson ${name%%-*}: ...'"
    grep -q -i -E '^## The one idea' "$deck" || echo "a slide '## The one idea'"
    grep -q -i -E '^## The calls?\b' "$deck" || echo "a slide '## The call(s)' with the arguments and return values"
    grep -q -E '^```c$' "$deck" || echo "a C code block (\`\`\`c)"
    grep -q -i -E '^## Classic mistakes' "$deck" || echo "a slide '## Classic mistakes'"
    grep -q -E '^```console$' "$deck" || echo "a terminal session to try (\`\`\`console)"
    grep -q -E '\]\(diagrams/[^)]+\.svg\)' "$deck" || echo "a diagram: ![what it shows](diagrams/${name%%-*}-NAME.svg)"
    for svg in $(grep -o -E '\]\(diagrams/[^)]+\.svg\)' "$deck" | sed -E 's/^\]\(diagrams\/(.*)\.svg\)$/\1/'); do
        [ -f "$ROOT/slides/diagrams/$svg.dot" ] || echo "the source slides/diagrams/$svg.dot of diagrams/$svg.svg"
    done
    grep -q -E '^<!--$' "$deck" || echo "speaker notes (an HTML comment after a slide's content)"
    # Code wider than the theme's 80 columns overflows (the browser check would say so too).
    awk '/^```/ { inside = !inside; next } inside && length($0) > 80 { printf "code line %d is %d columns (at most 80)\n", NR, length($0) }' "$deck"
}

# Catches: a new lesson without its deck.
@test "every lesson has its deck slides/NN-name.md" {
    local name lacking=()
    for name in $(lessons); do
        [ -f "$ROOT/slides/$name.md" ] || lacking+=("slides/$name.md")
    done
    if [ ${#lacking[@]} -gt 0 ]; then
        echo "no deck for: ${lacking[*]} (copy slides/01-socket.md and follow its parts)"
        return 1
    fi
}

# Catches: a deck without one of the parts a class needs (the calls, a diagram with its
# source, code, mistakes, something to try, notes), or with code too wide for a slide.
@test "each deck has its parts: the idea, the calls, a diagram with its .dot, code, mistakes, a terminal, notes" {
    local deck gaps failed=0
    for deck in "$ROOT"/slides/[0-9][0-9]-*.md; do
        gaps=$(deck_parts "$deck")
        if [ -n "$gaps" ]; then
            echo "slides/$(basename "$deck") lacks:"
            sed 's/^/  - /' <<<"$gaps"
            failed=1
        fi
    done
    return $failed
}

# Catches: a diagram source Graphviz cannot render (the deck would show a broken picture).
@test "every diagram source slides/diagrams/*.dot renders to SVG with Graphviz" {
    needs_build_tools
    local dot failed=0
    for dot in "$ROOT"/slides/diagrams/*.dot; do
        if ! grep -q '<svg' "$OUT/diagrams/$(basename "$dot" .dot).svg" 2>/dev/null; then
            echo "slides/diagrams/$(basename "$dot") did not render:"
            failed=1
        fi
    done
    [ $failed = 0 ] || { sed 's/^/  /' "$BATS_FILE_TMPDIR/build.log"; return 1; }
}

# Catches: a deck Marp cannot build, and an index that misses a deck.
@test "every deck builds to HTML with the pinned Marp CLI, and the index links each one" {
    needs_build_tools
    if [ "$(cat "$BATS_FILE_TMPDIR/build.status")" != 0 ]; then
        echo "scripts/slides failed:"
        sed 's/^/  /' "$BATS_FILE_TMPDIR/build.log"
        return 1
    fi
    local deck name failed=0
    for deck in "$ROOT"/slides/[0-9][0-9]-*.md; do
        name=$(basename "$deck" .md)
        [ -s "$OUT/$name.html" ] || { echo "no $name.html"; failed=1; }
        grep -q "href=\"$name.html\"" "$OUT/index.html" || { echo "index.html does not link $name.html"; failed=1; }
    done
    return $failed
}

# Catches: text or code that runs off a slide, a picture that does not load, a slide without
# notes; in the browser, as the class will see it.
@test "in Chromium every slide of every deck fits its frame, its images load, and it has notes" {
    needs_browser
    local deck name failed=0
    for deck in "$ROOT"/slides/[0-9][0-9]-*.md; do
        name=$(basename "$deck" .md)
        if grep -q "^FAIL $name\b" "$BATS_FILE_TMPDIR/check.txt"; then
            grep "^FAIL $name\b" "$BATS_FILE_TMPDIR/check.txt"
            failed=1
        elif ! grep -q "^ok $name:" "$BATS_FILE_TMPDIR/check.txt"; then
            echo "$name: not checked. The browser check said:"
            sed 's/^/  /' "$BATS_FILE_TMPDIR/check.txt" | tail -n 20
            failed=1
        fi
    done
    [ $failed = 0 ] || echo "See them: node scripts/slides-check.mjs --png build/slides/png build/slides/NN-name.html"
    return $failed
}

# Catches: a browser check that passes everything (the overflow test must be able to fail).
@test "a deck that overflows fails the check, naming the deck and the slide" {
    needs_browser
    local check=$BATS_FILE_TMPDIR/check.txt
    if ! grep -q '^FAIL overflow slide 2 (Too tall): ' "$check" ||
        ! grep -q '^FAIL overflow slide 3 (Too wide): ' "$check"; then
        echo "expected: FAIL lines for slides 2 and 3 of the overflowing fixture deck. The check said:"
        sed 's/^/  /' "$check" | tail -n 20
        return 1
    fi
    if grep -q '^FAIL overflow slide 1 ' "$check"; then
        echo "slide 1 of the fixture fits, yet the check failed it:"
        grep '^FAIL overflow slide 1 ' "$check"
        return 1
    fi
    [ "$(cat "$BATS_FILE_TMPDIR/check.status")" = 1 ] || { echo "the check did not exit 1"; return 1; }
}

# Catches: a browser check that misses a picture that did not load.
@test "a deck whose picture is missing fails the check, naming the picture" {
    needs_browser
    local check=$BATS_FILE_TMPDIR/check.txt
    if ! grep -q '^FAIL broken-image slide 1 (A picture nobody rendered): image pictures/missing.svg did not load' "$check"; then
        echo "expected: a FAIL line for slide 1 of the fixture deck with a missing picture. The check said:"
        sed 's/^/  /' "$check" | tail -n 20
        return 1
    fi
}
