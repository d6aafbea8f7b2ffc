// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fixture_capture.c - stop a live Ruby process and record what sampling each thread reads. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include "devtools/fixture.h"
#include "discover/probe.h"
#include "discover/procfs.h"

/* discover: the main thread's thread pointer, read while it is stopped for a moment. */
static int ptrace_thread_pointer(void *ctx, pid_t pid, __u64 *tp)
{
	struct user_regs_struct regs;
	int err = 0;

	(void)ctx;
	if (ptrace(PTRACE_SEIZE, pid, 0, 0))
		return -errno;
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) || waitpid(pid, NULL, __WALL) < 0 ||
	    ptrace(PTRACE_GETREGS, pid, 0, &regs))
		err = -errno;
	else
		*tp = regs.fs_base;
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return err;
}

/*
 * What the scheduler says of thread tid before it is stopped (a stopped thread is in state
 * 't'), as the BPF task iterator would: its state (R 0, S 1, D 2), whether it runs ("running"
 * in /proc/PID/task/TID/syscall) and the system call it is blocked in.
 */
static void sched_state(pid_t pid, pid_t tid, struct fixture *f, int i)
{
	char path[80], buf[512], state;
	FILE *fp;

	f->sched[i].state = 1;
	f->sched[i].on_cpu = 0;
	f->sched[i].syscall = -1;
	if (!proc_thread_state(pid, tid, &state))
		f->sched[i].state = state == 'R' ? 0 : state == 'D' ? 2 : 1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
	if ((fp = fopen(path, "re"))) {
		if (fgets(buf, sizeof(buf), fp)) {
			f->sched[i].on_cpu = !strncmp(buf, "running", 7);
			if (!f->sched[i].on_cpu)
				f->sched[i].syscall = strtoll(buf, NULL, 10);
		}
		fclose(fp);
	}
}

/*
 * The thread pointers of every thread of pid, stopped with PTRACE_SEIZE + INTERRUPT; with
 * f->has_states, what the scheduler said of each just before.
 */
static int stop_threads(pid_t pid, pid_t *tids, __u64 *tp, int *n, struct fixture *f)
{
	char path[64];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	*n = 0;
	while ((de = readdir(dir)) && *n < FIXTURE_MAX_THREADS) {
		struct user_regs_struct regs;
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid <= 0)
			continue;
		if (f->has_states)
			sched_state(pid, tid, f, *n);
		if (ptrace(PTRACE_SEIZE, tid, 0, 0))
			continue;
		ptrace(PTRACE_INTERRUPT, tid, 0, 0);
		waitpid(tid, NULL, __WALL);
		tids[*n] = tid;
		tp[*n] = ptrace(PTRACE_GETREGS, tid, 0, &regs) ? 0 : regs.fs_base;
		(*n)++;
	}
	closedir(dir);
	return *n ? 0 : -ESRCH;
}

int fixture_capture(pid_t pid, const char *path)
{
	struct fixture f = {0};
	struct discover d;
	struct ruby_target t;
	struct procmem pm;
	pid_t tids[FIXTURE_MAX_THREADS];
	char why[128], *text = NULL;
	int err, i;

	discover_init(&d);
	d.thread_pointer = ptrace_thread_pointer;
	if (discover_probe(&d, pid, &t, why, sizeof(why)) != PROBE_RUBY) {
		discover_free(&d);
		return -ENOTSUP;
	}
	discover_free(&d);
	snprintf(f.version, sizeof(f.version), "%s", t.version);
	f.bpf = t.bpf;
	f.global_symbols = t.global_symbols;
	f.vm_ptr_addr = t.vm_ptr_addr;
	procmem_init(&pm, pid);
	memrecord_init(&f.mem, &pm.base);
	/* RBPROF_CAPTURE_WALL=1: a wall fixture (fixture.h has_states) */
	f.has_states = getenv("RBPROF_CAPTURE_WALL") && !strcmp(getenv("RBPROF_CAPTURE_WALL"), "1");
	err = stop_threads(pid, tids, f.tp, &f.nthreads, &f);
	if (!err)
		err = fixture_profile(&f, &f.mem.base, &text);
	for (i = 0; i < f.nthreads; i++)
		ptrace(PTRACE_DETACH, tids[i], 0, 0);
	if (!err)
		err = fixture_save(&f, text, path);
	free(text);
	memrecord_free(&f.mem);
	return err;
}
