/*
 * asuser - run a student's program as an unprivileged user, with limits: the grader's sandbox
 * (scripts/grade-sandbox) runs the harness as root, and the harness starts every student program
 * through this (tests/helpers/sockchat.bash, `start`, when SOCKCHAT_AS_USER is set).
 *
 *   asuser UID COMMAND [ARGS...]
 *
 * It drops every supplementary group, then sets the group and user ids to UID (setgroups(2),
 * setgid(2), setuid(2): real, effective and saved ids all become UID, and the kernel clears
 * every capability), forbids gaining privileges again (PR_SET_NO_NEW_PRIVS: a set-user-ID file
 * runs as its caller), sets the limits below, and execs COMMAND. It is not set-user-ID itself:
 * only a caller that already has CAP_SETUID and CAP_SETGID can use it, and it checks that the
 * switch cannot be undone before it runs anything.
 *
 * Why a user of its own: inside one sandbox the harness (bats) and the student's programs would
 * otherwise share a uid, and a program could then write the harness's result files, print fake
 * TAP on /proc/<bats pid>/fd/1, or signal and trace the harness. As another uid it can do none
 * of that: the harness's files are not its own, and the kernel refuses it ptrace and kill.
 *
 * Limits (getrlimit(2)); each can be lowered with an environment variable of the same name:
 *   RLIMIT_NPROC   ASUSER_NPROC    256 processes and threads of UID (counted system-wide; the
 *                                  grader gives each sandbox a UID of its own)
 *   RLIMIT_FSIZE   ASUSER_FSIZE_MB 64 MB, the largest file it may write (SIGXFSZ beyond)
 *   RLIMIT_CPU     ASUSER_CPU      60 s of CPU time (SIGXCPU, then SIGKILL)
 *   RLIMIT_NOFILE  ASUSER_NOFILE   4096 open descriptors (or the current hard limit, if lower)
 *   RLIMIT_CORE    0               no core files
 * Memory is limited by the sandbox (a memory cgroup): an address-space limit would stop
 * AddressSanitizer, which reserves terabytes of address space it never touches.
 *
 * Exit status: COMMAND's, since it replaces this program; 126 when the switch or a limit fails
 * (nothing is run), 127 when COMMAND cannot be executed. Linux only; a course helper, not a lesson.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* number_from: the decimal number in text, or fallback when text is NULL; -1 if it is not one. */
static long number_from(const char *text, long fallback)
{
    if (text == NULL || *text == '\0')
        return fallback;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < 0)
        return -1;
    return value;
}

/* set_limit: soft and hard limit of resource to value (never above the current hard limit). */
static int set_limit(int resource, const char *name, rlim_t value)
{
    struct rlimit limit;
    if (getrlimit(resource, &limit) == -1) {
        fprintf(stderr, "asuser: getrlimit %s: %s\n", name, strerror(errno));
        return -1;
    }
    if (limit.rlim_max != RLIM_INFINITY && value > limit.rlim_max)
        value = limit.rlim_max;
    limit.rlim_cur = value;
    limit.rlim_max = value;
    if (setrlimit(resource, &limit) == -1) {
        fprintf(stderr, "asuser: setrlimit %s: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    if (argc < 3) {
        fprintf(stderr, "usage: asuser UID COMMAND [ARGS...]\n");
        return 126;
    }
    long uid = number_from(argv[1], -1);
    long nproc = number_from(getenv("ASUSER_NPROC"), 256);
    long fsize_mb = number_from(getenv("ASUSER_FSIZE_MB"), 64);
    long cpu = number_from(getenv("ASUSER_CPU"), 60);
    long nofile = number_from(getenv("ASUSER_NOFILE"), 4096);
    if (uid <= 0 || uid > 0x7fffffffL || nproc < 0 || fsize_mb < 0 || cpu < 0 || nofile < 0) {
        fprintf(stderr, "asuser: UID must be a number above 0, and the limits numbers\n");
        return 126;
    }

    /* Groups first: once the uid is dropped, the right to change them is gone. */
    if (setgroups(0, NULL) == -1) {
        perror("asuser: setgroups");
        return 126;
    }
    if (setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) == -1) {
        perror("asuser: setresgid");
        return 126;
    }
    /* The limits before the uid: raising none of them, they need no privilege, but RLIMIT_NPROC
     * set first means the exec below is already counted against it. */
    if (set_limit(RLIMIT_NPROC, "RLIMIT_NPROC", (rlim_t)nproc) == -1 ||
        set_limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", (rlim_t)fsize_mb * 1024 * 1024) == -1 ||
        set_limit(RLIMIT_CPU, "RLIMIT_CPU", (rlim_t)cpu) == -1 ||
        set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", (rlim_t)nofile) == -1 ||
        set_limit(RLIMIT_CORE, "RLIMIT_CORE", 0) == -1)
        return 126;
    if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) == -1) {
        perror("asuser: setresuid");
        return 126;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
        perror("asuser: prctl PR_SET_NO_NEW_PRIVS");
        return 126;
    }
    /* The switch must be final: getting root back has to fail. */
    if (setuid(0) == 0 || getuid() != (uid_t)uid || geteuid() != (uid_t)uid ||
        getegid() != (gid_t)uid) {
        fprintf(stderr, "asuser: could not drop to uid %ld for good\n", uid);
        return 126;
    }
    execvp(argv[2], argv + 2);
    fprintf(stderr, "asuser: %s: %s\n", argv[2], strerror(errno));
    return 127;
}
