// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * profiler.c - the session: find the processes, register them with the sampler, drain the
 * ring buffer into the aggregate (symbolizing samples as they arrive), drop processes that
 * exit, and write the profile at the end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "aggregate/stack.h"
#include "common/clock.h"
#include "common/env.h"
#include "common/msg.h"
#include "output/report.h"
#include "output/rotate.h"
#include "output/summary.h"
#include "output/dump.h"
#include "discover/procfs.h"
#include "push/series.h"
#include "profiler.h"

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
 * While a process is new (its first EAGER_MS), the ring buffer is drained every EAGER_POLL_MS:
 * its frames are named while it lives, however short its life (frames named once stay named:
 * each iseq is cached), at no cost to the sampler, which wakes no one. 2 s holds a test run or
 * a rake task's start; past it, its samples wait for the usual poll.
 */
#define EAGER_MS      2000
#define EAGER_POLL_MS 10
/*
 * How long an exec'd process is looked at again for its VM to appear (ms), and when: first
 * YOUNG_FIRST_MS after its exec (the dynamic linker has mapped libruby by then, and most short
 * non-Ruby processes, a shell's /bin/true, are gone, costing no probe), then at twice the
 * delay each time: 7 looks at most in its first second, however busy the host.
 */
#define YOUNG_MS       1000
#define YOUNG_FIRST_MS 5
/*
 * Until the first sample arrives (for at most the first second), the ring buffer is drained
 * this often (ms) instead: the first sample then shows a few ms after it was taken, not a
 * poll period later (start-up time is part of what make bench measures).
 */
#define STARTUP_POLL_MS 10

static __u64 now_ms(void)
{
	return clock_ns() / 1000000;
}

/* -v: how long start-up took so far (make bench reads these lines). */
static void report_startup(const struct profiler *p, const char *what)
{
	if (p->opts->verbose)
		msg("%s %.3f s after start", what, (double)(clock_ns() - p->start_ns) / 1e9);
}

static void on_proc_event(struct profiler *p, const struct rbprof_event *ev);

static void on_event(void *ctx, const struct rbprof_event *ev)
{
	struct profiler *p = ctx;
	struct ruby_proc *rp = proc_table_live(&p->procs, (pid_t)ev->pid);
	__u32 thread;

	if (ev->flags & RBPROF_EV_PROC_EVENTS) {
		on_proc_event(p, ev);
		return;
	}
	if (!rp) {
		p->orphan_samples++;
		return;
	}
	if (!p->first_sample_seen) {
		p->first_sample_seen = 1;
		report_startup(p, "first sample received");
	}
	if (!rp->samples && p->opts->verbose) { /* make bench reads it */
		char after[64] = "";

		if (rp->exec_ns)
			snprintf(after, sizeof(after), " %.1f ms after its exec",
				 (double)(clock_ns() - rp->exec_ns) / 1e6);
		msg("pid %d (%s): first sample%s", rp->t.pid, rp->t.comm, after);
	}
	rp->samples++;
	if (p->thread_roots &&
	    thread_frame(&rp->threads, &p->agg, (pid_t)ev->pid, (pid_t)ev->tid, &thread)) {
		p->agg_errors++;
		return;
	}
	if (stack_count_event(&rp->sym, &p->agg, rp->id, ev, p->thread_roots ? &thread : NULL))
		p->agg_errors++;
}

/* --wall: a thread not on a CPU sampled (the perf events sample those on one). */
static void on_thread_state(void *ctx, const struct rbprof_thread_state *st)
{
	struct profiler *p = ctx;
	struct ruby_proc *rp = proc_table_live(&p->procs, (pid_t)st->pid);
	const struct rbprof_event *ev;
	struct ruby_thread_vm_state vm;
	int vm_ok;

	if (!rp || rp->exited || wall_running(st))
		return;
	if (wall_sample(&p->wall, rp->id, &rp->t, &rp->mem.base, st, &ev, &vm, &vm_ok))
		return;
	p->wall_samples++;
	on_event(p, ev);
}

/*
 * --wall: sample the threads not on a CPU if a period has passed, on a fixed grid of periods
 * from the start: one sample a period, as the perf events take them of threads on a CPU. A
 * period missed (the loader was late by more than one) is counted, not made up for.
 */
