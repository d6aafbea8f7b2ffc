/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * wall.h - --wall and --dump: the Ruby stacks of threads that are not on a CPU, and why.
 *
 * The BPF task iterator (rbprof.bpf.c rbprof_thread_states) gives each thread's scheduling
 * state and system call; for a thread not on a CPU, the loader walks its stack with the
 * kernel's walker compiled for the host (walk_host.h), reading the process with
 * process_vm_readv, and gives the stack a leaf that says why the thread is not running
 * (rbprof.h: RBPROF_EV_GVL_WAIT, _RUNNABLE, _OFFCPU). A thread that has not run since its
 * last walk (its context switches unchanged) cannot have changed its stack: its last walk is
 * used again, and only its VM state is read.
 */
#ifndef RBPROF_WALL_H
#define RBPROF_WALL_H

#include "common/hashmap.h"
#include "discover/probe.h"
#include "rbprof.h"
#include "rubyvm/memread.h"
#include "rubyvm/thread_state.h"

/*
 * Threads whose last walk is kept (across all processes): a host's Ruby threads, several
 * times over. Past it, threads are walked every time (the cost of a thread's first walk).
 */
#define WALL_THREADS_MAX 16384

struct wall_thread;
struct prefetch;

struct wall {
	struct hashmap threads; /* (instance << 32 | pid, tid) -> struct wall_thread * */
	struct rbprof_walk_scratch *s;
	struct prefetch *pf; /* a thread's reads, read ahead in one batch */
	/*
	 * The sampler's settled iseqs (rbprof.h), as the kernel's walker has them: their frames
	 * come with their self, the others with their owners captured. NULL: none (every frame
	 * with its env pointer, for the symbolizer to follow).
	 */
	const struct rbprof_settled *settled;
	__u64 tick; /* wall_sweep's count */
	/* what the walks did, for -v */
	__u64 walks, repeats, no_ec, failed;
};

int wall_init(struct wall *w);
void wall_free(struct wall *w);
/* Forget every thread kept (the processes' ids changed): each is looked for anew. */
void wall_forget(struct wall *w);

/*
 * 1 if thread st was running when it was looked at: on a CPU, or runnable only because the
 * loader took its CPU to look (rbprof.h: displaced). Its sample is a CPU sample.
 */
static inline int wall_running(const struct rbprof_thread_state *st)
{
	return st->on_cpu || st->displaced;
}

/*
 * The leaf flags of a thread the scheduler describes as st, whose VM state is vm (NULL: not
 * known): 0 if it was running (wall_running); else RBPROF_EV_GVL_WAIT if it is blocked in futex, the VM
 * has it wanting to run Ruby (status runnable, or back from a blocking region) and another
 * thread holds the GVL; else RBPROF_EV_RUNNABLE if the kernel could run it; else
 * RBPROF_EV_OFFCPU with its system call.
 */
__u32 wall_flags(const struct ruby_thread_vm_state *vm, const struct rbprof_thread_state *st);

/*
 * The stack of thread st of instance `instance` of process t (its memory m) and its wall
 * flags, in *ev (valid until the next call; ev->pid and ev->tid set); *vm its VM state if
 * *vm_ok. 0, -ENOENT if the thread runs no Ruby (it has no EC: a native helper thread, or
 * not set up yet), or -errno.
 */
int wall_sample(struct wall *w, __u32 instance, const struct ruby_target *t, struct memread *m,
		const struct rbprof_thread_state *st, const struct rbprof_event **ev,
		struct ruby_thread_vm_state *vm, int *vm_ok);

/* Once a second: the kept walks of threads not seen for a while (exited) are freed. */
void wall_sweep(struct wall *w);

#endif /* RBPROF_WALL_H */
