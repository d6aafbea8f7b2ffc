// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * userspace.c - make bench: the loader's per-sample work on recorded events, in samples per
 * second on one core. Each sample goes through what the loader does with a ring-buffer
 * record: decode it, find its process, symbolize every frame (a cache hit), intern the frames
 * and count the stack (event_decode, proc_table_live, stack_count_event).
 *
 *   bench-userspace FIXTURE.fixture.gz SECONDS
 *
 * The events come from a recorded Ruby process (a fixture, see user/devtools/fixture.h;
 * tests/unit/fixtures/ bench-*.fixture.gz hold the benchmark workloads' 50-frame and 1000-frame
 * stacks, taken with scripts/capture-fixture.sh): the kernel's walker runs on each recorded thread,
 * and the stack whose leaf has the most lines is replayed with its leaf pc varied over the leaf's
 * iseq, so that stacks differ in their leaf line as in a real profile. The records are laid out as
 * in the ring buffer (8-byte header, 8-byte aligned) in a buffer larger than the CPU caches and
 * read in order, so that each one comes from memory as the kernel's would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "devtools/fixture.h"
#include "aggregate/proc_table.h"
#include "aggregate/stack.h"
#include "sampling/event.h"
#include "sampling/walk_host.h"

/* The records replayed: well past the last-level cache of the machines this runs on. */
#define STREAM_BYTES (64U << 20)
/* Leaf pcs the stacks vary over: a hot method's lines, each a distinct stack. */
#define LEAF_VARIANTS 64
/* The ring buffer's record header (struct ringbuf_hdr: len, pg_off). */
#define RECORD_HDR 8
/* The pid the replayed samples carry: any, as long as the process table knows it. */
#define BENCH_PID 4242

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Index of the innermost Ruby frame of ev, or nframes. */
static __u32 leaf_index(const struct rbprof_event *ev)
{
	__u32 i = 0;

	while (i < ev->nframes && !ev->frames[i].pc)
		i++;
	return i;
}

/*
 * The stack to replay: of the fixture's threads, as the kernel's walker sends them, the one
 * whose innermost Ruby frame has the most lines (the most distinct leaves). Every thread's
 * stack is symbolized and counted on the way, as the first samples of a profile would be.
 */
static int pick_event(const struct fixture *f, struct ruby_proc *rp, struct aggregate *agg,
		      struct rbprof_event *out)
{
	struct rbprof_walk_scratch *s = calloc(1, sizeof(*s));
	__u32 best = 0;
	int i, round;

	if (!s)
		return -ENOMEM;
	walk_mem = (struct memread *)&f->mem.base;
	for (i = 0; i < f->nthreads; i++) {
		const struct iseq_info *leaf;
		__u64 ec;
		__u32 li;

		if (rbprof_find_ec(&f->bpf, f->tp[i], &ec) || rbprof_walk(&f->bpf, ec, s, NULL))
			continue;
		/* several batches: owners are looked up once per batch */
		for (round = 0; round < 8; round++, rp->sym.epoch++)
			if (stack_count_event(&rp->sym, agg, rp->id, &s->ev, NULL))
				goto out;
		li = leaf_index(&s->ev);
		leaf = li < s->ev.nframes ? symbolizer_iseq(&rp->sym, s->ev.frames[li].addr) : NULL;
		if (leaf && leaf->lines.nentries > best) {
			best = leaf->lines.nentries;
			*out = s->ev;
		}
	}
out:
	free(s);
	return best ? 0 : -ENOENT;
}

/* Lay out `count` records, variant k's leaf pc at position k/LEAF_VARIANTS of its iseq. */
static unsigned char *make_stream(const struct rbprof_event *ev, const struct iseq_info *leaf,
				  __u32 leaf_idx, size_t rec_size, size_t count)
{
	size_t ev_size = RBPROF_EVENT_HDR_SIZE + ev->nframes * sizeof(ev->frames[0]), i;
	unsigned char *buf = calloc(count, rec_size);

	if (!buf)
		return NULL;
	for (i = 0; i < count; i++) {
		unsigned char *rec = buf + i * rec_size;
		struct rbprof_event *e = (struct rbprof_event *)(rec + RECORD_HDR);
		__u64 pos = 1 + (i % LEAF_VARIANTS) * leaf->lines.iseq_size / LEAF_VARIANTS;

		*(__u32 *)rec = (__u32)ev_size;
		memcpy(e, ev, ev_size);
		e->frames[leaf_idx].pc = leaf->iseq_encoded + pos * 8;
	}
	return buf;
}

struct result {
	double cpu_s, wall_s;
	__u64 samples;
};