static void wall_tick(struct profiler *p)
{
	__u64 period = p->clock.period_ns, now = clock_ns(), late;
	int err;

	if (!p->opts->wall || now + 1000000 < p->wall_next_ns)
		return;
	if (now < p->wall_next_ns) { /* the poll's timeout is in ms: the rest of it, to the ns */
		struct timespec due = {.tv_sec = (time_t)(p->wall_next_ns / 1000000000ULL),
				       .tv_nsec = (long)(p->wall_next_ns % 1000000000ULL)};

		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
		now = clock_ns();
	}
	err = sampler_wall_threads(&p->sampler, on_thread_state, p);
	p->wall_ns += clock_ns() - now;
	p->wall_ticks++;
	if (err) {
		p->error = err;
		return;
	}
	late = (now - p->wall_next_ns) / period;
	p->wall_missed += late;
	p->wall_next_ns += (late + 1) * period;
}

/* discover: a process's main thread's thread pointer, from the sampler's task iterator. */
static int thread_pointer(void *ctx, pid_t pid, __u64 *tp)
{
	return sampler_thread_pointer(ctx, pid, pid, tp);
}

/* Its container (short id) and namespace pid, as its frame and pprof's labels show them. */
static void note_container(struct ruby_proc *rp)
{
	char id[CONTAINER_ID_LEN + 1];

	if (!container_of(rp->t.pid, id, &rp->ns_pid))
		snprintf(rp->container, sizeof(rp->container), "%.*s", CONTAINER_SHORT_ID, id);
}

/*
 * A new instance of t's process in the table, the pid's live one from now on (an instance
 * before it exited or exec'd): settling through the sampler, its container noted, drained
 * often while it is new. NULL on ENOMEM.
 */
static struct ruby_proc *add_instance(struct profiler *p, const struct ruby_target *t)
{
	struct ruby_proc *old = proc_table_live(&p->procs, t->pid), *rp;

	if (old)
		old->exited = 1;
	rp = proc_table_add(&p->procs, t);
	if (!rp)
		return NULL;
	rp->sym.on_settle = sampler_settle;
	rp->sym.settle_ctx = &p->sampler;
	rp->sym.cache = &p->cache;
	rp->sym.epoch = p->epoch;
	p->eager_until_ms = now_ms() + EAGER_MS;
	note_container(rp);
	return rp;
}

/*
 * Start sampling a probed Ruby process. 0, -ENOMEM, or the sampler's error (said, and the
 * process counted not profiled).
 */
static int profile_target(struct profiler *p, const struct ruby_target *t)
{
	struct ruby_proc *rp = add_instance(p, t);
	int err, i;

	if (!rp)
		return -ENOMEM;
	for (i = 0; i < p->nyoung; i++)
		if (p->young[i].pid == t->pid)
			rp->exec_ns = p->young[i].exec_ns;
	err = sampler_add_proc(&p->sampler, (__u32)t->pid, &rp->t.bpf);
	if (err) {
		/* said once: the host scan does not look at this process again */
		if (err == -E2BIG)
			msg("cannot sample pid %d (%s): the sampler's table of Ruby processes is "
			    "full (%u of them)",
			    t->pid, t->comm, sampler_max_procs(&p->sampler));
		else
			msg("cannot sample pid %d (%s): %s", t->pid, t->comm, strerror(-err));
		rp->exited = 1;
		p->not_profiled++;
		return err;
	}
	/* --wall: its threads that have not run since are known from the start */
	if (p->opts->wall && (err = sampler_seed_threads(&p->sampler, (__u32)t->pid)) &&
	    p->opts->verbose)
		msg("pid %d: its threads' states not read: %s", t->pid, strerror(-err));
	report_target(t, p->opts->verbose, p->opts->quiet);
	return 0;
}

/*
 * hostscan: is pid one to profile? Every process of the host, or with -s the -p processes'
 * descendants, or a command's and its descendants (orphans among them come to us, its
 * subreaper: discover/launch.h).
 */
static int is_wanted(void *ctx, pid_t pid)
{
	const struct profiler *p = ctx;
	const struct profiler_opts *o = p->opts;
	char id[CONTAINER_ID_LEN + 1];
	pid_t self = getpid(), ns_pid;

	if (o->container &&
	    (container_of(pid, id, &ns_pid) || strncmp(id, o->container, strlen(o->container))))
		return 0;
	if (o->launched)
		return pid != self && proc_descends_from(pid, &self, 1);
	if (o->npids && o->subprocesses)
		return proc_descends_from(pid, o->pids, o->npids);
	if (o->npids) {
		int i;

		for (i = 0; i < o->npids; i++)
			if (o->pids[i] == pid)
				return 1;
		return 0;
	}
	return 1;
}

/* hostscan: is the instance of pid that started at `start` being profiled? */
static int is_profiled(void *ctx, pid_t pid, unsigned long long start)
{
	struct profiler *p = ctx;
	const struct ruby_proc *rp = proc_table_live(&p->procs, pid);

	return rp && !rp->exited && rp->t.start_time == start;
}

