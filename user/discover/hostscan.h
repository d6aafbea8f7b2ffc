/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hostscan.h - whole-host discovery: which processes to probe on each scan of /proc. A
 * process is probed once, and again if its pid is reused or it execs; one that may still be
 * starting (under a second old, its libruby not mapped or not relocated yet) is probed again
 * on the next scan; the verdict on the others is given once and remembered.
 */
#ifndef RBPROF_HOSTSCAN_H
#define RBPROF_HOSTSCAN_H

#include "common/hashmap.h"
#include "discover/probe.h"

/* 1 if the process `pid` that started at `start` is being profiled already. */
typedef int (*hostscan_profiled_fn)(void *ctx, pid_t pid, unsigned long long start);
/*
 * The verdict on a process probed: PROBE_RUBY (profile it), or why it is not profiled
 * (PROBE_NOT_RUBY, PROBE_UNSUPPORTED, PROBE_FAILED with `why`), once per process.
 */
typedef void (*hostscan_verdict_fn)(void *ctx, enum probe_result r, struct ruby_target *t,
				    const char *why);

/* 1 if pid is one to profile at all (a descendant of -p's with -s, of a command run); */
typedef int (*hostscan_wanted_fn)(void *ctx, pid_t pid);

struct hostscan {
	struct discover *disc;
	hostscan_wanted_fn wanted; /* NULL: every process of the host */
	hostscan_profiled_fn is_profiled;
	hostscan_verdict_fn verdict;
	void *ctx;
	/*
	 * (pid, start time) given a verdict -> hash of its comm | the scan that last met it << 32:
	 * pruned after each scan to the processes it met, so that it holds the host's processes
	 * of now, not of every process seen since the start.
	 */
	struct hashmap seen;
	__u64 scans; /* scans of the whole host made so far */
	unsigned long long clk_tck;    /* /proc start times are in these ticks per second */
	unsigned long long scan_ticks; /* uptime in ticks at the start of the current scan */
};

void hostscan_init(struct hostscan *hs, struct discover *d, hostscan_profiled_fn is_profiled,
		   hostscan_verdict_fn verdict, void *ctx);
void hostscan_free(struct hostscan *hs);

/* Look at every process on the host. 0 or -errno (/proc unreadable). */
int hostscan_run(struct hostscan *hs);

/*
 * Look at pid now (it exec'd). 1 if nothing more is to be learned of it (profiled, given its
 * verdict, gone, not wanted), 0 if it may still be starting: look again soon.
 */
int hostscan_consider(struct hostscan *hs, pid_t pid);

#endif /* RBPROF_HOSTSCAN_H */
