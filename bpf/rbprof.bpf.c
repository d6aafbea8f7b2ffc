// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rbprof.bpf.c - the sampler: on each cpu-clock sample (or every Nth scheduler tick, --clock
 * tick), if the interrupted task belongs to a registered Ruby process, walk that thread's Ruby
 * control frames and send their identities (iseq + pc, or method entry) to user space through
 * a ring buffer. No strings are read here.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "rbprof.h"

#define RBPROF_READ_USER(dst, size, src) bpf_probe_read_user(dst, size, (const void *)(src))
/* A global function: verified once (ruby_walk.h) */
#define RBPROF_SUBPROG __attribute__((noinline))
#include "ruby_walk.h"
#include "tick_clock.h"

/*
 * Ruby processes to sample: tgid -> how to find a thread's EC and the layout of its Ruby.
 * Filled and pruned by the loader. 4096 Ruby processes on one host is far more than real
 * hosts run (a big Puma/Sidekiq box has tens); the loader warns when it is full.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rbprof_proc);
} procs SEC(".maps");

/*
 * What every sample touches, in one page of .bss (each page a sample touches costs a TLB
 * miss when the interrupted task has filled the TLB): the filter of registered tgids,
 * hashed (rbprof.h), set and cleared by the loader through the mmap'ed .bss; and the
 * counters (enum rbprof_counter), one cache line per CPU so that no atomic is needed, read
 * by the loader the same way.
 */
__u64 tgid_filter[RBPROF_FILTER_BITS / 64];
struct rbprof_cpu_counters cpu_counters[RBPROF_MAX_CPUS];
/*
 * The iseqs whose frames need no owner captured (rbprof.h: RBPROF_SETTLED_BITS), written by
 * the loader through the mmap'ed .bss: 8 KiB, apart from the page above.
 */
struct rbprof_settled settled_iseqs;

/* 1 if tgid's bit of the filter is set: a registered process, or one that shares its bit. */
static __always_inline int maybe_registered(__u32 tgid)
{
	__u32 bit = rbprof_filter_bit(tgid);

	return (tgid_filter[bit / 64] >> (bit % 64)) & 1;
}

/*
 * Walker scratch, one per CPU: the sampler does not nest on its CPU (a perf event's program,
 * or the tick's in its hardirq; one of them is loaded).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rbprof_walk_scratch);
} scratch SEC(".maps");

/*
 * Samples to user space. The loader sizes it before load (see ringbuf_bytes() in
 * user/sampling/sampler.c): about half a second of samples from every CPU at the chosen rate with a
 * 64-frame stack, so that the 100 ms poll loop never falls behind on a burst.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/*
 * Wake the loader only once this much is waiting in the ring buffer (set by the loader to a
 * quarter of its size). The loader polls every 100 ms anyway; a wakeup per sample (an
 * irq_work and a switch into the loader) costs more than the whole stack walk.
 */
const volatile __u64 wakeup_bytes = 1 << 20;

/*
 * The EC of the current thread of a registered process. Where libruby's TLS block is in
 * static TLS, the offset from the thread pointer is learned from the first thread found
 * through the DTV and kept in the process's entry (proc->learned_tls_offset), so that the
 * samples after it read the EC pointer straight away.
 */
static __always_inline int current_ec(struct rbprof_proc *proc, __u64 *ec)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 tp = BPF_CORE_READ(task, thread.fsbase), loc;
	int err, in_static_tls;

	if (!tp || proc->tls_kind != RBPROF_TLS_DTV)
		return rbprof_find_ec(proc, tp, ec);
	if (proc->learned_tls_offset)
		return rbprof_read_ec(tp + proc->learned_tls_offset, ec);
	err = rbprof_ec_location(proc, tp, &loc, &in_static_tls);
	if (err)
		return err;
	if (in_static_tls)
		proc->learned_tls_offset = loc - tp;
	return rbprof_read_ec(loc, ec);
}

static __always_inline void count(__u32 idx)
{
	/* CPUs past RBPROF_MAX_CPUS share lines: their counts may then lose an increment */
	cpu_counters[bpf_get_smp_processor_id() & (RBPROF_MAX_CPUS - 1)]
	    .c[idx & (RBPROF_CNT_SLOTS - 1)]++;
}

/* bpf_loop's callback: one chunk of the walk (verified once, not once per chunk). */
static long walk_chunk(__u32 c, void *ctx)
{
	return rbprof_walk_chunk(ctx, c);
}