/* hostscan: profile a Ruby process found, or say why one is not. */
static void on_verdict(void *ctx, enum probe_result r, struct ruby_target *t, const char *why)
{
	struct profiler *p = ctx;

	if (r != PROBE_RUBY) {
		report_skip(r, t, why);
		p->not_profiled += r != PROBE_NOT_RUBY;
	} else if (profile_target(p, t) == -ENOMEM) {
		p->error = -ENOMEM;
	}
}

/*
 * The kernel's word on a process (RBPROF_EV_EXEC, _FORK, _EXIT), in order with the samples:
 * a sample of a process comes before its exit, a child's first ones after its fork.
 */
static void on_proc_event(struct profiler *p, const struct rbprof_event *ev)
{
	struct ruby_proc *rp = proc_table_live(&p->procs, (pid_t)ev->pid), *parent;
	struct ruby_target t;

	if (ev->flags & (RBPROF_EV_EXEC | RBPROF_EV_EXIT)) {
		if (rp && !rp->exited) { /* the kernel has unregistered it */
			rp->exited = 1;
			sampler_del_proc(&p->sampler, ev->pid);
		}
		if ((ev->flags & RBPROF_EV_EXEC) && p->nyoung < YOUNG_MAX &&
		    is_wanted(p, ev->pid)) {
			p->young[p->nyoung++] = (struct young_proc){
			    .pid = (pid_t)ev->pid,
			    .exec_ns = clock_ns(),
			    .next_ms = now_ms() + YOUNG_FIRST_MS,
			};
		}
		return;
	}
	/* a fork: the kernel registered the child with its parent's facts */
	parent = proc_table_live(&p->procs, (pid_t)ev->tid);
	if (!parent || parent->exited || !is_wanted(p, (pid_t)ev->pid)) {
		sampler_del_proc(&p->sampler, ev->pid);
		return;
	}
	t = parent->t;
	t.pid = (pid_t)ev->pid;
	/* gone already (a child that exits at once): its exit event follows */
	if (proc_stat_read(t.pid, t.comm, &t.start_time)) {
		sampler_del_proc(&p->sampler, ev->pid);
		return;
	}
	if (!add_instance(p, &t) || sampler_adopt_proc(&p->sampler, ev->pid)) {
		p->error = -ENOMEM;
		return;
	}
	if (p->opts->verbose)
		msg("pid %d (%s) forked from pid %d: profiled as its parent", t.pid, t.comm,
		    parent->t.pid);
}

/* When the next look at an exec'd process is due (ms), or UINT64_MAX. */
static __u64 young_due(const struct profiler *p)
{
	__u64 due = UINT64_MAX;
	int i;

	for (i = 0; i < p->nyoung; i++)
		if (p->young[i].next_ms < due)
			due = p->young[i].next_ms;
	return due;
}

/* Look again at the processes exec'd lately that were not Ruby yet (libruby not mapped). */
static void probe_young(struct profiler *p)
{
	__u64 now = now_ms();
	int i, kept = 0;

	for (i = 0; i < p->nyoung; i++) {
		struct young_proc y = p->young[i];
		__u64 age_ms = now - y.exec_ns / 1000000;

		if (now >= y.next_ms) {
			if (hostscan_consider(&p->scan, y.pid) || age_ms >= YOUNG_MS)
				continue;
			y.next_ms =
			    now + age_ms; /* twice as long after its exec as the last look */
		}
		p->young[kept++] = y;
	}
	p->nyoung = kept;
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
				msg("pid %d (%s) exited", rp->t.pid, rp->t.comm);
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
	int i, err, profiled = 0;

	for (i = 0; i < o->npids; i++) {
		struct ruby_target t;
		char why[128];
		enum probe_result r = discover_probe(&p->disc, o->pids[i], &t, why, sizeof(why));

		if (r == PROBE_GONE) {
			msg("no process with pid %d", o->pids[i]);
			return 2;
		}
		if (r == PROBE_NOT_RUBY) {
			msg("pid %d (%s) is not a Ruby process", o->pids[i], t.comm);
			return 2;
		}
		if (r != PROBE_RUBY) {
			report_skip(r, &t, why);
			p->not_profiled++;
			continue;
		}
		err = profile_target(p, &t);
		if (err == -ENOMEM)
			msg("pid %d: out of memory", o->pids[i]);
		if (err)
			return 1;
		profiled++;
	}
	return profiled ? 0 : 1;
}

