// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * count.bpf.c - make bench's trivial sampler: it only counts, on the same two triggers as
 * bpf/rbprof.bpf.c (a cpu-clock perf event; every Nth scheduler tick, seen by the
 * hrtimer_expire_entry raw tracepoint), so that what a trigger costs a workload is measured
 * apart from what rbprof-bpf's walk costs it (bench/lib/clock_cost.rb).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "tick_clock.h"

/* Per CPU: the samples counted. One slot: nothing to size. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void bump(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&counts, &zero);

	if (n)
		++*n;
}

SEC("perf_event")
int count_perf(void *ctx)
{
	bump();
	return 0;
}

SEC("raw_tp/hrtimer_expire_entry")
int count_tick(struct bpf_raw_tracepoint_args *ctx)
{
	if (tick_due(ctx))
		bump();
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
