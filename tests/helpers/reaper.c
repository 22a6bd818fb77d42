/*
 * reaper - run a student's program under a time limit, and leave nothing of it behind.
 *
 *   reaper SECS COMMAND [ARGS...]
 *
 * Like timeout(1) it runs COMMAND, sends it SIGTERM after SECS seconds (and SIGKILL one second
 * later), and exits with COMMAND's status: 124 when the time ran out, 128+N when a signal N
 * killed it. SIGTERM or SIGINT sent to the reaper are passed on the same way. COMMAND starts
 * with every signal at its default action and none blocked.
 *
 * Unlike timeout(1) it is a child subreaper (prctl(2) PR_SET_CHILD_SUBREAPER): whatever COMMAND
 * forks and abandons, even a child that left the session with setsid(), is re-parented to the
 * reaper instead of init. When COMMAND ends, every such leftover gets SIGTERM, then SIGKILL, and
 * the reaper waits for all of them before it exits. A test that waits for the reaper therefore
 * knows that no process of the program is left. Linux only; a course helper, not a lesson.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* signal_children: send signo to every process whose parent is this one; returns how many. */
static int signal_children(int signo)
{
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        return 0;
    pid_t self = getpid();
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        pid_t pid = (pid_t)atoi(entry->d_name);
        if (pid <= 0)
            continue;
        char path[64], stat[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *file = fopen(path, "r");
        if (file == NULL)
            continue;
        size_t got = fread(stat, 1, sizeof stat - 1, file);
        fclose(file);
        stat[got] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces and parentheses; skip to the last ')'.
         */
        char *after = strrchr(stat, ')');
        int ppid = 0;
        if (after != NULL && sscanf(after + 1, " %*c %d", &ppid) == 1 && ppid == self) {
            kill(pid, signo);
            count++;
        }
    }
    closedir(proc);
    return count;
}

/* reap_all: collect every exited child; record the main child's status. */
static void reap_all(pid_t main_child, int *main_status, int *main_done)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == main_child) {
            *main_status = status;
            *main_done = 1;
        }
    }
}

static void pause_ms(long ms)
{
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&delay, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: reaper SECS COMMAND [ARGS...]\n");
        return 125;
    }
    int limit = atoi(argv[1]);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        perror("reaper: prctl PR_SET_CHILD_SUBREAPER"); /* still a timeout, without the cleanup */

    sigset_t watched, old;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGHUP);
    sigprocmask(SIG_BLOCK, &watched, &old);

    pid_t child = fork();
    if (child < 0) {
        perror("reaper: fork");
        return 125;
    }
    if (child == 0) {
        /* The program starts as from a terminal: every signal at its default action. A
         * background job of a script inherits SIGINT and SIGQUIT ignored, and a program tested
         * for how it handles Ctrl-C must not start with it ignored. */
        for (int signo = 1; signo < NSIG; signo++)
            if (signo != SIGKILL && signo != SIGSTOP)
                signal(signo, SIG_DFL);
        sigemptyset(&old);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "reaper: cannot run %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }

    int main_status = 0, main_done = 0, timed_out = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long deadline_ms = (long)limit * 1000, kill_at_ms = -1;
    while (!main_done) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (kill_at_ms < 0 && elapsed >= deadline_ms) {
            timed_out = 1;
            kill(child, SIGTERM);
            kill_at_ms = elapsed + 1000;
        }
        if (kill_at_ms >= 0 && elapsed >= kill_at_ms)
            kill(child, SIGKILL);
        long wait_ms = kill_at_ms >= 0 ? 100 : deadline_ms - elapsed;
        if (wait_ms > 100)
            wait_ms = 100;
        struct timespec wait = {wait_ms / 1000, (wait_ms % 1000) * 1000000L};
        int signo = sigtimedwait(&watched, NULL, &wait);
        if (signo == SIGTERM || signo == SIGINT || signo == SIGHUP) {
            kill(child, signo == SIGHUP ? SIGTERM : signo);
            if (kill_at_ms < 0)
                kill_at_ms = elapsed + 1000;
        }
        reap_all(child, &main_status, &main_done);
    }

    /* The program is gone. Anything it left behind is our child now: TERM, then KILL. */
    for (int round = 0; round < 50; round++) {
        reap_all(child, &main_status, &main_done);
        if (signal_children(round < 5 ? SIGTERM : SIGKILL) == 0)
            break;
        pause_ms(100);
    }
    reap_all(child, &main_status, &main_done);

    if (timed_out)
        return 124;
    if (WIFSIGNALED(main_status))
        return 128 + WTERMSIG(main_status);
    return WEXITSTATUS(main_status);
}