/*
 * The BPF object failed to load with the thread-state programs (--wall, --dump): 1 if it
 * loads without them (a CPU profile would work: the kernel lacks only what they need).
 */
static int loads_without_thread_states(struct profiler *p)
{
	int err;

	sampler_close(&p->sampler);
	err = sampler_load(&p->sampler, &p->clock, 0, on_event, p);
	sampler_close(&p->sampler);
	return !err;
}

/*
 * The clock to sample on: --clock's; without it, the tick where it gives the rate asked (-F at
 * most HZ: make bench shows it costs the workload less) and perf events above HZ, which the
 * tick cannot give. A kernel without what the tick needs gets perf events, with a notice.
 */
static void choose_clock(struct profiler *p)
{
	const struct profiler_opts *o = p->opts;
	struct sample_clock *c = &p->clock;
	char why[256] = "";
	int err;

	if (o->clock == SAMPLE_CLOCK_PERF || o->dump) { /* --dump samples nothing */
		sample_clock_perf(c, o->freq);
		return;
	}
	err = sample_clock_tick(c, o->freq, why, sizeof(why));
	if (o->clock == SAMPLE_CLOCK_AUTO && c->hz > 0 && o->freq > c->hz) {
		sample_clock_perf(c, o->freq);
		return;
	}
	if (err) {
		if (!o->quiet || o->clock == SAMPLE_CLOCK_TICK)
			msg("the scheduler tick cannot be the clock: %s; sampling on perf events "
			    "(cpu-clock) at %d Hz",
			    why, o->freq);
		sample_clock_perf(c, o->freq);
		return;
	}
	if (o->freq > c->hz)
		msg("--clock tick: at most HZ (%d) samples a second per CPU: sampling at %d Hz, "
		    "not "
		    "%d",
		    c->hz, c->hz, o->freq);
}

/*
 * The BPF object loaded with p->clock's program and, unless --dump, attached. Where the tick's
 * program fails to load or attach (a kernel without the tracepoint, or one that refuses the
 * program), perf events instead, with a notice. 0, or -errno with *attaching 1 if the attach
 * failed.
 */
static int load_and_attach(struct profiler *p, int *attaching)
{
	const struct profiler_opts *o = p->opts;
	int thread_states = o->wall || o->dump, err;

	*attaching = 0;
	err = sampler_load(&p->sampler, &p->clock, thread_states, on_event, p);
	if (!err && !o->dump) {
		*attaching = 1;
		err = sampler_attach(&p->sampler);
	}
	if (!err || p->clock.kind != SAMPLE_CLOCK_TICK || err == -EPERM)
		return err;
	if (!*attaching && thread_states && loads_without_thread_states(p))
		return err; /* what the kernel refuses is the thread-state programs */
	msg("the scheduler tick cannot be the clock: its program failed to %s (%s); sampling on "
	    "perf events (cpu-clock) at %d Hz",
	    *attaching ? "attach" : "load", strerror(-err), o->freq);
	sampler_close(&p->sampler);
	sample_clock_perf(&p->clock, o->freq);
	return load_and_attach(p, attaching);
}

