/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * proc_table.h - the Ruby processes of this profile. An instance (pid + start time) keeps its
 * id, name and symbol cache until the profile is written, even after it exits or its pid is
 * reused; `live` maps a pid to its current instance.
 */
#ifndef RBPROF_PROC_TABLE_H
#define RBPROF_PROC_TABLE_H

#include "discover/container.h"
#include "discover/probe.h"
#include "common/hashmap.h"
#include "rubyvm/memread.h"
#include "aggregate/threads.h"
#include "rubyvm/symbolize.h"

struct ruby_proc {
	__u32 id;
	struct ruby_target t;
	struct procmem mem;
	struct symbolizer sym;
	struct thread_table threads; /* --threads: its threads' frames */
	__u64 samples;
	__u64 exec_ns; /* found at its exec: when that was reported (-v: pickup time) */
	char container[CONTAINER_SHORT_ID + 1]; /* its container's short id, "" if none */
	pid_t ns_pid; /* its pid in its own pid namespace, 0 if it has only the host's */
	int exited;
};

struct proc_table {
	struct ruby_proc **procs; /* by id */
	__u32 n, cap;
	struct hashmap live; /* pid -> id of its current instance */
	/* What the instances freed by proc_table_free_exited had: the summary's totals. */
	__u32 freed;
	__u64 freed_samples, freed_unsymbolized;
};

void proc_table_init(struct proc_table *pt);
void proc_table_free(struct proc_table *pt);

/* Register a probed Ruby target as a new instance; it becomes the pid's live one. */
struct ruby_proc *proc_table_add(struct proc_table *pt, const struct ruby_target *t);
/*
 * Free the instances that have exited (their samples written: the aggregate is empty), the
 * others renumbered from 0 in their order. Returns how many were freed.
 */
__u32 proc_table_free_exited(struct proc_table *pt);
/* The live instance of pid, or NULL. */
struct ruby_proc *proc_table_live(const struct proc_table *pt, pid_t pid);

#endif /* RBPROF_PROC_TABLE_H */
