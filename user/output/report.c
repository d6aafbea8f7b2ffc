// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* report.c - the notices and the summary on stderr. */
#include <stdio.h>
#include <sys/resource.h>
#include "common/msg.h"
#include "output/report.h"

void report_target(const struct ruby_target *t, int verbose, int quiet)
{
	if (t->origin.source == LAYOUT_DWARF && !quiet)
		msg("pid %d (%s): Ruby %s: %s", t->pid, t->comm, t->version, t->origin.note);
	else if (t->origin.source == LAYOUT_SERIES)
		msg("pid %d (%s): Ruby %s is newer than the layouts checked (%s); using the %s "
		    "layout (%s)",
		    t->pid, t->comm, t->version, ruby_layout_supported(), t->layout->series,
		    t->origin.note);
	if (!verbose)
		return;
	if (t->bpf.tls_kind == RBPROF_EC_GLOBAL) /* Ruby <= 2.7: tls_offset is an address */
		msg("profiling pid %d (%s), Ruby %s in %s, %s, global EC at 0x%llx", t->pid,
		    t->comm, t->version, t->vm_file, libc_name(t->libc),
		    (unsigned long long)t->bpf.tls_offset);
	else
		msg("profiling pid %d (%s), Ruby %s in %s, %s TLS %s mod %llu off %lld", t->pid,
		    t->comm, t->version, t->vm_file, libc_name(t->libc),
		    t->bpf.tls_kind == RBPROF_TLS_STATIC ? "static" : "dtv",
		    (unsigned long long)t->bpf.tls_modid, (long long)t->bpf.tls_offset);
	msg("pid %d (%s): probed in %.1f ms%s%s", t->pid, t->comm, t->probe_ms,
	    t->ec_note[0] ? "; " : "", t->ec_note);
}

void report_skip(enum probe_result r, const struct ruby_target *t, const char *why)
{
	if (r == PROBE_UNSUPPORTED)
		msg("pid %d (%s): unsupported Ruby version %s (supported: %s%s%s)", t->pid, t->comm,
		    t->version, ruby_layout_supported(), t->origin.note[0] ? "; " : "",
		    t->origin.note);
	else if (r == PROBE_FAILED)
		msg("pid %d (%s): cannot profile: %s", t->pid, t->comm, why);
}

/*
 * The loader's own peak RSS in KiB: VmHWM of its memory. Not getrusage's ru_maxrss, which Linux
 * carries over execve() (exec_mmap folds the old mm's peak into it): started from a 60 MiB
 * Ruby script, the loader would report 60 MiB.
 */
static long peak_rss_kib(long fallback)
{
	char val[64];
	long kib;

	if (proc_self_status("VmHWM:", val, sizeof(val)) || sscanf(val, "%ld kB", &kib) != 1)
		return fallback;
	return kib;
}

/* What the loader itself cost: CPU time (getrusage) and peak RSS. */
static void report_loader_usage(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return;
	msg("loader: user %ld.%03ld s, system %ld.%03ld s, peak RSS %ld KiB",
	    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec / 1000, (long)ru.ru_stime.tv_sec,
	    (long)ru.ru_stime.tv_usec / 1000, peak_rss_kib(ru.ru_maxrss));
}

void report_owners(const struct proc_table *pt, __u64 bits_unshared)
{
	__u64 frames = 0, captured = 0, settled = 0;
	__u32 i;

	for (i = 0; i < pt->n; i++) {
		frames += pt->procs[i]->sym.ruby_frames;
		captured += pt->procs[i]->sym.owners_captured;
		settled += pt->procs[i]->sym.settled;
	}
	msg("owners captured in the kernel: %llu of %llu Ruby frames (%.1f%%); "
	    "iseqs settled: %llu; bits unshared: %llu",
	    (unsigned long long)captured, (unsigned long long)frames,
	    frames ? 100.0 * (double)captured / (double)frames : 0.0, (unsigned long long)settled,
	    (unsigned long long)bits_unshared);
}

void report_intervals(__u32 intervals, __u32 errors, const struct symcache *cache, __u64 overflowed,
		      __u64 ns_max)
{
	if (errors)
		msg("intervals written: %u (%u of them failed, each named above)", intervals,
		    errors);
	else
		msg("intervals written: %u", intervals);
	msg("symbol caches: %.1f MiB held, %.1f MiB at most (budget %.0f MiB); %llu frames "
	    "evicted, %llu renamed, %llu not cached for the budget",
	    (double)cache->bytes / (1 << 20), (double)cache->peak / (1 << 20),
	    (double)cache->budget / (1 << 20), (unsigned long long)cache->evicted,
	    (unsigned long long)cache->renamed, (unsigned long long)cache->refused);
	if (overflowed)
		msg("samples past a profile's bounds (in its \"(more stacks than a profile "
		    "keeps)\" "
		    "frame): %llu",
		    (unsigned long long)overflowed);
	if (ns_max)
		msg("the longest end of an interval took %.1f ms", (double)ns_max / 1e6);
}

void report_summary(const __u64 c[RBPROF_CNT_MAX], const struct proc_table *pt, __u32 not_profiled,
		    __u64 dropped)
{
	__u64 unsymbolized = 0;
	__u32 i;

	msg("samples taken: %llu", (unsigned long long)c[RBPROF_CNT_SAMPLES]);
	msg("samples in Ruby processes: %llu", (unsigned long long)c[RBPROF_CNT_RUBY]);
	for (i = 0; i < pt->n; i++) {
		const struct ruby_proc *rp = pt->procs[i];

		unsymbolized += rp->sym.failed;
		msg("process %d (%s) ruby %s: %llu samples%s", rp->t.pid, rp->t.comm, rp->t.version,
		    (unsigned long long)rp->samples, rp->exited ? " (exited)" : "");
	}
	unsymbolized += pt->freed_unsymbolized;
	if (pt->freed)
		msg("processes exited and let go after their samples were written: %u (%llu "
		    "samples)",
		    pt->freed, (unsigned long long)pt->freed_samples);
	msg("Ruby processes not profiled (each named above): %u", not_profiled);
	msg("samples outside Ruby code (thread without Ruby context): %llu",
	    (unsigned long long)c[RBPROF_CNT_NO_EC]);
	msg("samples lost (ring buffer full): %llu", (unsigned long long)c[RBPROF_CNT_RB_FULL]);
	msg("samples lost (unreadable stack): %llu",
	    (unsigned long long)(c[RBPROF_CNT_READ_FAULT] + c[RBPROF_CNT_BAD_STACK]));
	msg("stacks truncated: %llu", (unsigned long long)c[RBPROF_CNT_TRUNCATED]);
	msg("frames not symbolized: %llu", (unsigned long long)unsymbolized);
	report_loader_usage();
	if (dropped)
		msg("samples dropped in user space: %llu", (unsigned long long)dropped);
}