int profiler_start(struct profiler *p, const struct profiler_opts *o)
{
	int attaching, err;
	long budget_mb;

	memset(p, 0, sizeof(*p));
	p->opts = o;
	p->start_ns = clock_ns();
	/* pprof labels every sample with its thread, with or without -t */
	p->thread_roots = o->threads || o->writer == &pprof_writer;
	srand((unsigned int)(getpid() ^ now_ms()));
	discover_init(&p->disc);
	p->disc.force_version = o->force_version;
	p->disc.thread_pointer = thread_pointer;
	p->disc.thread_pointer_ctx = &p->sampler;
	hostscan_init(&p->scan, &p->disc, is_profiled, on_verdict, p);
	if (o->launched || o->subprocesses || o->container)
		p->scan.wanted = is_wanted;
	proc_table_init(&p->procs);
	/* RBPROF_SYMCACHE_MB: another budget, for make bench (a budget reached in a minute) */
	budget_mb = env_number("RBPROF_SYMCACHE_MB", 1L << 30);
	symcache_init(&p->cache, budget_mb > 0 ? (__u64)budget_mb << 20 : SYMCACHE_BUDGET_BYTES);
	if (aggregate_init(&p->agg))
		return 1;
	if ((o->wall || o->dump) && wall_init(&p->wall))
		return 1;
	choose_clock(p);
	err = load_and_attach(p, &attaching);
	if (err && attaching) {
		msg("failed to attach the %s clock: %s", sample_clock_name(p->clock.kind),
		    strerror(-err));
		return 1;
	}
	if (err && (o->wall || o->dump) && loads_without_thread_states(p)) {
		msg("%s needs a BPF task iterator with bpf_task_pt_regs (Linux 5.15+), which this "
		    "kernel refuses (%s); CPU profiles work without %s",
		    o->wall ? "--wall" : "--dump", strerror(-err), o->wall ? "--wall" : "it");
		return 1;
	}
	if (err) {
		msg("failed to load the BPF program: %s%s", strerror(-err),
		    err == -EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
		return 1;
	}
	/*
	 * Attached (in load_and_attach) before the processes are looked for: each process is
	 * sampled from the moment it is registered, not once all are (on a busy host with many,
	 * that is a while).
	 */
	sample_clock_describe(&p->clock, p->clock_text, sizeof(p->clock_text));
	report_startup(p, "BPF program loaded");
	if (o->verbose) /* which form: the tests of each check that it is the one they asked for */
		msg("sampler: %s", sampler_form(&p->sampler));
	p->wall.settled = sampler_settled(&p->sampler);
	if (o->dump) /* no samples: the processes are only looked at */
		return probe_given_pids(p);
	/*
	 * Before the processes are looked for: none that starts meanwhile is missed.
	 * RBPROF_PROC_EVENTS=0 leaves them out, the scans of /proc alone finding processes (what
	 * a kernel that refuses them gets; make bench compares the two).
	 */
	err = getenv("RBPROF_PROC_EVENTS") && !strcmp(getenv("RBPROF_PROC_EVENTS"), "0")
		  ? -ENOTSUP
		  : sampler_attach_proc_events(&p->sampler, !o->npids || o->subprocesses);
	if (err && o->verbose)
		msg("process events not followed (%s): new processes are found by scans of /proc",
		    strerror(-err));
	if (o->wall && (err = sampler_attach_wall(&p->sampler))) {
		msg("--wall: cannot follow the scheduler's switches: %s", strerror(-err));
		return 1;
	}
	if (o->npids) {
		err = probe_given_pids(p);
		if (err)
			return err;
	}
	if ((!o->npids || o->subprocesses) && (err = hostscan_run(&p->scan))) {
		msg("cannot read /proc: %s", strerror(-err));
		return 1;
	}
	if (o->verbose)
		msg("sampling %d CPUs at %s", p->sampler.ncpus, p->clock_text);
	p->sample_start_ns = clock_ns();
	p->wall_next_ns = p->sample_start_ns;
	p->start_unix_ns = clock_realtime_ns();
	p->interval_unix_ns = p->start_unix_ns;
	p->interval_ns = p->sample_start_ns;
	p->trim_ms = now_ms();
	report_startup(p, "sampling");
	return 0;
}

/*
 * A new batch of samples: symbolizers may retry what failed in the previous one. One clock
 * for all, so that the caches' ages compare across processes.
 */
static void advance_epochs(struct profiler *p)
{
	__u32 i;

	p->epoch++;
	for (i = 0; i < p->procs.n; i++)
		p->procs.procs[i]->sym.epoch = p->epoch;
}

/* The frames of the live processes used since the last trim, checked against the processes. */
static void revalidate_caches(struct profiler *p)
{
	__u32 i;

	for (i = 0; i < p->procs.n; i++)
		if (!p->procs.procs[i]->exited)
			symcache_revalidate(&p->cache, &p->procs.procs[i]->sym, p->trim_epoch);
}

/*
 * Keep the caches within their budget, the least recently used out; and let go of the pids
 * that have left the sampler.
 */
static void trim_caches(struct profiler *p)
{
	struct symbolizer **syms = calloc(p->procs.n ? p->procs.n : 1, sizeof(*syms));
	__u32 i;

	if (syms) {
		for (i = 0; i < p->procs.n; i++)
			syms[i] = &p->procs.procs[i]->sym;
		symcache_trim(&p->cache, syms, p->procs.n);
	}
	free(syms);
	sampler_forget_exited(&p->sampler);
	p->trim_ms = now_ms();
	p->trim_epoch = p->epoch;
}

/* The processes of the profile, by proc id, for the writers. NULL on ENOMEM. */
static struct profile_proc *profile_procs(const struct profiler *p)
{
	struct profile_proc *procs = calloc(p->procs.n ? p->procs.n : 1, sizeof(*procs));
	__u32 i;

	for (i = 0; procs && i < p->procs.n; i++) {
		procs[i].comm = p->procs.procs[i]->t.comm;
		procs[i].pid = p->procs.procs[i]->t.pid;
		procs[i].container = p->procs.procs[i]->container;
		procs[i].ns_pid = p->procs.procs[i]->ns_pid;
	}
	return procs;
}

static void profile_of(const struct profiler *p, struct profile *prof,
		       const struct profile_proc *procs)
{
	*prof = (struct profile){.agg = &p->agg,
				 .procs = procs,
				 .nprocs = p->procs.n,
				 .thread_roots = p->thread_roots,
				 .thread_frames = p->opts->threads,
				 .command = p->opts->command,
				 .start_unix_ns = p->start_unix_ns,
				 .duration_ns = p->sample_end_ns - p->sample_start_ns,
				 .period_ns = p->clock.period_ns,
				 .rate = p->clock.rate,
				 .clock = p->clock_text,
				 .wall = p->opts->wall};
}

/*
 * --rotate, --push: the interval that ends at end_ns (CLOCK_MONOTONIC) is complete: its names
 * checked, its profile written or queued for upload, and then everything it alone needed let
 * go: the aggregate emptied, the processes that exited freed, the caches trimmed.
 */
static void end_interval(struct profiler *p, __u64 end_ns)
{
	const struct profiler_opts *o = p->opts;
	struct profile_proc *procs;
	struct profile prof;
	__u64 t0 = clock_ns();
	__u32 i;
	int err = -ENOMEM;

	sampler_poll(&p->sampler, 0); /* what was sampled up to now is this interval's */
	revalidate_caches(p);	      /* before the profile is written: its names right */
	procs = profile_procs(p);
	if (procs) {
		profile_of(p, &prof, procs);
		prof.start_unix_ns = p->interval_unix_ns;
		prof.duration_ns = end_ns - p->interval_ns;
		err = 0;
	}
	if (!err && o->rotate_dir) {
		char path[PATH_MAX];

		err = rotate_write(o->rotate_dir, o->writer, &prof, path, sizeof(path));
		if (err)
			msg("--rotate: cannot write %s: %s", path, strerror(-err));
		else if (o->verbose)
			msg("wrote %s", path);
	}
	if (!err && o->push)
		err = push_series_submit(o->push, &prof, o->app_name);
	if (err) {
		p->interval_errors++;
		if (err == -ENOMEM)
			p->agg_errors += profile_samples(&prof);
	}
	free(procs);
	p->intervals++;
	p->overflowed += p->agg.overflowed;
	/* the next interval begins where this one ended: contiguous, none lost */
	p->interval_unix_ns += end_ns - p->interval_ns;
	p->interval_ns = end_ns;
	if (aggregate_reset(&p->agg)) {
		p->error = -ENOMEM;
		return;
	}
	for (i = 0; i < p->procs.n; i++) {
		struct ruby_proc *rp = p->procs.procs[i];

		symbolizer_aggregate_reset(&rp->sym);
		thread_table_free(&rp->threads); /* names read again: a thread renamed since */
	}
	if (proc_table_free_exited(&p->procs) && p->opts->wall)
		wall_forget(&p->wall); /* its threads were keyed by the old ids */
	trim_caches(p);
	if (clock_ns() - t0 > p->interval_ns_max)
		p->interval_ns_max = clock_ns() - t0;
}

/* --top: redraw the view if it is time; 1 if `q` was pressed. */
static int top_tick(struct profiler *p, __u64 *last_draw)
{
	int err;

	if (!p->top_open)
		return 0;
	if (now_ms() - *last_draw >= TOP_REFRESH_MS) {
		*last_draw = now_ms();
		err = top_draw(&p->top, &p->agg, &p->procs, p->thread_roots ? 1 : 0,
			       clock_ns() - p->sample_start_ns, p->clock.rate);
		if (err && err != -EIO) /* a terminal gone (EIO) is no reason to stop profiling */
			p->error = err;
	}
	return top_quit_pressed(&p->top);
}

int profiler_run(struct profiler *p, volatile sig_atomic_t *stop)
{
	__u64 start = now_ms(), last_scan = start, last_draw = 0;
	__u64 deadline = p->opts->duration ? start + (__u64)p->opts->duration * 1000 : 0;
	int err;

	if (p->opts->top) {
		err = top_open(&p->top, stdout);
		if (err) {
			msg("cannot draw the --top view: %s", strerror(-err));
			return 1;
		}
		p->top_open = 1;
	}
	while (!*stop && !p->error) {
		__u64 now = now_ms();
		int timeout = POLL_MS - POLL_JITTER_MS + rand() % (2 * POLL_JITTER_MS + 1);

		if (!p->first_sample_seen && now - start < RESCAN_MS)
			timeout = STARTUP_POLL_MS;
		if (now < p->eager_until_ms && timeout > EAGER_POLL_MS)
			timeout = EAGER_POLL_MS;
		if (p->nyoung) { /* an exec'd process's next look may come sooner */
			__u64 due = young_due(p);

			if (due <= now)
				timeout = 0;
			else if (due - now < (__u64)timeout)
				timeout = (int)(due - now);
		}
		if (deadline && now >= deadline)
			break;
		if (p->opts->interval) { /* the current interval's end */
			__u64 due = p->interval_ns / 1000000 + (__u64)p->opts->interval * 1000;

			if (now >= due) {
				end_interval(p, due * 1000000);
				continue;
			}
			if (due - now < (__u64)timeout)
				timeout = (int)(due - now);
		} else if (now - p->trim_ms >= SYMCACHE_TRIM_MS) {
			revalidate_caches(p);
			trim_caches(p);
		}
		if (deadline && deadline - now < (__u64)timeout)
			timeout = (int)(deadline - now);
		if (p->opts->wall) { /* its next period's sample (wall_tick sleeps the ns left) */
			__u64 ns = clock_ns(), due = p->wall_next_ns;
			__u64 wait = due > ns ? (due - ns) / 1000000 : 0;

			if (wait < (__u64)timeout)
				timeout = (int)wait;
		}
		if (now - p->epoch_ms >= POLL_MS - POLL_JITTER_MS) {
			advance_epochs(p);
			p->epoch_ms = now;
		}
		err = sampler_poll(&p->sampler, timeout);
		if (err < 0 && err != -EINTR) {
			p->error = err;
			break;
		}
		wall_tick(p);
		if (top_tick(p, &last_draw))
			break;
		probe_young(p);
		if (p->opts->done && p->opts->done(p->opts->done_ctx))
			break;
		if (now_ms() - last_scan < RESCAN_MS)
			continue;
		last_scan = now_ms();
		if (p->opts->wall)
			wall_sweep(&p->wall);
		if (!prune_exited(p) && p->opts->npids) {
			msg("every profiled process has exited");
			break;
		}
		if (!p->opts->npids || p->opts->subprocesses)
			hostscan_run(&p->scan);
	}
	/* What is still in the ring buffer belongs to the profile. */
	sampler_poll(&p->sampler, 0);
	p->sample_end_ns = clock_ns();
	/* the last interval, however short: what it sampled is written too (Ctrl-C, -d) */
	if (p->opts->interval && !p->error && p->sample_end_ns > p->interval_ns)
		end_interval(p, p->sample_end_ns);
	if (p->top_open) { /* before the summary: stderr shares the terminal */
		top_draw_last(&p->top, &p->agg, &p->procs, p->thread_roots ? 1 : 0,
			      p->sample_end_ns - p->sample_start_ns, p->clock.rate);
		top_close(&p->top);
		p->top_open = 0;
	}
	if (p->error) {
		msg("profiling: %s", strerror(-p->error));
		return 1;
	}
	return 0;
}

int profiler_write(struct profiler *p, FILE *out)
{
	struct profile_proc *procs = profile_procs(p);
	struct profile prof;
	__u64 c[RBPROF_CNT_MAX] = {0};
	int err = 0;

	if (!procs)
		return -ENOMEM;
	profile_of(p, &prof, procs);
	if (!out) /* --top alone: the view was the output; --rotate, --push: it was written */
		goto summary;
	err = p->opts->writer->write(out, &prof);
summary:
	free(procs);
	if (p->opts->quiet) /* errors only */
		return err;
	sampler_counters(&p->sampler, c);
	msg("sampled at %s", p->clock_text);
	if (p->opts->verbose && p->clock.kind == SAMPLE_CLOCK_TICK)
		msg("ticks taken: %llu", (unsigned long long)sampler_ticks(&p->sampler));
	report_summary(c, &p->procs, p->not_profiled,
		       p->orphan_samples + p->agg_errors + p->sampler.bad_records);
	if (p->opts->interval)
		report_intervals(p->intervals, p->interval_errors, &p->cache,
				 p->overflowed + p->agg.overflowed,
				 p->opts->verbose ? p->interval_ns_max : 0);
	else if (summary_write(&p->agg, p->thread_roots ? 1 : 0) && !err)
		err = -ENOMEM;
	if (p->opts->verbose)
		report_owners(&p->procs, p->sampler.bits_unshared);
	if (p->opts->verbose && p->opts->wall)
		msg("--wall: %llu samples of threads off their CPUs (%llu walks, %llu unchanged "
		    "since their last, %llu not running Ruby, %llu unreadable), %llu periods "
		    "missed; %.1f us a period, %.1f us a sample",
		    (unsigned long long)p->wall_samples, (unsigned long long)p->wall.walks,
		    (unsigned long long)p->wall.repeats, (unsigned long long)p->wall.no_ec,
		    (unsigned long long)p->wall.failed, (unsigned long long)p->wall_missed,
		    p->wall_ticks ? (double)p->wall_ns / 1e3 / (double)p->wall_ticks : 0.0,
		    p->wall_samples ? (double)p->wall_ns / 1e3 / (double)p->wall_samples : 0.0);
	return err;
}

/* --dump: the threads the iterator found, to be looked at in order. */
struct dump_list {
	struct rbprof_thread_state *st;
	size_t n, cap;
	int enomem;
};

static void on_dump_state(void *ctx, const struct rbprof_thread_state *st)
{
	struct dump_list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct rbprof_thread_state *n = realloc(l->st, cap * sizeof(*n));

		if (!n) {
			l->enomem = 1;
			return;
		}
		l->st = n;
		l->cap = cap;
	}
	l->st[l->n++] = *st;
}

