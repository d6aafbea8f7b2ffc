// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* threads.c - a frame per thread (--threads). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "aggregate/threads.h"
#include "discover/procfs.h"

/* A thread's name (FRAME_THREAD's info->label), owned by the table. */
static struct iseq_info *label_info(const char *label)
{
	struct iseq_info *info = calloc(1, sizeof(*info));

	if (info && !(info->label = strdup(label))) {
		free(info);
		return NULL;
	}
	return info;
}

int thread_frame(struct thread_table *t, struct aggregate *a, pid_t pid, pid_t tid, __u32 *id)
{
	__u64 *cached = hashmap_get(&t->by_tid, (__u64)tid, 0);
	struct iseq_info *info;
	char comm[COMM_LEN];

	if (cached)
		return aggregate_thread_frame(a, (struct iseq_info *)(uintptr_t)*cached, tid, id);
	if (t->by_tid.len >= THREADS_MAX) {
		if (!t->others && !(t->others = label_info("(others)")))
			return -ENOMEM;
		return aggregate_thread_frame(a, t->others, 0, id);
	}
	/* a thread gone already keeps its id only */
	if (proc_thread_comm(pid, tid, comm))
		comm[0] = 0;
	if (!(info = label_info(comm)))
		return -ENOMEM;
	if (hashmap_put(&t->by_tid, (__u64)tid, 0, (__u64)(uintptr_t)info)) {
		iseq_info_destroy(info);
		return -ENOMEM;
	}
	return aggregate_thread_frame(a, info, tid, id);
}

void thread_table_free(struct thread_table *t)
{
	hashmap_free_values(&t->by_tid, iseq_info_destroy);
	if (t->others)
		iseq_info_destroy(t->others);
	memset(t, 0, sizeof(*t));
}
