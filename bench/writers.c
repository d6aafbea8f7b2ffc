// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * writers.c - make bench: the time and the peak memory each writer (-f FORMAT) takes to write
 * a large profile, against the size of its folded output (the targets: < 2 s, and
 * < 3x the folded output's size in memory).
 *
 *   bench-writers STACKS MIN_DEPTH MAX_DEPTH [FORMAT]
 *
 * The profile is made up, the same every run (a fixed seed): STACKS distinct stacks of one
 * process, each the prefix of an earlier stack plus new frames up to a depth in [MIN_DEPTH,
 * MAX_DEPTH], as a real call tree branches; frames drawn from METHODS methods of FILES files
 * at their lines. Each writer runs in a child of its own, which builds the aggregate, notes its
 * peak RSS, writes into a counting sink (no disk) and notes its peak RSS again: the growth is
 * what the writer took. Prints one line per format: "FORMAT: N bytes, T s, M KiB peak growth".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "output/writer.h"

/* Methods and files of the made-up application: a large Rails app's order of magnitude. */
#define METHODS 20000
#define FILES	2000
/*
 * Lines a method's frames are spread over: up to 160,000 distinct frames, several times what
 * a profile of a large Rails application holds (a few tens of thousands).
 */
#define LINES 8

static __u64 rng = 0x9e3779b97f4a7c15ULL;

static __u32 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (__u32)rng;
}

struct made_up {
	struct aggregate agg;
	struct iseq_info *infos;
	char *text; /* the labels and paths */
	/*
	 * The stacks as made, kept until the writer is done: freed before, their memory would be
	 * the writer's to reuse without the peak RSS growing, and its growth would read low.
	 */
	__u32 *prev, *depths, *ids;
};

static int make_profile(struct made_up *m, __u32 nstacks, __u32 min_depth, __u32 max_depth)
{
	__u32 *prev = m->prev = calloc((size_t)nstacks * max_depth, sizeof(*prev));
	__u32 *depths = m->depths = calloc(nstacks, sizeof(*depths));
	__u32 *ids = m->ids = calloc(max_depth, sizeof(*ids));
	__u32 i, d;
	char *t;

	m->infos = calloc(METHODS, sizeof(*m->infos));
	m->text = t = malloc((size_t)METHODS * 96);
	if (!prev || !depths || !ids || !m->infos || !m->text || aggregate_init(&m->agg))
		return -ENOMEM;
	for (i = 0; i < METHODS; i++) {
		m->infos[i].label = t;
		t += sprintf(t, "App::Module%u::Service%u#handle_%u", i % 97, i % 311, i) + 1;
		m->infos[i].path = t;
		t += sprintf(t, "/srv/app/lib/module%u/service_%u.rb", i % 97, i % FILES) + 1;
	}
	for (i = 0; i < nstacks; i++) {
		__u32 depth = min_depth + next_rand() % (max_depth - min_depth + 1);
		__u32 keep = 0;

		if (i) { /* share a prefix with an earlier stack */
			__u32 from = next_rand() % i;

			keep = depths[from] < depth ? depths[from] : depth;
			keep = keep ? next_rand() % keep : 0;
			memcpy(ids, prev + (size_t)from * max_depth, keep * sizeof(*ids));
		}
		for (d = keep; d < depth; d++) {
			__u32 meth = next_rand() % METHODS;

			if (aggregate_ruby_frame(&m->agg, &m->infos[meth],
						 1 + (int)(next_rand() % LINES), 0, &ids[d]))
				return -ENOMEM;
		}
		memcpy(prev + (size_t)i * max_depth, ids, depth * sizeof(*ids));
		depths[i] = depth;
		if (aggregate_stack(&m->agg, 0, ids, depth, 1 + next_rand() % 50))
			return -ENOMEM;
	}
	return 0;
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static ssize_t count_write(void *cookie, const char *buf, size_t n)
{
	*(size_t *)cookie += n;
	return (ssize_t)n;
}

/* In a child: make the profile, write it with w, print the line. */
static int bench_one(const struct writer *w, __u32 nstacks, __u32 min_depth, __u32 max_depth)
{
	struct profile_proc proc = {.comm = "ruby", .pid = 4242};
	cookie_io_functions_t sink = {.write = count_write};
	struct made_up m = {0};
	struct timespec t0, t1;
	size_t bytes = 0;
	long before;
	FILE *out;
	int err;

	if (make_profile(&m, nstacks, min_depth, max_depth))
		return -ENOMEM;
	struct profile p = {.agg = &m.agg,
			    .procs = &proc,
			    .nprocs = 1,
			    .command = "rbprof-bpf -d 60",
			    .start_unix_ns = 1700000000000000000ULL,
			    .duration_ns = 60000000000ULL,
			    .period_ns = 10101010,
			    .rate = 99};
	out = fopencookie(&bytes, "w", sink);
	if (!out)
		return -errno;
	before = peak_rss_kib();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = w->write(out, &p);
	fflush(out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%s: %zu bytes, %.3f s, %ld KiB peak growth, %u stacks, %zu frames\n", w->name,
	       bytes, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       peak_rss_kib() - before, m.agg.nstacks, m.agg.pool_len);
	fclose(out);
	fflush(stdout); /* the child leaves with _exit */
	return err;
}

int main(int argc, char **argv)
{
	static const char *const formats[] = {"folded", "svg", "speedscope", "pprof"};
	unsigned long nstacks, lo, hi;
	size_t i;
	int failed = 0;

	if ((argc != 4 && argc != 5) || !(nstacks = strtoul(argv[1], NULL, 10)) ||
	    !(lo = strtoul(argv[2], NULL, 10)) || (hi = strtoul(argv[3], NULL, 10)) < lo ||
	    hi > 4096) {
		fprintf(stderr, "usage: bench-writers STACKS MIN_DEPTH MAX_DEPTH [FORMAT]\n");
		return 2;
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		pid_t pid;
		int status;

		if (argc == 5 && strcmp(argv[4], formats[i])) /* one format only */
			continue;
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(bench_one(writer_by_name(formats[i]), (__u32)nstacks, (__u32)lo,
					(__u32)hi)
				  ? 1
				  : 0);
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "bench-writers: %s failed\n", formats[i]);
			failed = 1;
		}
	}
	return failed;
}
