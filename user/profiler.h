/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * profiler.h - one profiling session, the whole pipeline:
 * discover -> attach -> sample -> symbolize -> aggregate -> write.
 */
#ifndef RBPROF_PROFILER_H
#define RBPROF_PROFILER_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include "aggregate/aggregate.h"
#include "aggregate/proc_table.h"
#include "discover/hostscan.h"
#include "discover/probe.h"
#include "output/top.h"
#include "output/writer.h"
#include "rubyvm/symcache.h"
#include "sampling/sampler.h"
#include "sampling/wall.h"

struct profiler_opts {
	int duration; /* seconds; 0: until *stop is set */
	int freq;     /* samples per second per CPU asked for (-F) */
	int clock;    /* --clock: enum sample_clock_kind, AUTO to choose by freq */
	pid_t *pids;  /* only these; NULL: every Ruby process on the host */
	int npids;
	int verbose;
	int quiet;   /* stderr for errors only: no closing summary, no informational notices */
	int threads; /* a frame per thread under each process (aggregate/threads.h) */
	const char *force_version;   /* use this version's layout for every process */
	const struct writer *writer; /* the output format (output/writer.h) */
	const char *command;	     /* our command line, for the profile's title */
	int top;		     /* --top: the live view on stdout (output/top.h) */
	int subprocesses;	     /* -s: the -p processes' descendants too */
	const char *container;	     /* --container: only its processes (an id or its prefix) */
	pid_t launched;		     /* -- COMMAND: its pid; it and its descendants are profiled */
	int wall;		/* --wall: threads off their CPUs sampled too (sampling/wall.h) */
	int dump;		/* --dump: no profile; profiler_dump says what threads do */
	int (*done)(void *ctx); /* 1: stop now (the command has exited); may be NULL */
	void *done_ctx;
	/*
	 * --rotate SECS, --push-interval SECS: a profile is written (or sent) every `interval`
	 * seconds, each of what that interval sampled; 0: one profile at the end.
	 */
	int interval;
	const char *rotate_dir; /* -o DIR --rotate: a file per interval there (output/rotate.h) */
	struct push *push;	/* --push: each interval uploaded through it (push/push.h) */
	const char *app_name;	/* --app-name: the series of every process; NULL: its command */
};

/* Processes exec'd and not yet found Ruby, looked at again at each poll for their first second. */
#define YOUNG_MAX 256

struct profiler {
	const struct profiler_opts *opts;
	struct sampler sampler;
	struct sample_clock clock; /* what triggers a sample, and what one stands for */
	char clock_text[128];	   /* ... said (sample_clock_describe), for the profiles */
	struct discover disc;
	struct hostscan scan; /* whole-host mode: which processes to probe */
	struct proc_table procs;
	struct aggregate agg;
	__u64 orphan_samples;  /* samples of a pid the loader no longer knows */
	__u64 agg_errors;      /* samples dropped for lack of memory */
	__u32 not_profiled;    /* Ruby processes found that cannot be profiled (each named) */
	int error;	       /* first fatal error in a callback */
	__u64 start_ns;	       /* CLOCK_MONOTONIC at profiler_start: start-up timing */
	__u64 sample_start_ns; /* CLOCK_MONOTONIC when sampling began, and when it ended */
	__u64 sample_end_ns;
	__u64 start_unix_ns; /* CLOCK_REALTIME when sampling began: the profile's time */
	int thread_roots;    /* the aggregate has a thread frame at every stack's root */
	struct top_view top; /* --top, while profiler_run runs */
	int top_open;
	struct young_proc {
		pid_t pid;
		__u64 exec_ns; /* when its exec was reported */
		__u64 next_ms; /* when to look at it next (backing off) */
	} young[YOUNG_MAX];
	int nyoung;
	__u64 eager_until_ms; /* a process is new till then: drain often (profiler.c EAGER_MS) */
	int first_sample_seen;
	struct wall wall;   /* --wall, --dump: the threads not on a CPU */
	__u64 wall_next_ns; /* --wall: the next sample of them due (CLOCK_MONOTONIC) */
	__u64 wall_samples; /* samples of threads not on a CPU */
	__u64 wall_missed;  /* periods the loader was too late to sample them in */
	__u64 wall_ticks;   /* periods sampled, and the time it took (-v) */
	__u64 wall_ns;
	__u64 epoch_ms;	       /* when the symbolizers' epoch last advanced */
	__u64 epoch;	       /* the symbolizers' epoch: one clock for all (rubyvm/symcache.h) */
	struct symcache cache; /* the budget of the symbolizers' caches together */
	__u64 trim_ms;	       /* when the caches were last checked and trimmed */
	__u64 trim_epoch;      /* ... and the epoch then: frames used since are checked */
	/* --rotate, --push: the current interval's start (CLOCK_REALTIME, CLOCK_MONOTONIC) */
	__u64 interval_unix_ns, interval_ns;
	__u32 intervals;       /* written or handed to the uploader */
	__u32 interval_errors; /* intervals whose file could not be written */
	__u64 interval_ns_max; /* the longest an interval's writing took (-v) */
	__u64 overflowed;      /* samples past an interval's aggregate bounds, intervals gone */
};

/*
 * Set up: probe the -p processes (exit code 2 for a missing or non-Ruby pid, 1 if none can
 * be profiled), load and attach the BPF program. 0 or an exit code; the error is printed.
 */
int profiler_start(struct profiler *p, const struct profiler_opts *o);

/*
 * Sample until the duration ends, *stop is set, every -p process has exited, or (--top) `q`
 * is pressed.
 */
int profiler_run(struct profiler *p, volatile sig_atomic_t *stop);

/*
 * Write the profile to out in opts->writer's format (none if out is NULL: --top alone), the
 * summary to stderr. 0 or -errno.
 */
int profiler_write(struct profiler *p, FILE *out);

/*
 * --dump: every Ruby thread of the -p processes, once: its name, tid, state and backtrace,
 * innermost frame first, on out. 0 or -errno.
 */
int profiler_dump(struct profiler *p, FILE *out);

void profiler_close(struct profiler *p);

#endif /* RBPROF_PROFILER_H */