/* Replay the stream until `seconds` of CPU time have passed. */
static int replay(struct proc_table *pt, struct aggregate *agg, const unsigned char *buf,
		  size_t rec_size, size_t count, double seconds, struct result *r)
{
	double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
	size_t i;

	r->samples = 0;
	do {
		for (i = 0; i < count; i++) {
			const unsigned char *rec = buf + i * rec_size;
			const struct rbprof_event *ev =
			    event_decode(rec + RECORD_HDR, *(const __u32 *)rec);
			struct ruby_proc *rp = ev ? proc_table_live(pt, (pid_t)ev->pid) : NULL;

			if (!rp || stack_count_event(&rp->sym, agg, rp->id, ev, NULL))
				return -EINVAL;
			rp->samples++;
		}
		r->samples += count;
		pt->procs[0]->sym.epoch++; /* a poll's batch, as the loader does */
	} while (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0 < seconds);
	r->cpu_s = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	r->wall_s = clock_s(CLOCK_MONOTONIC) - w0;
	return 0;
}

/* The fixture must replay to the stacks recorded with it: the benchmark measures real work. */
static int check_fixture(const struct fixture *f)
{
	char *got = NULL;
	int err = fixture_profile(f, (struct memread *)&f->mem.base, &got);

	if (!err && strcmp(got, f->expected))
		err = -EINVAL;
	free(got);
	return err;
}

static int run(const char *path, double seconds)
{
	struct rbprof_event *ev = calloc(1, sizeof(*ev));
	const struct iseq_info *leaf;
	struct ruby_target t = {.pid = BENCH_PID};
	struct proc_table pt;
	struct aggregate agg;
	struct ruby_proc *rp;
	struct fixture f;
	unsigned char *stream = NULL;
	size_t rec_size, count;
	struct result r;
	__u32 leaf_idx;
	int exact, err;

	proc_table_init(&pt);
	err = aggregate_init(&agg);
	if (err || !ev)
		goto out_agg;
	err = fixture_load(path, &f);
	if (err) {
		fprintf(stderr, "bench-userspace: cannot load %s: %s\n", path, strerror(-err));
		goto out_agg;
	}
	err = check_fixture(&f);
	if (err) {
		fprintf(stderr, "bench-userspace: %s does not replay to its recorded stacks\n",
			path);
		goto out;
	}
	t.layout = ruby_layout_find(f.version, &exact);
	t.global_symbols = f.global_symbols;
	rp = t.layout ? proc_table_add(&pt, &t) : NULL;
	err = -ENOMEM;
	if (!rp)
		goto out;
	/* The process is the recording: its symbolizer reads the recorded memory. */
	symbolizer_free(&rp->sym);
	symbolizer_init(&rp->sym, &f.mem.base, t.layout, f.global_symbols, f.vm_ptr_addr);
	err = pick_event(&f, rp, &agg, ev);
	if (err) {
		fprintf(stderr, "bench-userspace: %s: no Ruby stack to replay\n", path);
		goto out;
	}
	ev->pid = BENCH_PID;
	leaf_idx = leaf_index(ev);
	leaf = symbolizer_iseq(&rp->sym, ev->frames[leaf_idx].addr);
	if (!leaf || !leaf->lines.iseq_size || rp->sym.failed) {
		fprintf(stderr, "bench-userspace: %s: frames not symbolized\n", path);
		err = -EINVAL;
		goto out;
	}
	rec_size = (RECORD_HDR + RBPROF_EVENT_HDR_SIZE + ev->nframes * sizeof(ev->frames[0]) + 7) &
		   ~(size_t)7;
	count = STREAM_BYTES / rec_size < LEAF_VARIANTS ? LEAF_VARIANTS : STREAM_BYTES / rec_size;
	stream = make_stream(ev, leaf, leaf_idx, rec_size, count);
	err = -ENOMEM;
	if (!stream)
		goto out;
	/* One pass first: the leaf variants' frames are symbolized and interned (cache misses). */
	err = replay(&pt, &agg, stream, rec_size, count, 0, &r);
	if (!err)
		err = replay(&pt, &agg, stream, rec_size, count, seconds, &r);
	if (err || rp->sym.failed) {
		fprintf(stderr, "bench-userspace: replay failed\n");
		err = -EINVAL;
		goto out;
	}
	printf("depth %u: %.0f samples/s per core, %.0f ns per sample, %.0f MB/s of records, "
	       "%u distinct stacks, %zu-byte records, %llu samples in %.2f s CPU (%.2f s wall)\n",
	       ev->nframes, (double)r.samples / r.cpu_s, r.cpu_s * 1e9 / (double)r.samples,
	       (double)r.samples * (double)rec_size / r.cpu_s / 1e6, agg.nstacks, rec_size,
	       (unsigned long long)r.samples, r.cpu_s, r.wall_s);
out:
	free(stream);
	proc_table_free(&pt);
	fixture_free(&f);
out_agg:
	aggregate_free(&agg);
	free(ev);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	char *end;
	double seconds;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-userspace FIXTURE.fixture.gz SECONDS\n");
		return 2;
	}
	seconds = strtod(argv[2], &end);
	if (*end || seconds <= 0 || seconds > 600) {
		fprintf(stderr, "bench-userspace: SECONDS must be in (0, 600]\n");
		return 2;
	}
	return run(argv[1], seconds);
}
