/*
 * quiet - tell whether the programs of a test have gone quiet: every one of them is blocked,
 * with no time limit, waiting for something that only the test could send, and nothing about
 * them changes. A check that waits for a line the program will never print can then fail at
 * once instead of waiting out its time limit.
 *
 *   quiet [--ms N] [--timers] [--why FILE] [--file PATH]... SID...
 *   quiet --watch STATE [--timers] [--why FILE] [--file PATH]... SID...
 *   quiet --cpu SID...
 *
 * The programs are the processes of the sessions SID... (each started by `start` in
 * sockchat.bash under the reaper, whose pid is the session id) and the reaper's adopted
 * children; the reapers themselves are not looked at, but while one is ending what its
 * program left behind (it sleeps between rounds) nothing is quiet. quiet samples them every 20 ms
 * for N ms (default 300) and exits:
 *
 *   0  quiet: in every sample every thread of every program was asleep in one of the waits
 *      listed in untimed_wait() (read, recv, accept, wait, poll with no timeout, ...), and no
 *      thread ran in between (its CPU time and its count of time slices, from
 *      /proc/PID/task/TID/schedstat, did not move), no program came or went, and no --file
 *      changed size. With --why, FILE gets one line per program: what it is blocked in.
 *   1  not quiet: a program is running or runnable, sleeps on a timer (nanosleep, poll with a
 *      timeout, connect), or something changed. quiet says so after the first sample that
 *      shows it, so a caller that polls it loses no time.
 *   2  usage error, or this kernel does not show what a thread is blocked in
 *      (/proc/PID/syscall): then nothing is ever called quiet.
 *
 * --watch STATE samples every 20 ms until it is killed (or its parent ends), and after each sample
 * writes one line to STATE: "SAMPLED CHANGED WAITING CPU0 CPU", where SAMPLED is the time
 * (microseconds since the epoch) of that sample, CHANGED that of the last sample in which
 * something changed or a program was not waiting,
 * WAITING is 1 when the last sample found every program in an untimed wait, and CPU0 and CPU are
 * the CPU time in ms the programs had used at the first sample and at the last. A caller that
 * tests its condition at time T and then reads WAITING 1, SAMPLED after T and CHANGED before T
 * knows that its test saw the programs' last word: nothing it waits for happened after it looked.
 * Asking `quiet --ms N` after a failed test instead has a race: an event between the test and
 * quiet's first sample is taken for the quiet state, and costs N ms (sockchat.bash: wait_for).
 *
 * --timers counts a sleep on a timer (nanosleep, poll with a timeout, ...) as waiting too: for
 * a check of something the README says happens at once, a program that sleeps instead is as
 * good as stuck. --cpu prints the CPU time the programs have used so far, in ms (all their
 * threads, from schedstat), and exits 0: a check of something that happens at once can stop
 * a program that spins instead.
 *
 * What it cannot see: a timer that is not a system call's argument (alarm(2), SO_RCVTIMEO):
 * a program blocked in recv() with SO_RCVTIMEO looks quiet. A check that waits for such a
 * timeout turns quiet detection off (QUIET_MS=0 in sockchat.bash). Linux only; a course
 * helper, not a lesson.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { MAX_SIDS = 64, MAX_TASKS = 512, MAX_FILES = 64 };

struct task {
    int pid, tid;
    char state;
    long nr;                    /* the system call it is blocked in */
    unsigned long long args[6]; /* its arguments */
    unsigned long long run_ns, slices;
    char comm[64];
};

struct sample {
    int count;
    struct task tasks[MAX_TASKS];
    long long sizes[MAX_FILES];
};

static int sids[MAX_SIDS], nsids, timers, cpu, full;
static const char *files[MAX_FILES];
static int nfiles;

static int is_sid(int pid)
{
    for (int i = 0; i < nsids; i++)
        if (sids[i] == pid)
            return 1;
    return 0;
}

/* read_small PATH BUF SIZE: the start of a /proc file as a string; -1 if it cannot be read. */
static int read_small(const char *path, char *buf, size_t size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    size_t got = fread(buf, 1, size - 1, file);
    fclose(file);
    buf[got] = '\0';
    return 0;
}

