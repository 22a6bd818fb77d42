#!/usr/bin/env bash
# make-autograder.sh - pack this course checkout as a Gradescope autograder: a zip with setup.sh
# and run_autograder at its root and the course beside them (without build/, node_modules/
# and .git/).
#
#   examples/gradescope/make-autograder.sh [ZIP]      (default: build/autograder.zip)
#
# Edit LESSONS in run_autograder first if the assignment grades only some lessons.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
zip=${1:-$root/build/autograder.zip}
mkdir -p "$(dirname "$zip")"
zip=$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

tar -C "$root" --exclude=./build --exclude=./node_modules --exclude=./.git -cf - . | tar -C "$stage" -xf -
cp "$root/examples/gradescope/setup.sh" "$root/examples/gradescope/run_autograder" "$stage/"
chmod +x "$stage/setup.sh" "$stage/run_autograder"
rm -f "$zip"
# Python's zipfile keeps the files' modes, so run_autograder stays executable.
(cd "$stage" && python3 -m zipfile -c "$zip" ./*)
echo "wrote $zip: upload it as the assignment's autograder (Configure Autograder, Zip file upload)"
