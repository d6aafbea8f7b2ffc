/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * threads.h - with --threads, a frame per thread between a process and its stack:
 * "thread NAME [TID]", the name from /proc/PID/task/TID/comm (Thread#name, Puma's
 * "puma srv tp 001"), read when the thread is first seen.
 */
#ifndef RBPROF_THREADS_H
#define RBPROF_THREADS_H

#include <sys/types.h>
#include "aggregate/aggregate.h"

/*
 * Threads named per process; a process that makes more (threads are cheap to make, and a
 * hostile one may make them to grow our memory) shares one "thread (others)" frame past it.
 */
#define THREADS_MAX 4096

struct thread_table {
	struct hashmap by_tid; /* tid -> struct iseq_info * (its label, no path) */
	struct iseq_info *others;
};

/* The frame id of thread tid of process pid. 0 or -ENOMEM. */
int thread_frame(struct thread_table *t, struct aggregate *a, pid_t pid, pid_t tid, __u32 *id);

void thread_table_free(struct thread_table *t);

#endif /* RBPROF_THREADS_H */