/* untimed_wait: 1 when a thread asleep in system call nr with these arguments waits for an
 * event with no time limit of its own: only another process (the test) can wake it. */
static int untimed_wait(long nr, const unsigned long long *a)
{
    switch (nr) {
    case SYS_read:
    case SYS_readv:
    case SYS_recvfrom:
    case SYS_recvmsg:
    case SYS_accept:
    case SYS_accept4:
    case SYS_write:
    case SYS_writev:
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_wait4:
    case SYS_waitid:
    case SYS_rt_sigsuspend:
    case SYS_openat: /* opening a FIFO no one has opened */
#ifdef SYS_pause
    case SYS_pause:
#endif
#ifdef SYS_open
    case SYS_open:
#endif
        return 1;
#ifdef SYS_poll
    case SYS_poll:
        return (int)a[2] < 0;
#endif
#ifdef SYS_select
    case SYS_select:
        return a[4] == 0;
#endif
    case SYS_pselect6:
        return a[4] == 0;
    case SYS_ppoll:
        return a[2] == 0;
#ifdef SYS_epoll_wait
    case SYS_epoll_wait:
        return (int)a[3] < 0;
#endif
    case SYS_epoll_pwait:
        return (int)a[3] < 0;
    case SYS_rt_sigtimedwait:
        return a[2] == 0;
    case SYS_futex: /* FUTEX_WAIT (0) or FUTEX_WAIT_BITSET (9) with no timeout */
        return ((a[1] & 127) == 0 || (a[1] & 127) == 9) && a[3] == 0;
    default:
        return 0;
    }
}

/* take SAMPLE: read every thread of the programs. Returns 1 when all are in untimed waits, 0
 * when one is not, -1 when the kernel does not say (no /proc/PID/syscall). */
static int take(struct sample *s)
{
    s->count = 0;
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        return -1;
    int all_waiting = 1;
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        int pid = atoi(entry->d_name);
        if (pid <= 0)
            continue;
        char path[96], buf[1024];
        if (is_sid(pid)) {
            /* A reaper: its own wake-ups do not count, but once its program has ended it sleeps
             * between rounds of ending what the program left behind: not quiet, ending. */
            long nr = -1;
            snprintf(path, sizeof path, "/proc/%d/syscall", pid);
            if (read_small(path, buf, sizeof buf) == 0 && sscanf(buf, "%ld", &nr) == 1 &&
                (nr == SYS_nanosleep || nr == SYS_clock_nanosleep)) {
                all_waiting = 0;
                if (!full)
                    break;
            }
            continue;
        }
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        if (read_small(path, buf, sizeof buf) < 0)
            continue;
        char *after = strrchr(buf, ')');
        int ppid = 0, pgrp = 0, sid = 0;
        char state = '?';
        if (after == NULL || sscanf(after + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4)
            continue;
        if (!is_sid(sid) && !is_sid(ppid))
            continue;
        if (state == 'Z' || state == 'X')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task", pid);
        DIR *tasks = opendir(path);
        if (tasks == NULL)
            continue;
        struct dirent *t;
        while ((t = readdir(tasks)) != NULL && s->count < MAX_TASKS) {
            int tid = atoi(t->d_name);
            if (tid <= 0)
                continue;
            struct task *k = &s->tasks[s->count];
            memset(k, 0, sizeof *k);
            k->pid = pid;
            k->tid = tid;
            snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
            if (read_small(path, buf, sizeof buf) < 0)
                continue;
            char *open = strchr(buf, '('), *close = strrchr(buf, ')');
            if (open == NULL || close == NULL || close < open)
                continue;
            snprintf(k->comm, sizeof k->comm, "%.*s", (int)(close - open - 1), open + 1);
            k->state = close[2];
            snprintf(path, sizeof path, "/proc/%d/task/%d/schedstat", pid, tid);
            if (read_small(path, buf, sizeof buf) == 0)
                sscanf(buf, "%llu %*u %llu", &k->run_ns, &k->slices);
            snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", pid, tid);
            if (read_small(path, buf, sizeof buf) < 0) {
                closedir(tasks);
                closedir(proc);
                return -1;
            }
            k->nr = -1;
            if (sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx", &k->nr, &k->args[0], &k->args[1],
                       &k->args[2], &k->args[3], &k->args[4], &k->args[5]) < 1)
                k->nr = -1; /* "running" */
            s->count++;
            int stopped = k->state == 'T' || k->state == 't';
            if (!stopped && (k->state != 'S' || (!untimed_wait(k->nr, k->args) && !timers)))
                all_waiting = 0;
        }
        closedir(tasks);
        if (!all_waiting && !full)
            break;
    }
    closedir(proc);
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        s->sizes[i] = stat(files[i], &st) == 0 ? (long long)st.st_size : -1;
    }
    return all_waiting;
}

