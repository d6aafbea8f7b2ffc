/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * launch.h - `rbprof-bpf -- COMMAND ARGS...`: start the command for the profiler, held before
 * its exec until sampling is attached (so that its first samples count), as the user who ran
 * sudo (not root) when run through sudo; then follow it to its exit status. The profiler
 * becomes the subreaper of its processes: a daemonized descendant stays in its tree.
 */
#ifndef RBPROF_LAUNCH_H
#define RBPROF_LAUNCH_H

#include <sys/types.h>

struct launch {
	pid_t pid;
	int go_fd;  /* written once to let the command exec */
	int err_fd; /* the exec's errno, or EOF once it succeeded */
	int status; /* waitpid's, once exited */
	int exited;
};

/*
 * Fork the command, held. 0 or -errno. Under sudo (SUDO_UID, SUDO_GID) the child takes the
 * invoking user's uid, gid, supplementary groups, HOME, USER and LOGNAME.
 */
int launch_start(struct launch *l, char **argv);

/* Let it exec. 0, or the exec's -errno (-ENOENT: no such command; -EACCES: not executable). */
int launch_go(struct launch *l);

/* 1 if it has exited (reaped, status kept), 0 if not. */
int launch_poll(struct launch *l);

/* Send sig to it, if still running. */
void launch_signal(struct launch *l, int sig);

/* rbprof-bpf's exit code for its status: the command's, or 128 + N for a signal N. */
int launch_exit_code(const struct launch *l);

/* Wait for it (after launch_go failed, or at the end); no effect once exited. */
void launch_wait(struct launch *l);

#endif /* RBPROF_LAUNCH_H */