static int by_pid_tid(const void *a, const void *b)
{
	const struct rbprof_thread_state *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* --dump: thread st of rp, its backtrace on out. 0, 1 if it runs no Ruby, or -errno. */
static int dump_one(struct profiler *p, struct ruby_proc *rp, const struct rbprof_thread_state *st,
		    FILE *out)
{
	static __u32 ids[STACK_MAX_IDS];
	const struct rbprof_event *ev;
	struct ruby_thread_vm_state vm;
	struct dump_thread d = {.tid = (int)st->tid, .main = st->tid == st->pid};
	char comm[COMM_LEN];
	int vm_ok, err;

	err = wall_sample(&p->wall, rp->id, &rp->t, &rp->mem.base, st, &ev, &vm, &vm_ok);
	if (err)
		return err == -ENOENT ? 1 : err;
	if (stack_from_event(&rp->sym, &p->agg, ev, ids, &d.n))
		return -ENOMEM;
	if (proc_thread_comm((pid_t)st->pid, (pid_t)st->tid, comm))
		comm[0] = 0;
	d.name = comm;
	d.on_cpu = wall_running(st);
	d.flags = ev->flags;
	d.vm = vm_ok ? &vm : NULL;
	d.ids = ids;
	return dump_thread_write(out, &p->agg, &d);
}

int profiler_dump(struct profiler *p, FILE *out)
{
	struct dump_list l = {0};
	size_t i, j;
	int err, printed = 0;
	__u32 k;

	err = sampler_thread_states(&p->sampler, on_dump_state, &l);
	if (!err && l.enomem)
		err = -ENOMEM;
	if (err)
		goto cleanup;
	qsort(l.st, l.n, sizeof(*l.st), by_pid_tid);
	for (k = 0; k < p->procs.n; k++) {
		struct ruby_proc *rp = p->procs.procs[k];
		int ruby = 0, native = 0, r;

		if (rp->exited)
			continue;
		for (i = j = 0; i < l.n; i++)
			j += l.st[i].pid == (__u32)rp->t.pid;
		if ((err = dump_process_write(out, rp->t.pid, rp->t.comm, rp->t.version, j,
					      !printed++)))
			goto cleanup;
		for (i = 0; i < l.n; i++) {
			if (l.st[i].pid != (__u32)rp->t.pid)
				continue;
			r = dump_one(p, rp, &l.st[i], out);
			if (r < 0 && r != -EFAULT) {
				err = r;
				goto cleanup;
			}
			if (r == -EFAULT)
				fprintf(out,
					"Thread %u: its stack could not be read (it changed "
					"while read, or the thread is exiting)\n",
					l.st[i].tid);
			ruby += r == 0;
			native += r == 1;
		}
		if (native)
			fprintf(out, "(%d other thread%s run%s no Ruby code)\n", native,
				native > 1 ? "s" : "", native > 1 ? "" : "s");
		if (!ruby && !native)
			fprintf(out, "(no thread found: the process is exiting)\n");
	}
	if (fflush(out) || ferror(out))
		err = -EIO;
cleanup:
	free(l.st);
	return err;
}

void profiler_close(struct profiler *p)
{
	if (p->top_open)
		top_close(&p->top);
	sampler_close(&p->sampler);
	wall_free(&p->wall);
	aggregate_free(&p->agg);
	proc_table_free(&p->procs);
	hostscan_free(&p->scan);
	discover_free(&p->disc);
}
