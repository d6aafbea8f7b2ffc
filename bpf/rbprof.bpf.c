// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rbprof.bpf.c - the sampler: on each cpu-clock sample, if the interrupted task belongs to a
 * registered Ruby process, walk that thread's Ruby control frames and send their identities
 * (iseq + pc, or method entry) to user space through a ring buffer. No strings are read here.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "rbprof.h"

#define RBPROF_READ_USER(dst, size, src) bpf_probe_read_user(dst, size, (const void *)(src))
#include "ruby_walk.h"

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

/* Walker scratch, one per CPU: a perf_event program does not nest on its CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rbprof_walk_scratch);
} scratch SEC(".maps");

/* enum rbprof_counter -> count, per CPU so that no atomic is needed on the hot path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RBPROF_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/*
 * Samples to user space. The loader sizes it before load (see ringbuf_bytes() in
 * user/sampler.c): about half a second of samples from every CPU at the chosen rate with a
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

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		(*v)++;
}

SEC("perf_event")
int rbprof_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, zero = 0, size;
	struct rbprof_walk_scratch *s;
	struct rbprof_proc *proc;
	struct task_struct *task;
	__u64 tp, ec, wakeup;
	int err;

	count(RBPROF_CNT_SAMPLES);
	proc = bpf_map_lookup_elem(&procs, &tgid);
	if (!proc)
		return 0;
	count(RBPROF_CNT_RUBY);
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;

	task = (struct task_struct *)bpf_get_current_task();
	tp = BPF_CORE_READ(task, thread.fsbase);
	err = rbprof_find_ec(proc, tp, &ec);
	if (!err)
		err = rbprof_walk(proc, ec, s);
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
