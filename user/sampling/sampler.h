/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sampler.h - the BPF side's lifecycle: open -> configure -> load -> attach the clock (a perf
 * event per online CPU, or the scheduler tick's tracepoint); register Ruby processes; poll the
 * ring buffer; read the counters.
 */
#ifndef RBPROF_SAMPLER_H
#define RBPROF_SAMPLER_H

#include <sys/types.h>
#include <linux/types.h>
#include "common/hashmap.h"
#include "sampling/sample_clock.h"
#include "rbprof.h"

struct rbprof_bpf;
struct bpf_link;
struct bpf_program;
struct ring_buffer;

/*
 * Called for each sample; `ev` holds ev->nframes frames (validated against the record size).
 * A process event (ev->flags & RBPROF_EV_PROC_EVENTS, no frames) comes the same way.
 */
typedef void (*sampler_event_fn)(void *ctx, const struct rbprof_event *ev);

struct sampler {
	struct rbprof_bpf *skel;
	struct bpf_program *prog;  /* the form of the sampler loaded (rbprof.bpf.c) */
	struct sample_clock clock; /* what triggers it */
	struct bpf_link **links;   /* the perf clock's, one per online CPU; or the tick's one */
	int nlinks;
	int ncpus; /* CPUs sampled: those online at attach */
	/* the process events' raw tracepoints (exec, fork, exit); NULL where one failed */
	struct bpf_link *proc_links[3];
	struct bpf_link *states_link;	   /* the thread-state iterator's, made at its first use */
	struct bpf_link *switch_link;	   /* --wall: rbprof_switch's */
	struct bpf_link *thread_exit_link; /* --wall: rbprof_thread_exit's */
	int proc_events; /* all three attached: processes are followed as they come */
	struct ring_buffer *rb;
	sampler_event_fn on_event;
	void *ctx;
	__u64 bad_records;		       /* ring-buffer records of an impossible size */
	struct hashmap registered;	       /* pid -> 1 while in the procs map */
	__u16 filter_refs[RBPROF_FILTER_BITS]; /* registered pids per bit of tgid_filter */
	/*
	 * Bits of the kernel's settled-iseq bitmap (rbprof.h) cleared for good: an iseq not
	 * settled hashes there, and its frames need their owners captured.
	 */
	__u64 unshared[RBPROF_SETTLED_BITS / 64];
	__u64 bits_unshared;
};

/*
 * Open and load the BPF object with the sampler of `clock`, whose rate sizes the ring buffer;
 * with thread_states, the task iterator of sampler_thread_states too (--wall, --dump: Linux
 * 5.15+, which a CPU profile does not need). 0 or -errno.
 */
int sampler_load(struct sampler *s, const struct sample_clock *clock, int thread_states,
		 sampler_event_fn fn, void *ctx);
/* Sample every online CPU on the clock loaded. 0 or -errno. */
int sampler_attach(struct sampler *s);
/* The ticks the CPUs have taken since the tick clock was attached (0 on the perf clock). */
__u64 sampler_ticks(struct sampler *s);
/*
 * Follow exec, fork and exit through the ring buffer (RBPROF_EV_PROC_EVENTS); with
 * follow_forks, a registered process's children are registered at fork. 0, or -errno if the
 * kernel refused one (the loader's scans of /proc are then all there is).
 */
int sampler_attach_proc_events(struct sampler *s, int follow_forks);
/*
 * Sample pid's threads as `p` says (or update what it says). 0 or -errno: -E2BIG when the
 * kernel's table of processes is full (sampler_max_procs; RBPROF_MAX_PROCS=N shrinks it).
 */
int sampler_add_proc(struct sampler *s, __u32 pid, const struct rbprof_proc *p);
__u32 sampler_max_procs(const struct sampler *s);
/* The form of the sampler loaded, named: its program and how it walks the frames. */
const char *sampler_form(const struct sampler *s);
void sampler_del_proc(struct sampler *s, __u32 pid);
/* Forget the pids deleted since: the registry holds the processes sampled now, not all seen. */
void sampler_forget_exited(struct sampler *s);
/* pid was registered by the sampler itself, at fork (RBPROF_EV_FORK): count it as ours. */
int sampler_adopt_proc(struct sampler *s, __u32 pid);
/* Deliver what the ring buffer holds, waiting up to timeout_ms. >= 0 or -errno (-EINTR ok). */
int sampler_poll(struct sampler *s, int timeout_ms);
/*
 * The thread pointer (user FS base) of thread `tid` of process `pid`, read by the task
 * iterator without stopping the process. 0, or -ESRCH (no such thread) / -errno.
 */
int sampler_thread_pointer(struct sampler *s, pid_t pid, pid_t tid, __u64 *tp);
/*
 * --wall: follow the context switches of the registered processes' threads into the threads
 * map (rbprof.bpf.c rbprof_switch, rbprof_thread_exit); the calling thread is the loader's,
 * whose switches in flag the thread they displace. 0 or -errno.
 */
int sampler_attach_wall(struct sampler *s);
typedef void (*sampler_thread_fn)(void *ctx, const struct rbprof_thread_state *st);
/*
 * Every thread of every registered process as the scheduler has it now (rbprof.bpf.c
 * rbprof_thread_states), one call of fn each. 0 or -errno.
 */
int sampler_thread_states(struct sampler *s, sampler_thread_fn fn, void *ctx);
/*
 * --wall: put the threads of registered process pid in the threads map (those that have not
 * run since it was registered are not there yet). 0 or -errno.
 */
int sampler_seed_threads(struct sampler *s, __u32 pid);
/*
 * --wall: every thread of the registered processes in the threads map, one call of fn each
 * (a few syscalls for all of them). 0 or -errno.
 */
int sampler_wall_threads(struct sampler *s, sampler_thread_fn fn, void *ctx);
/*
 * A symbolizer_settle_fn (rubyvm/symbolize.h), ctx the sampler: iseq settled, set its bit of
 * the kernel's bitmap; not settled but its frame came without its owner, clear the bit for
 * good (it is shared with a settled iseq's), so that the kernel captures both from then on.
 */
void sampler_settle(void *ctx, __u64 iseq, int settled);
/* The kernel's bitmap of settled iseqs (rbprof.h), for a walker in user space to use too. */
const struct rbprof_settled *sampler_settled(struct sampler *s);
/* Sum of the per-CPU counters. */
int sampler_counters(struct sampler *s, __u64 out[RBPROF_CNT_MAX]);
void sampler_close(struct sampler *s);

#endif /* RBPROF_SAMPLER_H */