static int same(const struct sample *a, const struct sample *b)
{
    if (a->count != b->count)
        return 0;
    for (int i = 0; i < a->count; i++) {
        const struct task *x = &a->tasks[i], *y = &b->tasks[i];
        if (x->tid != y->tid || x->state != y->state || x->nr != y->nr || x->run_ns != y->run_ns ||
            x->slices != y->slices)
            return 0;
    }
    for (int i = 0; i < nfiles; i++)
        if (a->sizes[i] != b->sizes[i])
            return 0;
    return 1;
}

static const char *call_name(long nr)
{
    switch (nr) {
    case SYS_read:
        return "read";
    case SYS_readv:
        return "readv";
    case SYS_recvfrom:
        return "recv";
    case SYS_recvmsg:
        return "recvmsg";
    case SYS_accept:
        return "accept";
    case SYS_accept4:
        return "accept4";
    case SYS_write:
        return "write";
    case SYS_writev:
        return "writev";
    case SYS_sendto:
        return "send";
    case SYS_sendmsg:
        return "sendmsg";
    case SYS_wait4:
        return "wait";
    case SYS_waitid:
        return "waitid";
    case SYS_openat:
        return "open";
#ifdef SYS_poll
    case SYS_poll:
        return "poll";
#endif
#ifdef SYS_select
    case SYS_select:
        return "select";
#endif
#ifdef SYS_pause
    case SYS_pause:
        return "pause";
#endif
    case SYS_pselect6:
        return "pselect";
    case SYS_ppoll:
        return "ppoll";
    case SYS_epoll_pwait:
        return "epoll_pwait";
    case SYS_rt_sigsuspend:
        return "sigsuspend";
    case SYS_rt_sigtimedwait:
        return "sigtimedwait";
    case SYS_futex:
        return "futex";
    default:
        return NULL;
    }
}

/* describe_fd: what descriptor fd of pid is, in a student's words. */
static void describe_fd(int pid, long fd, char *out, size_t size)
{
    char path[96], target[256];
    snprintf(path, sizeof path, "/proc/%d/fd/%ld", pid, fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        snprintf(out, size, "fd %ld", fd);
        return;
    }
    target[n] = '\0';
    const char *what = strncmp(target, "socket:", 7) == 0 ? "a socket"
                       : strncmp(target, "pipe:", 5) == 0 ? "a pipe"
                       : strstr(target, ".in") != NULL    ? "what the test types"
                                                          : target;
    if (fd == 0)
        snprintf(out, size, "fd 0, its stdin (%s)", what);
    else
        snprintf(out, size, "fd %ld (%s)", fd, what);
}

static void write_why(const char *path, const struct sample *s)
{
    FILE *out = fopen(path, "w");
    if (out == NULL)
        return;
    for (int i = 0; i < s->count; i++) {
        const struct task *k = &s->tasks[i];
        if (k->tid != k->pid)
            continue; /* one line per program: its main thread */
        const char *name = call_name(k->nr);
        char fd[320] = "";
        int takes_fd = k->nr == SYS_read || k->nr == SYS_readv || k->nr == SYS_recvfrom ||
                       k->nr == SYS_recvmsg || k->nr == SYS_accept || k->nr == SYS_accept4 ||
                       k->nr == SYS_write || k->nr == SYS_sendto || k->nr == SYS_sendmsg;
        if (takes_fd) {
            char what[300];
            describe_fd(k->pid, (long)k->args[0], what, sizeof what);
            snprintf(fd, sizeof fd, " on %s", what);
        }
        if (k->state == 'T' || k->state == 't')
            fprintf(out, "%s (pid %d): stopped by a signal\n", k->comm, k->pid);
        else
            fprintf(out, "%s (pid %d): blocked in %s()%s\n", k->comm, k->pid, name ? name : "?",
                    fd);
    }
    fclose(out);
}

