/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.h - what the profiler says about its own run on stderr (never stdout, which holds
 * the profile): a notice for each process it profiles or cannot profile, and the summary at
 * the end (samples, processes, losses, the loader's own cost).
 */
#ifndef RBPROF_REPORT_H
#define RBPROF_REPORT_H

#include "aggregate/proc_table.h"
#include "rubyvm/symcache.h"
#include "discover/probe.h"
#include "rbprof.h"

/* A process is profiled: its layout notice, if any; with verbose, where its EC is. */
void report_target(const struct ruby_target *t, int verbose, int quiet);

/* Why a Ruby process is not profiled (nothing for PROBE_NOT_RUBY). */
void report_skip(enum probe_result r, const struct ruby_target *t, const char *why);

/*
 * The summary: the sampler's counters `c`, every process of `pt` with its samples, how many
 * Ruby processes could not be profiled, frames not symbolized, samples that user space
 * dropped, and the loader's CPU time and peak RSS.
 */
void report_summary(const __u64 c[RBPROF_CNT_MAX], const struct proc_table *pt, __u32 not_profiled,
		    __u64 dropped);

/*
 * -v: how many Ruby frames came with the owner the kernel captured at sample time, how many
 * iseqs were settled (their frames need none), and how many bits of the kernel's bitmap of
 * settled iseqs were found shared and cleared.
 */
/*
 * --rotate, --push: the intervals written, what the symbol caches held and let go, samples
 * past the aggregate's bounds; with ns_max, the longest an interval's end took.
 */
void report_intervals(__u32 intervals, __u32 errors, const struct symcache *cache, __u64 overflowed,
		      __u64 ns_max);

void report_owners(const struct proc_table *pt, __u64 bits_unshared);

#endif /* RBPROF_REPORT_H */
