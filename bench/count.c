// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * count.c - make bench's trivial sampler (count.bpf.c) on one clock until SIGINT:
 *   bench-count perf|tick HZ
 * prints "attached: DESCRIPTION" once sampling, and "samples: N" (all CPUs) at the end. The
 * tick clock is found as rbprof-bpf finds it (user/sampling/sample_clock.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "count.skel.h"
#include "sampling/sample_clock.h"

/* more CPUs than this machine of the benchmark will have */
#define MAX_CPUS 1024

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	int ncpus = libbpf_num_possible_cpus(), freq, tick, cpu, nlinks = 0, err = 1;
	static struct bpf_link *links[MAX_CPUS];
	struct sample_clock clock;
	struct count_bpf *skel = NULL;
	__u64 per_cpu[MAX_CPUS] = {0}, sum = 0;
	__u32 slot = 0;
	char why[256], text[128];

	if (argc != 3 || (strcmp(argv[1], "perf") && strcmp(argv[1], "tick")) ||
	    (freq = atoi(argv[2])) <= 0 || ncpus <= 0 || ncpus > MAX_CPUS) {
		fprintf(stderr, "usage: bench-count perf|tick HZ\n");
		return 2;
	}
	tick = !strcmp(argv[1], "tick");
	if (tick && sample_clock_tick(&clock, freq, why, sizeof(why))) {
		fprintf(stderr, "bench-count: no tick clock: %s\n", why);
		return 1;
	}
	if (!tick)
		sample_clock_perf(&clock, freq);
	skel = count_bpf__open();
	if (!skel)
		goto cleanup;
	skel->rodata->tick_function = clock.tick_function;
	skel->rodata->tick_every = tick ? clock.every : 1;
	bpf_program__set_autoload(tick ? skel->progs.count_perf : skel->progs.count_tick, false);
	if (count_bpf__load(skel))
		goto cleanup;
	if (tick) {
		links[nlinks] = bpf_program__attach(skel->progs.count_tick);
		if (!links[nlinks++])
			goto cleanup;
	} else {
		for (cpu = 0; cpu < ncpus; cpu++) {
			int fd = perf_cpu_clock_open(cpu, freq);

			if (fd < 0)
				continue; /* an offline CPU */
			links[nlinks] = bpf_program__attach_perf_event(skel->progs.count_perf, fd);
			if (!links[nlinks++])
				goto cleanup;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	sample_clock_describe(&clock, text, sizeof(text));
	printf("attached: %s\n", text);
	fflush(stdout);
	while (!stop)
		pause();
	if (!bpf_map__lookup_elem(skel->maps.counts, &slot, sizeof(slot), per_cpu,
				  (size_t)ncpus * sizeof(__u64), 0))
		for (cpu = 0; cpu < ncpus; cpu++)
			sum += per_cpu[cpu];
	printf("samples: %llu\n", (unsigned long long)sum);
	err = 0;
cleanup:
	if (err)
		fprintf(stderr, "bench-count: %s\n", strerror(errno));
	for (cpu = 0; cpu < nlinks; cpu++)
		bpf_link__destroy(links[cpu]);
	count_bpf__destroy(skel);
	return err;
}
