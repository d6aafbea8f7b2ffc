// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* profiler.c - the session: discovery, the poll loop, symbolizing samples as they arrive. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "output/folded.h"
#include "profiler.h"
#include "aggregate/stack.h"

#define PREFIX "rbprof-bpf: "
/*
 * The ring buffer is drained every POLL_MS +- POLL_JITTER_MS: the bound on how stale a sample
 * gets. The jitter keeps the moments the loader reads the process (to find a method's owner)
 * from falling into step with a periodic workload.
 */
#define POLL_MS	       100
#define POLL_JITTER_MS 50
/* New processes are looked for this often (ms): "found within 1 s". */
#define RESCAN_MS 1000
/*
 * Until the first sample arrives (for at most the first second), the ring buffer is drained
 * this often (ms) instead: the first sample then shows a few ms after it was taken, not a
 * poll period later (start-up time is part of what make bench measures).
 */
#define STARTUP_POLL_MS 10

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000 + (__u64)ts.tv_nsec;
}

static __u64 now_ms(void)
{
	return now_ns() / 1000000;
}

/* -v: how long start-up took so far (make bench reads these lines). */
static void report_startup(const struct profiler *p, const char *what)
{
	if (p->opts->verbose)
		fprintf(stderr, PREFIX "%s %.3f s after start\n", what,
			(double)(now_ns() - p->start_ns) / 1e9);
}

static void on_event(void *ctx, const struct rbprof_event *ev)
{
	struct profiler *p = ctx;
	struct ruby_proc *rp = proc_table_live(&p->procs, (pid_t)ev->pid);

	if (!rp) {
		p->orphan_samples++;
		return;
	}
	if (!p->first_sample_seen) {
		p->first_sample_seen = 1;
		report_startup(p, "first sample received");
	}
	rp->samples++;
	if (stack_count_event(&rp->sym, &p->agg, rp->id, ev))
		p->agg_errors++;
}

static void report_target(const struct profiler *p, const struct ruby_target *t)
{
	if (t->origin.source == LAYOUT_DWARF)
		fprintf(stderr, PREFIX "pid %d (%s): Ruby %s: %s\n", t->pid, t->comm, t->version,
			t->origin.note);
	else if (t->origin.source == LAYOUT_SERIES)
		fprintf(stderr,
			PREFIX "pid %d (%s): Ruby %s is newer than the layouts checked (%s); "
			       "using the %s layout (%s)\n",
			t->pid, t->comm, t->version, ruby_layout_supported(), t->layout->series,
			t->origin.note);
	if (p->opts->verbose)
		fprintf(stderr,
			PREFIX "profiling pid %d (%s), Ruby %s in %s, TLS %s mod %llu off %lld\n",
			t->pid, t->comm, t->version, t->vm_file,
			t->bpf.tls_kind == RBPROF_TLS_STATIC ? "static" : "dtv",
			(unsigned long long)t->bpf.tls_modid, (long long)t->bpf.tls_offset);
}

/* Start sampling a probed Ruby process. */
static int profile_target(struct profiler *p, const struct ruby_target *t)
{
	struct ruby_proc *old = proc_table_live(&p->procs, t->pid), *rp;
	int err;

	if (old)
		old->exited = 1;
	rp = proc_table_add(&p->procs, t);
	if (!rp)
		return -ENOMEM;
	err = sampler_add_proc(&p->sampler, (__u32)t->pid, &t->bpf);
	if (err) {
		fprintf(stderr, PREFIX "cannot sample pid %d: %s\n", t->pid, strerror(-err));
		rp->exited = 1;
		return 0;
	}
	report_target(p, t);
	return 0;
}

/* Print why a Ruby process is not profiled. */
static void report_skip(enum probe_result r, const struct ruby_target *t, const char *why)
{
	if (r == PROBE_UNSUPPORTED)
		fprintf(stderr,
			PREFIX "pid %d (%s): unsupported Ruby version %s (supported: %s%s%s)\n",
			t->pid, t->comm, t->version, ruby_layout_supported(),
			t->origin.note[0] ? "; " : "", t->origin.note);
	else if (r == PROBE_FAILED)
		fprintf(stderr, PREFIX "pid %d (%s): cannot profile: %s\n", t->pid, t->comm, why);
}

