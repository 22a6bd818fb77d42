#!/usr/bin/env python3
"""transcript - play the two-terminal chat session a lesson README shows, and compare.

    transcript.py README SERVER CLIENT

README's first code block whose first line holds two commands side by side ("$ .../server" on
the left, "$ .../client" on the right) is the session: the left column is the server's
terminal, the right one the client's. The columns are split where the second "$ " starts,
counting display width (a CJK character takes two columns, as in a terminal). In a column,
a line after the prompt ">> " is what the user types there; "$ echo $?" and the line under it
give the program's exit status.

The server runs as SERVER 0 and the client as CLIENT 127.0.0.1 PORT, each on a terminal of
its own (a pty, so the prompts show and the typed lines echo, as in the README). Each typed
line is sent when its program shows the prompt it follows. The real ports are written as the
README's before comparing. Every line each terminal shows must be the README's, in order, and
nothing more; the first line that differs ends the session at once.

Exit status: 0 when both terminals match (and the exit statuses shown), 1 when they do not
(the difference on stdout, for a student), 2 when the README has no such session.
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
import unicodedata

LIMIT_SECS = float(os.environ.get("TRANSCRIPT_SECS", "10"))


def width(text):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def split_at(line, column):
    """The part of line before display column `column`, and the rest."""
    at = 0
    for i, c in enumerate(line):
        if at >= column:
            return line[:i], line[i:]
        at += width(c)
    return line, ""


def session(readme):
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", open(readme, encoding="utf-8").read(), re.M | re.S)
    for block in blocks:
        lines = block.rstrip("\n").split("\n")
        first = lines[0]
        second = first.find("$ ", 2)
        if not first.startswith("$ ") or second < 0:
            continue
        column = width(first[:second])
        left, right = [], []
        for line in lines:
            a, b = split_at(line, column)
            left.append(a.rstrip())
            right.append(b.rstrip())
        return column_of(left), column_of(right)
    return None


def column_of(lines):
    """(shown, typed, status): the lines the terminal shows, those typed, the exit status."""
    shown, typed, status = [], [], None
    rest = lines[1:]
    for i, line in enumerate(rest):
        if line.startswith("$"):
            if line == "$ echo $?" and i + 1 < len(rest):
                status = int(rest[i + 1])
            break
        if line == "":
            continue
        shown.append(line)
        if line.startswith(">> "):
            typed.append(line[3:])
    return shown, typed, status


HELPERS = os.environ.get("SOCKCHAT_HELPERS", "")


class Terminal:
    def __init__(self, name, argv):
        self.name = name
        # Under the grader's sandbox the student's program runs as the student's uid, as in
        # sockchat.bash's `start` (which runs this player as the harness: AS_HARNESS=1).
        as_user = os.environ.get("SOCKCHAT_AS_USER", "")
        if as_user and HELPERS and os.geteuid() == 0:
            argv = [os.path.join(HELPERS, "asuser"), as_user] + argv
        if HELPERS:
            argv = [os.path.join(HELPERS, "reaper"), str(int(LIMIT_SECS) + 5)] + argv
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.out = b""
        self.closed = False
        self.typed_at = -1  # len(out) when a line was last typed: wait for a new prompt

    def read(self):
        try:
            data = os.read(self.master, 4096)
        except OSError:
            data = b""
        if not data:
            self.closed = True
        self.out += data

    def text(self):
        return self.out.decode("utf-8", "replace").replace("\r\n", "\n")

    def prompting(self):
        """True when the terminal shows a new prompt, one that came after the last typed line."""
        return len(self.out) > self.typed_at and self.out.endswith(b">> ")

    def type(self, line):
        self.typed_at = len(self.out)
        os.write(self.master, (line + "\n").encode("utf-8"))

    def end(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()


def quiet(terms):
    """True when every program has gone quiet (tests/helpers/quiet.c), or cannot be asked."""
    if not HELPERS:
        return False
    sids = [str(t.proc.pid) for t in terms if t.proc.poll() is None]
    if not sids:
        return False
    return subprocess.call([os.path.join(HELPERS, "quiet"), "--ms", "300"] + sids) == 0


def lines_of(text, ports):
    for real, shown in ports:
        text = text.replace(real, shown)
    return text.split("\n")


def compare(term, want, ports):
    """None while what term shows agrees with want so far; else the first difference."""
    done = lines_of(term.text(), ports)[:-1]
    for i, line in enumerate(done):
        if i >= len(want):
            return "line %d of the %s: expected nothing more, seen %r" % (i + 1, term.name, line)
        if line != want[i]:
            return "line %d of the %s: expected %r, seen %r" % (i + 1, term.name, want[i], line)
    # The line being written (a prompt, a line cut by a read) is compared once it is whole, or
    # at the end.
    return None


def main():
    if len(sys.argv) != 4:
        print("usage: transcript.py README SERVER CLIENT", file=sys.stderr)
        return 2
    readme, server_cmd, client_cmd = sys.argv[1:]
    found = session(readme)
    if found is None:
        print("%s shows no two-terminal session" % readme, file=sys.stderr)
        return 2
    (s_want, s_typed, s_status), (c_want, c_typed, c_status) = found
    readme_port = re.search(r":(\d+)$", s_want[0]).group(1)
    peer = re.search(r"^connection from 127\.0\.0\.1:(\d+)$", "\n".join(s_want), re.M)
    server = Terminal("server", [server_cmd, "0"])
    terms, ports, client = [server], [], None
    typed = {"server": list(s_typed), "client": list(c_typed)}
    deadline = time.monotonic() + LIMIT_SECS
    problem = None
    try:
        while problem is None:
            live = [t for t in terms if not t.closed]
            if not live:
                break
            if time.monotonic() > deadline:
                problem = "the session did not end within %g s" % LIMIT_SECS
                break
            ready, _, _ = select.select([t.master for t in live], [], [], 0.1)
            for t in live:
                if t.master in ready:
                    t.read()
            if not ready and quiet(terms):
                ready, _, _ = select.select([t.master for t in live], [], [], 0)
                if not ready:
                    problem = "the programs stopped, waiting: the session cannot go on"
                    break
            if client is None:
                m = re.match(r"listening on 127\.0\.0\.1:(\d+)\n", server.text())
                if m:
                    ports.append((":" + m.group(1) + "\n", ":" + readme_port + "\n"))
                    client = Terminal("client", [client_cmd, "127.0.0.1", m.group(1)])
                    terms.append(client)
            if peer and not any(p[1] == ":" + peer.group(1) + "\n" for p in ports):
                m = re.search(r"^connection from 127\.0\.0\.1:(\d+)\n", server.text(), re.M)
                if m:
                    ports.append((":" + m.group(1) + "\n", ":" + peer.group(1) + "\n"))
            for t, want in ((server, s_want), (client, c_want)):
                if t is None:
                    continue
                problem = problem or compare(t, want, ports)
                if problem is None and t.prompting() and typed[t.name]:
                    t.type(typed[t.name].pop(0))
    finally:
        for t in terms:
            t.end()
    statuses = {"server": (server, s_status), "client": (client, c_status)}
    if problem is None:
        for name, (t, want_status) in statuses.items():
            want = s_want if name == "server" else c_want
            got = lines_of(t.text(), ports) if t else []
            if got and got[-1] == "":
                got = got[:-1]
            if got != want:
                problem = "the %s showed %d of the README's %d lines" % (name, len(got), len(want))
            elif want_status is not None and t.proc.returncode != want_status:
                problem = "the %s's exit status: expected %d, seen %d" % (name, want_status, t.proc.returncode)
    if problem is None:
        return 0
    print(problem)
    for t in terms:
        print("the %s's terminal showed:" % t.name)
        for line in lines_of(t.text(), ports)[-12:]:
            print("  | " + line)
        err = t.proc.stderr.read().decode("utf-8", "replace").strip() if t.proc.stderr else ""
        if err:
            print("  its stderr: " + " / ".join(err.splitlines()[-3:]))
    return 1


if __name__ == "__main__":
    sys.exit(main())
