#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu).
# The autograder zip (make-autograder.sh) holds the whole course, unpacked in /autograder/source:
# its tests, helpers, reference solutions and Makefile grade every submission.
#
# The sandbox (scripts/grade-sandbox) needs bubblewrap, installed here, root (Gradescope runs
# the autograder as root) and a container that lets root create namespaces (bwrap --unshare-net
# --unshare-pid). Where the container does not, every grade still works but its results say
# "not sandboxed: REASON"; this script prints which one it is in the image's build log.
set -euo pipefail
cd /autograder/source
# Some unzip tools drop the files' modes: the scripts must be executable.
chmod +x scripts/* examples/gradescope/*.sh examples/gradescope/run_autograder

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    gcc make libc6-dev libcmocka-dev netcat-openbsd strace iproute2 procps util-linux patch \
    python3 valgrind tmux nodejs npm bubblewrap >/dev/null

# Anything still missing, then the pinned bats (npm ci): the same script students run.
scripts/setup

# Self-check: the reference solutions, graded like a submission, must get every point. This
# fails the image build (with the reason in Gradescope's build log) if something in this image
# keeps the tests from working, instead of every student getting zeros later. It also builds
# the reference programs once, so that each submission does not have to.
if sandbox=$(scripts/grade-sandbox --probe); then
    echo "setup.sh: sandbox: $sandbox"
    make -s grade SUBMISSION=solutions OUT=/tmp/autograder-selfcheck STRICT=1
else
    echo "setup.sh: WARNING: not sandboxed: $sandbox"
    echo "setup.sh: student programs will run with the grader's rights; every result will say so."
    SOCKCHAT_SANDBOX=off make -s grade SUBMISSION=solutions OUT=/tmp/autograder-selfcheck STRICT=1
fi
