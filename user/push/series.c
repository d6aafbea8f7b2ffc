// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* series.c - an interval's profile, split by process into Pyroscope series. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "push/series.h"

void series_name(char *buf, size_t cap, const struct profile_proc *proc, const char *app_name)
{
	static char host[256];
	const char *keys[4] = {"hostname", "pid", "comm", "container_id"};
	const char *values[4];
	char pid[16];
	int n = 3;

	if (!host[0] && gethostname(host, sizeof(host) - 1))
		snprintf(host, sizeof(host), "unknown");
	snprintf(pid, sizeof(pid), "%d", (int)proc->pid);
	values[0] = host;
	values[1] = pid;
	values[2] = proc->comm;
	if (proc->container && proc->container[0])
		values[n++] = proc->container;
	push_series_name(buf, cap, app_name ? app_name : proc->comm, keys, values, n);
}

/* One process's stacks (n of them, indexes into prof->agg) as a pprof, queued. */
static int submit_one(struct push *push, const struct profile *prof, __u32 proc, const __u32 *idx,
		      __u32 n, const char *app_name)
{
	struct aggregate sub;
	struct profile one = *prof;
	char name[SERIES_NAME_MAX];
	char *body = NULL;
	size_t len = 0;
	FILE *f = NULL;
	__u64 from = prof->start_unix_ns / 1000000000ULL;
	__u64 until = (prof->start_unix_ns + prof->duration_ns) / 1000000000ULL;
	int err;

	if ((err = aggregate_init(&sub)))
		return err;
	if ((err = aggregate_extract(&sub, prof->agg, idx, n)))
		goto cleanup;
	one.agg = &sub;
	one.procs = &prof->procs[proc];
	one.nprocs = 1;
	f = open_memstream(&body, &len);
	if (!f) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = pprof_writer.write(f, &one);
	if (fclose(f) && !err)
		err = -ENOMEM;
	f = NULL;
	if (err)
		goto cleanup;
	series_name(name, sizeof(name), &prof->procs[proc], app_name);
	/* a series' intervals meet: this one's until is the next one's from, to the second */
	/* the query's sampleRate is a whole number: the tick clock's 83.33 Hz is 83 there */
	err = push_submit(push, name, from, until > from ? until : from + 1,
			  (int)(prof->rate + 0.5), body, len);
	body = NULL; /* push_submit's, whatever it returned */
cleanup:
	free(body);
	aggregate_free(&sub);
	return err;
}

int push_series_submit(struct push *push, const struct profile *prof, const char *app_name)
{
	const struct aggregate *a = prof->agg;
	__u32 *idx = malloc((a->nstacks ? a->nstacks : 1) * sizeof(*idx));
	__u32 *start = calloc(prof->nprocs + 1, sizeof(*start));
	__u32 i, p;
	int err = 0;

	if (!idx || !start) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* the stacks by process, in one counting sort */
	for (i = 0; i < a->nstacks; i++)
		if (a->stacks[i].proc_id < prof->nprocs)
			start[a->stacks[i].proc_id + 1]++;
	for (p = 0; p < prof->nprocs; p++)
		start[p + 1] += start[p];
	for (i = 0; i < a->nstacks; i++) {
		__u32 q = a->stacks[i].proc_id;

		if (q < prof->nprocs)
			idx[start[q]++] = i;
	}
	/* start[p] is now the end of p's run, which begins where p - 1's ends */
	for (p = 0; p < prof->nprocs && !err; p++) {
		__u32 from = p ? start[p - 1] : 0;

		if (start[p] > from)
			err = submit_one(push, prof, p, idx + from, start[p] - from, app_name);
	}
cleanup:
	free(idx);
	free(start);
	return err;
}
