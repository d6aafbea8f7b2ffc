/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dump.h - --dump: one thread's backtrace as Ruby prints one, innermost frame first:
 *     Thread 4243 "worker": blocked in read (Thread#status: sleep)
 *         /app/job.rb:12:in 'Job#fetch'
 * A C method takes the file and line of its caller, as in Ruby's own backtraces. Every name
 * (thread, method, file) is printed clean: no control byte of it reaches the terminal.
 */
#ifndef RBPROF_DUMP_H
#define RBPROF_DUMP_H

#include <stdio.h>
#include "aggregate/aggregate.h"
#include "rubyvm/thread_state.h"

struct dump_thread {
	int tid, main;	  /* main: the process's first thread */
	const char *name; /* its comm */
	int on_cpu;	  /* running on a CPU as it was looked at */
	__u32 flags;	  /* rbprof.h RBPROF_EV_GVL_WAIT ... of a thread not running */
	const struct ruby_thread_vm_state *vm; /* NULL: not known */
	const __u32 *ids;		       /* its stack, root first (aggregate ids) */
	__u32 n;
};

/*
 * The line above a process's threads: "Process PID (COMM), Ruby VERSION, N threads". The name
 * and the version come from the process (its comm, its memory): printed clean. 0 or -errno.
 */
int dump_process_write(FILE *out, int pid, const char *comm, const char *version, size_t threads,
		       int first);

/* Print thread d. 0 or -errno (a write error, ENOMEM). */
int dump_thread_write(FILE *out, const struct aggregate *a, const struct dump_thread *d);

#endif /* RBPROF_DUMP_H */
