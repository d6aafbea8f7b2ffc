/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tick_clock.h - the tick clock's trigger (--clock tick), for the BPF programs that sample on
 * it (rbprof.bpf.c's sampler, make bench's counting program): no interrupt of its own. Every
 * busy CPU takes the scheduler tick anyway, HZ times a second, an hrtimer whose expiry the
 * hrtimer_expire_entry raw tracepoint sees, with `current` the task the tick interrupted.
 */
#ifndef RBPROF_TICK_CLOCK_H
#define RBPROF_TICK_CLOCK_H

/*
 * Set by the loader before load: the address of the tick's hrtimer function
 * (tick_nohz_handler; tick_sched_timer before 6.10), from kallsyms; and how many of a CPU's
 * ticks make one sample (the rate is HZ / tick_every).
 */
const volatile __u64 tick_function;
const volatile __u32 tick_every = 1;

/*
 * Ticks taken by each CPU since the clock was attached: a sample on every tick_every-th. Per
 * CPU, so that no atomic is needed and no CPU's count shares a line with another's.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ticks SEC(".maps");

/* 1 if this hrtimer expiry (ctx of raw_tp/hrtimer_expire_entry) is a sample's tick. */
static __always_inline int tick_due(struct bpf_raw_tracepoint_args *ctx)
{
	struct hrtimer *timer = (struct hrtimer *)ctx->args[0];
	__u32 zero = 0;
	__u64 *n;

	/* every hrtimer's expiry comes here: only the tick's goes further */
	if ((__u64)BPF_CORE_READ(timer, function) != tick_function)
		return 0;
	n = bpf_map_lookup_elem(&ticks, &zero);
	return n && ++*n % tick_every == 0;
}

#endif /* RBPROF_TICK_CLOCK_H */