/* Whole-host discovery: look at a pid not seen before (or reused, or exec'd). */
static void consider_pid(void *ctx, pid_t pid)
{
	struct profiler *p = ctx;
	struct ruby_proc *rp = proc_table_live(&p->procs, pid);
	unsigned long long start;
	struct ruby_target t;
	char comm[COMM_LEN], why[128];
	enum probe_result r;

	if (pid == getpid() || proc_stat_read(pid, comm, &start))
		return;
	if (rp && !rp->exited && rp->t.start_time == start)
		return;
	if (proc_table_was_seen(&p->procs, pid, start, comm))
		return;
	r = discover_probe(&p->disc, pid, &t, why, sizeof(why));
	if (r == PROBE_RUBY) {
		if (profile_target(p, &t))
			p->error = -ENOMEM;
		return;
	}
	if (r == PROBE_GONE)
		return;
	/*
	 * A process caught between execve() and the dynamic linker mapping libruby looks like no
	 * Ruby, and one caught before the linker has relocated libruby has no TLS module id yet:
	 * only a process old enough (1 s) to be past that is remembered as not Ruby or failed.
	 */
	if ((r == PROBE_NOT_RUBY || r == PROBE_FAILED) && start + p->clk_tck > p->scan_ticks)
		return;
	report_skip(r, &t, why);
	proc_table_mark_seen(&p->procs, pid, start, comm);
}

/* Look at every process on the host; 0 or -errno. */
static int scan_host(struct profiler *p)
{
	double uptime = 0;
	FILE *f = fopen("/proc/uptime", "re");

	if (f) {
		if (fscanf(f, "%lf", &uptime) != 1)
			uptime = 0;
		fclose(f);
	}
	p->scan_ticks = (unsigned long long)(uptime * (double)p->clk_tck);
	return proc_each_pid(consider_pid, p);
}

/* Drop processes that exited (or whose pid now names another process) from the BPF map. */
static int prune_exited(struct profiler *p)
{
	unsigned long long start;
	char comm[COMM_LEN];
	int alive = 0;
	__u32 i;

	for (i = 0; i < p->procs.n; i++) {
		struct ruby_proc *rp = p->procs.procs[i];

		if (rp->exited)
			continue;
		if (proc_stat_read(rp->t.pid, comm, &start) || start != rp->t.start_time) {
			rp->exited = 1;
			sampler_del_proc(&p->sampler, (__u32)rp->t.pid);
			if (p->opts->verbose)
				fprintf(stderr, PREFIX "pid %d (%s) exited\n", rp->t.pid,
					rp->t.comm);
			continue;
		}
		alive++;
		/* A process found right after it started may have had no VM yet. */
		if (!rp->t.bpf.gc_flags_addr && !discover_resolve_gc(&rp->t))
			sampler_add_proc(&p->sampler, (__u32)rp->t.pid, &rp->t.bpf);
	}
	return alive;
}

static int probe_given_pids(struct profiler *p)
{
	const struct profiler_opts *o = p->opts;
	int i, profiled = 0;

	for (i = 0; i < o->npids; i++) {
		struct ruby_target t;
		char why[128];
		enum probe_result r = discover_probe(&p->disc, o->pids[i], &t, why, sizeof(why));

		if (r == PROBE_GONE) {
			fprintf(stderr, PREFIX "no process with pid %d\n", o->pids[i]);
			return 2;
		}
		if (r == PROBE_NOT_RUBY) {
			fprintf(stderr, PREFIX "pid %d (%s) is not a Ruby process\n", o->pids[i],
				t.comm);
			return 2;
		}
		if (r != PROBE_RUBY) {
			report_skip(r, &t, why);
			continue;
		}
		if (profile_target(p, &t))
			return 1;
		profiled++;
	}
	return profiled ? 0 : 1;
}

int profiler_start(struct profiler *p, const struct profiler_opts *o)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->opts = o;
	p->start_ns = now_ns();
	p->clk_tck = (unsigned long long)sysconf(_SC_CLK_TCK);
	srand((unsigned int)(getpid() ^ now_ms()));
	discover_init(&p->disc);
	p->disc.force_version = o->force_version;
	proc_table_init(&p->procs);
	if (aggregate_init(&p->agg))
		return 1;
	err = sampler_load(&p->sampler, o->freq, on_event, p);
	if (err) {
		fprintf(stderr, PREFIX "failed to load the BPF program: %s%s\n", strerror(-err),
			err == -EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
		return 1;
	}
	report_startup(p, "BPF program loaded");
	/*
	 * Attached before the processes are looked for: each process is sampled from the moment
	 * it is registered, not once all are (on a busy host with many, that is a while).
	 */
	err = sampler_attach(&p->sampler, o->freq);
	if (err) {
		fprintf(stderr, PREFIX "failed to attach perf events: %s\n", strerror(-err));
		return 1;
	}
	if (o->npids) {
		err = probe_given_pids(p);
		if (err)
			return err;
	} else if (scan_host(p)) {
		fprintf(stderr, PREFIX "cannot read /proc: %s\n", strerror(errno));
		return 1;
	}
	if (o->verbose)
		fprintf(stderr, PREFIX "sampling %d CPUs at %d Hz\n", p->sampler.nlinks, o->freq);
	report_startup(p, "sampling");
	return 0;
}