/* The thread's Ruby stack into s->ev: the chunks through bpf_loop, or in a bounded loop. */
static __always_inline int walk(const struct rbprof_proc *proc, __u64 ec,
				struct rbprof_walk_scratch *s, int use_bpf_loop)
{
	struct rbprof_walk_state w;
	int err;

	if (!use_bpf_loop)
		return rbprof_walk(proc, ec, s, &settled_iseqs);
	err = rbprof_walk_begin(proc, ec, s, &settled_iseqs, &w);
	if (err)
		return err;
	bpf_loop(RBPROF_MAX_FRAMES / RBPROF_CHUNK_FRAMES, walk_chunk, &w, 0);
	return rbprof_walk_end(proc, &w);
}

static __always_inline int sample(int use_bpf_loop)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, zero = 0, size;
	struct rbprof_walk_scratch *s;
	struct rbprof_proc *proc;
	__u64 ec, wakeup;
	int err;

	count(RBPROF_CNT_SAMPLES);
	if (!maybe_registered(tgid))
		return 0;
	proc = bpf_map_lookup_elem(&procs, &tgid);
	if (!proc)
		return 0;
	count(RBPROF_CNT_RUBY);
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;

	err = current_ec(proc, &ec);
	if (!err)
		err = walk(proc, ec, s, use_bpf_loop);
	if (err) {
		count(err == RBPROF_WALK_NO_EC	      ? RBPROF_CNT_NO_EC
		      : err == RBPROF_WALK_READ_FAULT ? RBPROF_CNT_READ_FAULT
						      : RBPROF_CNT_BAD_STACK);
		return 0;
	}
	if (s->ev.flags & RBPROF_EV_TRUNCATED)
		count(RBPROF_CNT_TRUNCATED);
	s->ev.pid = tgid;
	s->ev.tid = (__u32)id;
	size = RBPROF_EVENT_HDR_SIZE +
	       (s->ev.nframes & (2 * RBPROF_MAX_FRAMES - 1)) * sizeof(struct rbprof_frame);
	if (size > sizeof(s->ev))
		size = sizeof(s->ev);
	wakeup = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
									       : BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_output(&events, &s->ev, size, wakeup))
		count(RBPROF_CNT_RB_FULL);
	else
		count(RBPROF_CNT_EMITTED);
	return 0;
}

/*
 * The sampler, in one of two forms on one of two clocks; the loader loads one of the four. With
 * bpf_loop (Linux >= 5.17) the verifier checks a chunk of the walk once: 62k instructions, verified
 * in milliseconds. Without it, the chunks run in a bounded loop that it checks chunk by chunk (228k
 * instructions, a quarter of a second at start-up). They run the same code.
 */
SEC("perf_event")
int rbprof_sample(struct bpf_perf_event_data *ctx)
{
	return sample(1);
}

SEC("perf_event")
int rbprof_sample_bounded(struct bpf_perf_event_data *ctx)
{
	return sample(0);
}

/* The tick clock (tick_clock.h): the same sampler on every Nth tick of a CPU. */
static __always_inline int tick(struct bpf_raw_tracepoint_args *ctx, int use_bpf_loop)
{
	return tick_due(ctx) ? sample(use_bpf_loop) : 0;
}

SEC("raw_tp/hrtimer_expire_entry")
int rbprof_tick(struct bpf_raw_tracepoint_args *ctx)
{
	return tick(ctx, 1);
}

SEC("raw_tp/hrtimer_expire_entry")
int rbprof_tick_bounded(struct bpf_raw_tracepoint_args *ctx)
{
	return tick(ctx, 0);
}

/*
 * Process events (rbprof.h: RBPROF_EV_EXEC, _FORK, _EXIT) through the ring buffer, with a
 * wakeup: the loader acts on them at once. Raw tracepoints: no tracefs needed, every kernel
 * the sampler loads on has them.
 */
static __always_inline void proc_event(__u32 pid, __u32 other, __u32 flags, __u64 wakeup)
{
	struct rbprof_event *ev = bpf_ringbuf_reserve(&events, RBPROF_EVENT_HDR_SIZE, 0);

	if (!ev) {
		count(RBPROF_CNT_RB_FULL);
		return;
	}
	ev->pid = pid;
	ev->tid = other;
	ev->nframes = 0;
	ev->flags = flags;
	bpf_ringbuf_submit(ev, wakeup);
}

/* Bytes of an exec's interpreter path looked at for "ruby" (rbenv's, rvm's paths are long). */
#define EXEC_INTERP_MAX 128

