// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sampler.c - load and attach rbprof.bpf.c, and read what it produces. */
#include <errno.h>
#include <stdbool.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rbprof.skel.h"
#include "sampler.h"

/* Ring buffer bounds: libbpf wants a power-of-two multiple of the page size. */
#define RINGBUF_MIN (1U << 20)
#define RINGBUF_MAX (256U << 20)
/* Sizing assumption: an average record of a 64-frame stack. */
#define RINGBUF_TYPICAL_RECORD (RBPROF_EVENT_HDR_SIZE + 64 * sizeof(struct rbprof_frame) + 8)

/*
 * Half a second of samples from every CPU: the loader polls every 100 ms, so a buffer this
 * size absorbs a stall of several polls (e.g. symbolizing a burst of new iseqs) without loss.
 */
static __u32 ringbuf_bytes(int freq, int ncpus)
{
	__u64 want = (__u64)freq * (__u64)ncpus * RINGBUF_TYPICAL_RECORD / 2;
	__u32 size = RINGBUF_MIN;

	while (size < want && size < RINGBUF_MAX)
		size <<= 1;
	return size;
}

static int handle_record(void *ctx, void *data, size_t len)
{
	struct sampler *s = ctx;
	const struct rbprof_event *ev = data;

	if (len < RBPROF_EVENT_HDR_SIZE || ev->nframes > RBPROF_MAX_FRAMES ||
	    len < RBPROF_EVENT_HDR_SIZE + ev->nframes * sizeof(struct rbprof_frame)) {
		s->bad_records++;
		return 0;
	}
	s->on_event(s->ctx, ev);
	return 0;
}

int sampler_load(struct sampler *s, int freq, sampler_event_fn fn, void *ctx)
{
	int err, ncpus = libbpf_num_possible_cpus();
	__u32 rb_bytes;

	memset(s, 0, sizeof(*s));
	s->on_event = fn;
	s->ctx = ctx;
	if (ncpus < 0)
		return ncpus;
	s->skel = rbprof_bpf__open();
	if (!s->skel)
		return -errno ? -errno : -EINVAL;
	rb_bytes = ringbuf_bytes(freq, ncpus);
	err = bpf_map__set_max_entries(s->skel->maps.events, rb_bytes);
	if (err)
		return err;
	s->skel->rodata->wakeup_bytes = rb_bytes / 4;
	err = rbprof_bpf__load(s->skel);
	if (err)
		return err;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), handle_record, s, NULL);
	if (!s->rb)
		return -errno ? -errno : -ENOMEM;
	return 0;
}

static int open_cpu_clock(int cpu, int freq)
{
	struct perf_event_attr attr = {
	    .type = PERF_TYPE_SOFTWARE,
	    .size = sizeof(attr),
	    .config = PERF_COUNT_SW_CPU_CLOCK,
	    .sample_freq = (__u64)freq,
	    .freq = 1,
	};

	return (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Mark the CPUs listed in /sys/devices/system/cpu/online ("0-3,5") in online[0..n). */
static int read_online_cpus(bool *online, int n)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	int a, b, any = 0;
	char sep;

	if (!f)
		return -errno;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%d%c", &b, &sep) < 1)
			break;
		for (; a <= b && a < n; a++)
			online[a] = true;
		any = 1;
		if (sep != ',')
			break;
	}
	fclose(f);
	return any ? 0 : -EINVAL;
}

int sampler_attach(struct sampler *s, int freq)
{
	int cpu, ncpus = libbpf_num_possible_cpus(), err = 0;
	bool *online;

	if (ncpus < 0)
		return ncpus;
	online = calloc((size_t)ncpus, sizeof(*online));
	s->links = calloc((size_t)ncpus, sizeof(*s->links));
	if (!online || !s->links) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = read_online_cpus(online, ncpus);
	if (err)
		goto cleanup;
	for (cpu = 0; cpu < ncpus; cpu++) {
		int fd;

		if (!online[cpu])
			continue;
		fd = open_cpu_clock(cpu, freq);
		if (fd < 0) {
			err = -errno;
			goto cleanup;
		}
		s->links[s->nlinks] =
		    bpf_program__attach_perf_event(s->skel->progs.rbprof_sample, fd);
		if (!s->links[s->nlinks]) {
			err = -errno;
			close(fd);
			goto cleanup;
		}
		s->nlinks++;
	}
cleanup:
	free(online);
	return err;
}

int sampler_add_proc(struct sampler *s, __u32 pid, const struct rbprof_proc *p)
{
	return bpf_map__update_elem(s->skel->maps.procs, &pid, sizeof(pid), p, sizeof(*p), BPF_ANY);
}

void sampler_del_proc(struct sampler *s, __u32 pid)
{
	bpf_map__delete_elem(s->skel->maps.procs, &pid, sizeof(pid), 0);
}

int sampler_poll(struct sampler *s, int timeout_ms)
{
	int err = ring_buffer__poll(s->rb, timeout_ms);

	/*
	 * The sampler wakes us only when the buffer fills up (BPF_RB_NO_WAKEUP otherwise), so a
	 * poll that times out has not looked at the buffer: consume what is there.
	 */
	if (err >= 0 || err == -EINTR)
		err = ring_buffer__consume(s->rb);
	return err;
}

int sampler_counters(struct sampler *s, __u64 out[RBPROF_CNT_MAX])
{
	int ncpus = libbpf_num_possible_cpus(), cpu, err;
	__u32 i;
	__u64 *vals;

	if (ncpus < 0)
		return ncpus;
	vals = calloc((size_t)ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < RBPROF_CNT_MAX; i++) {
		out[i] = 0;
		err = bpf_map__lookup_elem(s->skel->maps.counters, &i, sizeof(i), vals,
					   sizeof(*vals) * (size_t)ncpus, 0);
		if (err)
			break;
		for (cpu = 0; cpu < ncpus; cpu++)
			out[i] += vals[cpu];
	}
	free(vals);
	return err;
}

void sampler_close(struct sampler *s)
{
	int i;

	for (i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	free(s->links);
	ring_buffer__free(s->rb);
	rbprof_bpf__destroy(s->skel);
	memset(s, 0, sizeof(*s));
}
