// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hostscan.c - the whole-host discovery policy. */
#include <string.h>
#include <unistd.h>
#include "discover/hostscan.h"

void hostscan_init(struct hostscan *hs, struct discover *d, hostscan_profiled_fn is_profiled,
		   hostscan_verdict_fn verdict, void *ctx)
{
	memset(hs, 0, sizeof(*hs));
	hs->disc = d;
	hs->is_profiled = is_profiled;
	hs->verdict = verdict;
	hs->ctx = ctx;
	hs->clk_tck = (unsigned long long)sysconf(_SC_CLK_TCK);
}

void hostscan_free(struct hostscan *hs)
{
	hashmap_free(&hs->seen);
}

/* FNV-1a */
static __u64 comm_hash(const char *comm)
{
	__u64 h = 0xcbf29ce484222325ULL;

	for (; *comm; comm++)
		h = (h ^ (unsigned char)*comm) * 0x100000001b3ULL;
	return h;
}

/* A seen entry's value: its comm's hash (32 bits of it) and the scan that last met it. */
static __u64 seen_value(const struct hostscan *hs, const char *comm)
{
	return (comm_hash(comm) & 0xffffffffULL) | (__u64)hs->scans << 32;
}

static void mark_seen(struct hostscan *hs, pid_t pid, unsigned long long start, const char *comm)
{
	hashmap_put(&hs->seen, ((__u64)pid << 32) ^ start, start, seen_value(hs, comm));
}

static int was_seen(struct hostscan *hs, pid_t pid, unsigned long long start, const char *comm)
{
	/* exec keeps pid and start time but changes comm: a changed comm is probed again. */
	__u64 *h = hashmap_get(&hs->seen, ((__u64)pid << 32) ^ start, start);

	if (!h || (__u32)*h != (__u32)seen_value(hs, comm))
		return 0;
	*h = seen_value(hs, comm); /* met in this scan: still there */
	return 1;
}

/* hashmap_retain: an entry met in the scan just made (or the one before: hostscan_consider). */
static int seen_lately(void *ctx, struct hashmap_slot *slot)
{
	const struct hostscan *hs = ctx;

	return (slot->val >> 32) + 1 >= hs->scans;
}

/* Look at a pid not seen before (or reused, or exec'd). 1: settled, 0: look again later. */
static int consider(struct hostscan *hs, pid_t pid)
{
	unsigned long long start;
	struct ruby_target t;
	char comm[COMM_LEN], why[128];
	enum probe_result r;

	if (pid == getpid() || proc_stat_read(pid, comm, &start))
		return 1;
	if (hs->is_profiled(hs->ctx, pid, start) || was_seen(hs, pid, start, comm))
		return 1;
	if (hs->wanted && !hs->wanted(hs->ctx, pid))
		return 1;
	r = discover_probe(hs->disc, pid, &t, why, sizeof(why));
	if (r == PROBE_RUBY) {
		/* seen: one the sampler could not take is not probed (and said) again each scan */
		hs->verdict(hs->ctx, r, &t, why);
		mark_seen(hs, pid, start, comm);
		return 1;
	}
	if (r == PROBE_GONE)
		return 1;
	/*
	 * A process caught between execve() and the dynamic linker mapping libruby looks like no
	 * Ruby, and one caught before the linker has relocated libruby has no TLS module id yet:
	 * only a process old enough (1 s) to be past that is remembered as not Ruby or failed.
	 */
	if ((r == PROBE_NOT_RUBY || r == PROBE_FAILED) && start + hs->clk_tck > hs->scan_ticks)
		return 0;
	hs->verdict(hs->ctx, r, &t, why);
	mark_seen(hs, pid, start, comm);
	return 1;
}

static void consider_pid(void *ctx, pid_t pid)
{
	consider(ctx, pid);
}

int hostscan_run(struct hostscan *hs)
{
	int err;

	hs->scan_ticks = proc_uptime_ticks(hs->clk_tck);
	hs->scans++;
	err = proc_each_pid(consider_pid, hs);
	/*
	 * Forget the processes this scan did not meet (they have exited): what is remembered is
	 * what runs now, not every process the host ever ran. On ENOMEM it stays as it was.
	 */
	if (!err)
		hashmap_retain(&hs->seen, seen_lately, hs);
	return err;
}

int hostscan_consider(struct hostscan *hs, pid_t pid)
{
	hs->scan_ticks = proc_uptime_ticks(hs->clk_tck);
	return consider(hs, pid);
}