/* 1 if "ruby" is in the first n bytes of s (NUL-terminated within them). */
static __always_inline int has_ruby(const char *s, int n)
{
	int i;

	for (i = 0; i + 3 < n && s[i]; i++)
		if (s[i] == 'r' && s[i + 1] == 'u' && s[i + 2] == 'b' && s[i + 3] == 'y')
			return 1;
	return 0;
}

/*
 * Every exec on the host: whether the new image is Ruby is for the loader to find out. One
 * that looks like Ruby (its name, "ruby", "ruby3.3", or a script's interpreter) wakes the
 * loader at once, so that it is probed within milliseconds; the others (a shell's thousands of
 * /bin/true) wait for the next poll, which costs no wakeup each.
 */
SEC("raw_tp/sched_process_exec")
int rbprof_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx->args[0];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
	__u32 tgid = (__u32)BPF_CORE_READ(p, tgid);
	char comm[16], interp[EXEC_INTERP_MAX] = {};
	int rubyish;

	/* a registered process's facts describe the image it had: gone */
	bpf_map_delete_elem(&procs, &tgid);
	bpf_get_current_comm(comm, sizeof(comm)); /* the exec'd file's name by now */
	bpf_probe_read_kernel_str(interp, sizeof(interp), BPF_CORE_READ(bprm, interp));
	rubyish = has_ruby(comm, sizeof(comm)) || has_ruby(interp, sizeof(interp));
	proc_event(tgid, tgid, RBPROF_EV_EXEC, rubyish ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * 1 if a registered process's children are profiled too (the whole host, -s, a command run),
 * set by the loader before it attaches; with -p alone they are not, and are left alone here.
 */
__u32 follow_forks;

/*
 * A registered process forked: the child has its parent's image, so it is registered with the
 * parent's facts here, before it runs, and its first samples count. Threads (a clone that
 * makes no new process) are no concern.
 */
SEC("raw_tp/sched_process_fork")
int rbprof_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	__u32 ptgid = (__u32)BPF_CORE_READ(parent, tgid), ctgid = (__u32)BPF_CORE_READ(child, tgid);
	__u32 bit = rbprof_filter_bit(ctgid);
	struct rbprof_proc *proc;

	if (!follow_forks || ctgid != (__u32)BPF_CORE_READ(child, pid) || ctgid == ptgid)
		return 0;
	proc = bpf_map_lookup_elem(&procs, &ptgid);
	if (!proc)
		return 0;
	if (bpf_map_update_elem(&procs, &ctgid, proc, BPF_ANY))
		return 0;
	__sync_fetch_and_or(&tgid_filter[bit / 64], 1ULL << (bit % 64));
	proc_event(ctgid, ptgid, RBPROF_EV_FORK, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* The last thread of a registered process exits: unregistered, and the loader told. */
SEC("raw_tp/sched_process_exit")
int rbprof_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx->args[0];
	__u32 tgid = (__u32)BPF_CORE_READ(p, tgid);

	if (!maybe_registered(tgid))
		return 0;
	/* the thread group's live count reaches 0 before this tracepoint, on its last thread */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (bpf_map_delete_elem(&procs, &tgid))
		return 0;
	proc_event(tgid, tgid, RBPROF_EV_EXIT, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/*
 * The threads of one process (the loader sets iter_tgid, then reads the iterator): each
 * thread's id and thread pointer as two u64s. Discovery checks what it read out of a stripped
 * libruby's code against the live process with them: the EC found through a thread pointer
 * must be an EC. A task iterator reads them without stopping the process (ptrace would).
 */
__u32 iter_tgid;

SEC("iter/task")
int rbprof_thread_pointers(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 rec[2];

	if (!task || BPF_CORE_READ(task, tgid) != (int)iter_tgid)
		return 0;
	rec[0] = (__u64)BPF_CORE_READ(task, pid);
	rec[1] = BPF_CORE_READ(task, thread.fsbase);
	bpf_seq_write(ctx->meta->seq, rec, sizeof(rec));
	return 0;
}

/*
 * --wall: the loader's thread id, set before it attaches rbprof_switch: the task it displaces
 * when it is switched in is flagged (rbprof_thread_state.displaced).
 */
__u32 loader_tid;

/*
 * --wall: the scheduler's word on every thread of the registered processes, tid -> state,
 * written at each of their context switches (rbprof_switch) and read by the loader once a
 * sample period in one batch: what it costs is per Ruby thread, not per task of the host.
 * Seeded from the task iterator for the threads of a process as it is registered (those that
 * have not run since); a thread's entry goes at its exit (rbprof_thread_exit). 4096 threads:
 * a host's Ruby threads many times over (a big Puma host runs ~1000), 72 bytes each. The
 * loader reads it whole each period, and a batch read visits every bucket: the bound keeps
 * that within ~10 us.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RBPROF_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct rbprof_thread_state);
} threads SEC(".maps");

/* 1 if tgid is a registered process: the bitmap first, as every task of the host comes here. */
static __always_inline int registered(__u32 tgid)
{
	return maybe_registered(tgid) && bpf_map_lookup_elem(&procs, &tgid);
}

/*
 * What the scheduler says of task t now, into st: its ids, thread pointer, state and the
 * system call it is in. t is a trusted task (a tracepoint's typed argument, an iterator's):
 * its fields are read directly, not through bpf_probe_read_kernel.
 */
static __always_inline void fill_state(struct rbprof_thread_state *st, struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	st->pid = t->tgid;
	st->tid = t->pid;
	st->fsbase = t->thread.fsbase;
	st->state = bpf_core_field_exists(t->__state)
			? t->__state
			: (__u64)BPF_CORE_READ((struct task_struct___pre514 *)t, state);
	st->syscall = regs ? (__s64)regs->orig_ax : -1;
	st->arg0 = regs ? regs->di : 0;
}

/*
 * --wall: a thread of a registered process switched out gets its state and system call
 * recorded, one switched in is marked on a CPU. When the loader, woken to sample, takes the
 * CPU of a Ruby thread that could go on running, that thread is flagged displaced: it was
 * running when the sample was due, which makes it a CPU sample's, not a (runnable) one. Every
 * context switch of the host runs this: two bitmap tests for those of other processes (a
 * process that shares a registered one's bit gets entries, which the loader drops).
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(rbprof_switch, unsigned long long preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u32 ptid = prev->pid, ntid = next->pid;
	struct rbprof_thread_state *st, fresh = {};

	if (maybe_registered(prev->tgid)) {
		st = bpf_map_lookup_elem(&threads, &ptid);
		if (!st) {
			fresh.pid = prev->tgid;
			fresh.tid = ptid;
			bpf_map_update_elem(&threads, &ptid, &fresh, BPF_NOEXIST);
			st = bpf_map_lookup_elem(&threads, &ptid);
		}
		if (st) {
			fill_state(st, prev);
			st->on_cpu = 0;
			st->switches++;
			st->displaced = ntid == loader_tid && st->state == RBPROF_TASK_RUNNING;
		}
	}
	if (maybe_registered(next->tgid)) {
		st = bpf_map_lookup_elem(&threads, &ntid);
		if (st) {
			st->on_cpu = 1;
			st->displaced = 0;
		} else {
			fresh.pid = next->tgid;
			fresh.tid = ntid;
			fresh.fsbase = next->thread.fsbase;
			fresh.on_cpu = 1;
			bpf_map_update_elem(&threads, &ntid, &fresh, BPF_NOEXIST);
		}
	}
	return 0;
}

/* --wall: a thread exits: its entry goes (a new thread may reuse its stack and TLS). */
SEC("raw_tp/sched_process_exit")
int rbprof_thread_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *p = (struct task_struct *)ctx->args[0];
	__u32 tid = (__u32)BPF_CORE_READ(p, pid);

	if (registered((__u32)BPF_CORE_READ(p, tgid)))
		bpf_map_delete_elem(&threads, &tid);
	return 0;
}

/*
 * --wall and --dump: every thread of every registered process as it is now: its scheduling
 * state, whether it is on a CPU, how often it has been switched out, and the system call its
 * saved registers say it is in. Read by --dump once, and by --wall as a process is registered,
 * to seed the threads map with the threads that have not run since (the map's entries are
 * made at context switches). One pass over the host's tasks, at a bitmap test each for the
 * tasks of other processes.
 */
SEC("iter/task")
int rbprof_thread_states(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct rbprof_thread_state st = {};

	if (!task || !registered(task->tgid))
		return 0;
	fill_state(&st, task);
	st.on_cpu = (__u64)task->on_cpu;
	st.switches = task->nvcsw + task->nivcsw;
	/* runnable on the CPU this iterator runs on: the loader reading it took that CPU */
	st.displaced = !st.on_cpu && st.state == RBPROF_TASK_RUNNING &&
		       task->thread_info.cpu == bpf_get_smp_processor_id();
	bpf_seq_write(ctx->meta->seq, &st, sizeof(st));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
