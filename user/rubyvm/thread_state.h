/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * thread_state.h - what the VM says of one of its threads (rb_thread_t): its status, whether
 * it is in a blocking region (the GVL released for I/O or a C extension's call), whether it
 * holds the GVL; and, for Ruby <= 2.7, which has no thread-local EC, its threads' list.
 */
#ifndef RBPROF_THREAD_STATE_H
#define RBPROF_THREAD_STATE_H

#include <linux/types.h>
#include "layouts/layout.h"
#include "rubyvm/memread.h"

/* vm_core.h: enum rb_thread_status (the same from 1.9 to 4.0) */
enum ruby_thread_status {
	RUBY_THREAD_RUNNABLE = 0,
	RUBY_THREAD_STOPPED = 1,
	RUBY_THREAD_STOPPED_FOREVER = 2,
	RUBY_THREAD_KILLED = 3,
};

struct ruby_thread_vm_state {
	int status;		/* enum ruby_thread_status */
	int in_blocking_region; /* blocking_region_buffer set: the GVL released around a call */
	int holds_gvl;		/* the GVL's (or the ractor scheduler's) running thread is it */
	__u64 sched;		/* where the GVL holder is kept, minus sched_running (0: none) */
};

/*
 * Bytes of rb_thread_t read at once for its status, blocking region and scheduler (at 16,
 * ~100 and ~120 in 3.x): one read of the process instead of three. A layout that puts them
 * farther apart is refused (no Ruby does).
 */
#define RUBY_THREAD_SPAN_MAX 512

/*
 * The bytes of rb_thread_t ruby_thread_vm_state reads, from th + *lo, *len of them (read
 * ahead by the caller, they cost no read of their own). 0, or -ENOTSUP.
 */
int ruby_thread_span(const struct ruby_layout *L, __u32 *lo, __u32 *len);

/*
 * The state of thread `th` (an rb_thread_t in the process m reads). 0, -ENOTSUP if layout L
 * does not say where it is, or -errno of a read.
 */
int ruby_thread_vm_state(const struct ruby_layout *L, struct memread *m, __u64 th,
			 struct ruby_thread_vm_state *out);

/*
 * Threads a list of living threads is followed for at most (a process's threads: a hostile or
 * torn list is cut there).
 */
#define RUBY_LIVING_THREADS_MAX 4096

/*
 * Ruby <= 2.7: the rb_thread_t of the thread whose pthread id (its thread pointer) is `tp`,
 * found in the VM's living_threads from the thread of the global EC `ec` (any thread names
 * its VM). 0, -ESRCH if none has it, -ENOTSUP without the layout's offsets, -errno of a read.
 */
int ruby_thread_by_tp(const struct ruby_layout *L, struct memread *m, __u64 ec, __u64 tp,
		      __u64 *th);

#endif /* RBPROF_THREAD_STATE_H */