static unsigned long long cpu_ms(const struct sample *s)
{
    unsigned long long ns = 0;
    for (int k = 0; k < s->count; k++)
        ns += s->tasks[k].run_ns;
    return ns / 1000000;
}

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* watch_loop STATE WHY: --watch. Never returns but on an error (2). */
static int watch_loop(const char *state, const char *why)
{
    static struct sample last, now;
    full = 1; /* every sample whole: its CPU time is wanted, and a change anywhere counts */
    /* The caller is a test's shell: when it goes, so does this. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* Nothing inherited stays open here: not bats' output pipes, not a test's stdin FIFOs. */
    for (int other = 3; other < 1024; other++)
        close(other);
    int fd = open(state, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(state);
        return 2;
    }
    /* A sample's time is when it began (it shows nothing older); a change's, when the sample
     * that saw it ended (it happened no later). */
    long long sampled = now_us();
    int waiting = take(&last);
    if (waiting < 0)
        return 2;
    long long changed = now_us();
    unsigned long long cpu0 = cpu_ms(&last);
    if (waiting == 1 && why != NULL)
        write_why(why, &last);
    struct timespec tick = {0, 20 * 1000000L};
    for (int first = 1;; first = 0) {
        if (!first) {
            nanosleep(&tick, NULL);
            sampled = now_us();
            waiting = take(&now);
            if (waiting < 0)
                return 2;
            int moved = !same(&last, &now);
            if (moved || waiting != 1)
                changed = now_us();
            if (moved && waiting == 1 && why != NULL)
                write_why(why, &now);
            last = now;
        }
        /* One fixed-width line, rewritten in place: a reader sees the old line or the new. */
        char line[96];
        int n = snprintf(line, sizeof line, "%020lld %020lld %d %012llu %012llu\n", sampled,
                         changed, waiting == 1, cpu0, cpu_ms(&last));
        if (pwrite(fd, line, (size_t)n, 0) != n)
            return 2;
    }
}

int main(int argc, char **argv)
{
    long ms = 300;
    const char *why = NULL, *watch = NULL;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
            ms = atol(argv[++i]);
        else if (strcmp(argv[i], "--why") == 0 && i + 1 < argc)
            why = argv[++i];
        else if (strcmp(argv[i], "--timers") == 0)
            timers = 1;
        else if (strcmp(argv[i], "--cpu") == 0)
            cpu = full = 1;
        else if (strcmp(argv[i], "--watch") == 0 && i + 1 < argc)
            watch = argv[++i];
        else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc && nfiles < MAX_FILES)
            files[nfiles++] = argv[++i];
        else {
            fprintf(stderr, "usage: quiet [--ms N] [--timers] [--why FILE] [--file PATH]... "
                            "SID...\n       quiet --watch STATE [--timers] [--why FILE] "
                            "[--file PATH]... SID...\n       quiet --cpu SID...\n");
            return 2;
        }
    }
    for (; i < argc && nsids < MAX_SIDS; i++)
        if (atoi(argv[i]) > 0)
            sids[nsids++] = atoi(argv[i]);
    if (cpu && nsids == 0) {
        printf("0\n");
        return 0;
    }
    if (watch != NULL)
        return watch_loop(watch, why);
    if (nsids == 0 || ms <= 0)
        return 1;

    static struct sample first, now;
    int waiting = take(&first);
    if (cpu) {
        printf("%llu\n", cpu_ms(&first));
        return 0;
    }
    if (waiting < 0)
        return 2;
    if (!waiting || first.count == 0)
        return 1;
    struct timespec start, tick = {0, 20 * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        nanosleep(&tick, NULL);
        waiting = take(&now);
        if (waiting != 1 || !same(&first, &now))
            return 1;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long elapsed = (t.tv_sec - start.tv_sec) * 1000 + (t.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= ms)
            break;
    }
    if (why != NULL)
        write_why(why, &now);
    return 0;
}