/* A new batch of samples: symbolizers may retry what failed in the previous one. */
static void advance_epochs(struct profiler *p)
{
	__u32 i;

	for (i = 0; i < p->procs.n; i++)
		p->procs.procs[i]->sym.epoch++;
}

int profiler_run(struct profiler *p, volatile sig_atomic_t *stop)
{
	__u64 start = now_ms(), last_scan = start;
	__u64 deadline = p->opts->duration ? start + (__u64)p->opts->duration * 1000 : 0;

	while (!*stop && !p->error) {
		__u64 now = now_ms();
		int err, timeout = POLL_MS - POLL_JITTER_MS + rand() % (2 * POLL_JITTER_MS + 1);

		if (!p->first_sample_seen && now - start < RESCAN_MS)
			timeout = STARTUP_POLL_MS;
		if (deadline && now >= deadline)
			break;
		if (deadline && deadline - now < (__u64)timeout)
			timeout = (int)(deadline - now);
		advance_epochs(p);
		err = sampler_poll(&p->sampler, timeout);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, PREFIX "reading the ring buffer: %s\n", strerror(-err));
			return 1;
		}
		if (now_ms() - last_scan < RESCAN_MS)
			continue;
		last_scan = now_ms();
		if (!prune_exited(p) && p->opts->npids) {
			fprintf(stderr, PREFIX "every profiled process has exited\n");
			break;
		}
		if (!p->opts->npids)
			scan_host(p);
	}
	/* What is still in the ring buffer belongs to the profile. */
	sampler_poll(&p->sampler, 0);
	if (p->error) {
		fprintf(stderr, PREFIX "%s\n", strerror(-p->error));
		return 1;
	}
	return 0;
}

static void proc_name(void *ctx, __u32 id, char *buf, size_t cap)
{
	const struct ruby_proc *rp = ((struct profiler *)ctx)->procs.procs[id];

	snprintf(buf, cap, "%s [%d]", rp->t.comm, rp->t.pid);
}

/* What the loader itself cost: CPU time and peak RSS (getrusage). */
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

static void write_loader_usage(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return;
	fprintf(stderr, PREFIX "loader: user %ld.%03ld s, system %ld.%03ld s, peak RSS %ld KiB\n",
		(long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec / 1000,
		(long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec / 1000,
		peak_rss_kib(ru.ru_maxrss));
}

static void write_summary(struct profiler *p)
{
	__u64 c[RBPROF_CNT_MAX] = {0}, unsymbolized = 0;
	__u32 i;

	sampler_counters(&p->sampler, c);
	fprintf(stderr, PREFIX "samples taken: %llu\n", (unsigned long long)c[RBPROF_CNT_SAMPLES]);
	fprintf(stderr, PREFIX "samples in Ruby processes: %llu\n",
		(unsigned long long)c[RBPROF_CNT_RUBY]);
	for (i = 0; i < p->procs.n; i++) {
		const struct ruby_proc *rp = p->procs.procs[i];

		unsymbolized += rp->sym.failed;
		fprintf(stderr, PREFIX "process %d (%s) ruby %s: %llu samples%s\n", rp->t.pid,
			rp->t.comm, rp->t.version, (unsigned long long)rp->samples,
			rp->exited ? " (exited)" : "");
	}
	fprintf(stderr, PREFIX "samples outside Ruby code (thread without Ruby context): %llu\n",
		(unsigned long long)c[RBPROF_CNT_NO_EC]);
	fprintf(stderr, PREFIX "samples lost (ring buffer full): %llu\n",
		(unsigned long long)c[RBPROF_CNT_RB_FULL]);
	fprintf(stderr, PREFIX "samples lost (unreadable stack): %llu\n",
		(unsigned long long)(c[RBPROF_CNT_READ_FAULT] + c[RBPROF_CNT_BAD_STACK]));
	fprintf(stderr, PREFIX "stacks truncated: %llu\n",
		(unsigned long long)c[RBPROF_CNT_TRUNCATED]);
	fprintf(stderr, PREFIX "frames not symbolized: %llu\n", (unsigned long long)unsymbolized);
	write_loader_usage();
	if (p->orphan_samples || p->agg_errors || p->sampler.bad_records)
		fprintf(stderr, PREFIX "samples dropped in user space: %llu\n",
			(unsigned long long)(p->orphan_samples + p->agg_errors +
					     p->sampler.bad_records));
}

int profiler_write(struct profiler *p, FILE *out)
{
	int err = folded_write(out, &p->agg, proc_name, p);

	write_summary(p);
	return err;
}

void profiler_close(struct profiler *p)
{
	sampler_close(&p->sampler);
	aggregate_free(&p->agg);
	proc_table_free(&p->procs);
	discover_free(&p->disc);
}
