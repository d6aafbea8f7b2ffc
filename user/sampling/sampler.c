// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sampler.c - load and attach rbprof.bpf.c, and read what it produces. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rbprof.h" /* before the skeleton: its .bss holds rbprof.h's types */
#include "rbprof.skel.h"
#include "common/env.h"
#include "sampling/sampler.h"
#include "sampling/event.h"

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
	const struct rbprof_event *ev = event_decode(data, len);

	if (!ev) {
		s->bad_records++;
		return 0;
	}
	s->on_event(s->ctx, ev);
	return 0;
}

/*
 * The form of the sampler to load: with bpf_loop where the kernel has it (5.17+), unless
 * RBPROF_BPF_LOOP=0 asks for the bounded-loop form (what older kernels load; the tests run
 * it here too).
 */
static bool use_bpf_loop(enum bpf_prog_type type)
{
	const char *env = getenv("RBPROF_BPF_LOOP");

	if (env && !strcmp(env, "0"))
		return false;
	return libbpf_probe_bpf_helper(type, BPF_FUNC_loop, NULL) == 1;
}

/* The program of the clock's in the form the kernel takes; the others are not loaded. */
static struct bpf_program *choose_program(struct rbprof_bpf *skel, const struct sample_clock *c)
{
	struct bpf_program *all[4] = {skel->progs.rbprof_sample, skel->progs.rbprof_sample_bounded,
				      skel->progs.rbprof_tick, skel->progs.rbprof_tick_bounded},
			   *prog;
	int tick = c->kind == SAMPLE_CLOCK_TICK, i;

	if (tick)
		prog = use_bpf_loop(BPF_PROG_TYPE_RAW_TRACEPOINT) ? skel->progs.rbprof_tick
								  : skel->progs.rbprof_tick_bounded;
	else
		prog = use_bpf_loop(BPF_PROG_TYPE_PERF_EVENT) ? skel->progs.rbprof_sample
							      : skel->progs.rbprof_sample_bounded;
	for (i = 0; i < 4; i++)
		bpf_program__set_autoload(all[i], all[i] == prog);
	return prog;
}

int sampler_load(struct sampler *s, const struct sample_clock *clock, int thread_states,
		 sampler_event_fn fn, void *ctx)
{
	int err, ncpus = libbpf_num_possible_cpus();
	__u32 rb_bytes;
	long max_procs;

	memset(s, 0, sizeof(*s));
	/* RBPROF_THREAD_STATES=0: refused, as a kernel before 5.15 refuses it (the tests' way) */
	if (thread_states && getenv("RBPROF_THREAD_STATES") &&
	    !strcmp(getenv("RBPROF_THREAD_STATES"), "0"))
		return -EOPNOTSUPP;
	s->on_event = fn;
	s->ctx = ctx;
	if (ncpus < 0)
		return ncpus;
	s->skel = rbprof_bpf__open();
	if (!s->skel)
		return -errno ? -errno : -EINVAL;
	s->clock = *clock;
	s->prog = choose_program(s->skel, clock);
	s->skel->rodata->tick_function = clock->tick_function;
	s->skel->rodata->tick_every = clock->every ? clock->every : 1;
	bpf_program__set_autoload(s->skel->progs.rbprof_thread_states, thread_states);
	bpf_program__set_autoload(s->skel->progs.rbprof_switch, thread_states);
	bpf_program__set_autoload(s->skel->progs.rbprof_thread_exit, thread_states);
	/* RBPROF_MAX_PROCS=N: a smaller table of processes, for the tests of a full one */
	max_procs = env_number("RBPROF_MAX_PROCS", 1L << 30);
	if (max_procs > 0 &&
	    (err = bpf_map__set_max_entries(s->skel->maps.procs, (__u32)max_procs)))
		return err;
	rb_bytes = ringbuf_bytes((int)(clock->rate + 1), ncpus);
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

int sampler_attach(struct sampler *s)
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
	for (cpu = 0; cpu < ncpus; cpu++)
		s->ncpus += online[cpu];
	if (s->clock.kind == SAMPLE_CLOCK_TICK) {
		/* one tracepoint for all CPUs: each CPU's tick comes to it on that CPU */
		s->links[0] = bpf_program__attach(s->prog);
		if (!s->links[0])
			err = -errno;
		else
			s->nlinks = 1;
		goto cleanup;
	}
	for (cpu = 0; cpu < ncpus; cpu++) {
		int fd;

		if (!online[cpu])
			continue;
		fd = perf_cpu_clock_open(cpu, s->clock.perf_freq);
		if (fd < 0) {
			err = -errno;
			goto cleanup;
		}
		s->links[s->nlinks] = bpf_program__attach_perf_event(s->prog, fd);
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

/* Count pid in (delta 1) or out (-1) of its tgid_filter bit, which is set while counted. */
static void filter_update(struct sampler *s, __u32 pid, int delta)
{
	__u32 bit = rbprof_filter_bit(pid);
	__u64 *word = &s->skel->bss->tgid_filter[bit / 64], mask = 1ULL << (bit % 64);

	s->filter_refs[bit] += delta;
	if (s->filter_refs[bit])
		__atomic_fetch_or(word, mask, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(word, ~mask, __ATOMIC_RELAXED);
}

int sampler_attach_proc_events(struct sampler *s, int follow_forks)
{
	struct bpf_program *progs[3] = {s->skel->progs.rbprof_exec, s->skel->progs.rbprof_fork,
					s->skel->progs.rbprof_exit};
	int i, err = 0;

	s->skel->bss->follow_forks = follow_forks ? 1 : 0;
	for (i = 0; i < 3; i++) {
		s->proc_links[i] = bpf_program__attach(progs[i]);
		if (!s->proc_links[i] && !err)
			err = -errno;
	}
	s->proc_events = !err;
	return err;
}

/* pid is in the procs map: count it as ours and let the filter pass it (once). */
int sampler_adopt_proc(struct sampler *s, __u32 pid)
{
	__u64 *reg = hashmap_get(&s->registered, pid, 0);
	int err;

	if (reg && *reg)
		return 0;
	err = hashmap_put(&s->registered, pid, 0, 1);
	if (err) {
		bpf_map__delete_elem(s->skel->maps.procs, &pid, sizeof(pid), 0);
		return err;
	}
	filter_update(s, pid, 1);
	return 0;
}

int sampler_add_proc(struct sampler *s, __u32 pid, const struct rbprof_proc *p)
{
	int err =
	    bpf_map__update_elem(s->skel->maps.procs, &pid, sizeof(pid), p, sizeof(*p), BPF_ANY);

	/* In the map first, then in the filter: the program finds what the filter lets in. */
	return err ? err : sampler_adopt_proc(s, pid);
}

const char *sampler_form(const struct sampler *s)
{
	const __typeof__(s->skel->progs) *p = &s->skel->progs;

	return s->prog == p->rbprof_sample	   ? "rbprof_sample (bpf_loop)"
	       : s->prog == p->rbprof_tick	   ? "rbprof_tick (bpf_loop)"
	       : s->prog == p->rbprof_tick_bounded ? "rbprof_tick_bounded (a bounded loop)"
						   : "rbprof_sample_bounded (a bounded loop)";
}

__u64 sampler_ticks(struct sampler *s)
{
	int ncpus = libbpf_num_possible_cpus(), cpu;
	__u64 *per_cpu, sum = 0;
	__u32 zero = 0;

	if (s->clock.kind != SAMPLE_CLOCK_TICK || ncpus <= 0)
		return 0;
	per_cpu = calloc((size_t)ncpus, sizeof(*per_cpu));
	if (per_cpu && !bpf_map__lookup_elem(s->skel->maps.ticks, &zero, sizeof(zero), per_cpu,
					     (size_t)ncpus * sizeof(*per_cpu), 0))
		for (cpu = 0; cpu < ncpus; cpu++)
			sum += per_cpu[cpu];
	free(per_cpu);
	return sum;
}

__u32 sampler_max_procs(const struct sampler *s)
{
	return bpf_map__max_entries(s->skel->maps.procs);
}

void sampler_del_proc(struct sampler *s, __u32 pid)
{
	__u64 *reg = hashmap_get(&s->registered, pid, 0);

	if (reg && *reg) {
		*reg = 0;
		filter_update(s, pid, -1);
	}
	bpf_map__delete_elem(s->skel->maps.procs, &pid, sizeof(pid), 0);
}

/* hashmap_retain: a pid still registered. */
static int still_registered(void *ctx, struct hashmap_slot *slot)
{
	return slot->val != 0;
}

void sampler_forget_exited(struct sampler *s)
{
	hashmap_retain(&s->registered, still_registered, NULL); /* on ENOMEM, next time */
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

int sampler_thread_pointer(struct sampler *s, pid_t pid, pid_t tid, __u64 *tp)
{
	struct bpf_link *link;
	__u64 rec[2];
	int fd, err = -ESRCH;
	ssize_t n;

	s->skel->bss->iter_tgid = (__u32)pid;
	link = bpf_program__attach_iter(s->skel->progs.rbprof_thread_pointers, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		err = -errno;
		goto cleanup;
	}
	/* Records are written whole: a short read is the end. */
	while ((n = read(fd, rec, sizeof(rec))) == sizeof(rec))
		if (rec[0] == (__u64)tid) {
			*tp = rec[1];
			err = 0;
		}
	if (n < 0)
		err = -errno;
	close(fd);
cleanup:
	bpf_link__destroy(link);
	return err;
}

int sampler_attach_wall(struct sampler *s)
{
	s->skel->bss->loader_tid = (__u32)syscall(SYS_gettid);
	s->switch_link = bpf_program__attach(s->skel->progs.rbprof_switch);
	if (!s->switch_link)
		return -errno;
	s->thread_exit_link = bpf_program__attach(s->skel->progs.rbprof_thread_exit);
	return s->thread_exit_link ? 0 : -errno;
}

/* sampler_seed_threads: the process being seeded, and the threads map's fd. */
struct seed {
	__u32 pid;
	int fd;
};

/* A thread of the process being seeded, into the threads map. */
static void seed_one(void *ctx, const struct rbprof_thread_state *st)
{
	const struct seed *sd = ctx;
	struct rbprof_thread_state v = *st;

	if (st->pid != sd->pid)
		return;
	v.switches = 0; /* the map counts its own switches */
	/* one written at a switch meanwhile is fresher */
	bpf_map_update_elem(sd->fd, &v.tid, &v, BPF_NOEXIST);
}

int sampler_seed_threads(struct sampler *s, __u32 pid)
{
	struct seed sd = {.pid = pid, .fd = bpf_map__fd(s->skel->maps.threads)};

	return sampler_thread_states(s, seed_one, &sd);
}

/* Entries of the threads map read per batch call. */
#define WALL_BATCH 256

int sampler_wall_threads(struct sampler *s, sampler_thread_fn fn, void *ctx)
{
	static __u32 keys[WALL_BATCH];
	static struct rbprof_thread_state vals[WALL_BATCH];
	int fd = bpf_map__fd(s->skel->maps.threads), err = 0, first = 1;
	__u32 batch = 0, count, i;

	do {
		count = WALL_BATCH;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, vals, &count,
					   NULL);
		first = 0;
		if (err && errno != ENOENT)
			return -errno;
		for (i = 0; i < count; i++) {
			/* a process no longer sampled: its threads' entries go */
			__u64 *reg = hashmap_get(&s->registered, vals[i].pid, 0);

			if (!reg || !*reg) {
				bpf_map_delete_elem(fd, &keys[i]);
				continue;
			}
			fn(ctx, &vals[i]);
		}
	} while (!err);
	return 0;
}

/* Records of the thread-state iterator read at once: a read returns what fits of them. */
#define STATES_BATCH 256

int sampler_thread_states(struct sampler *s, sampler_thread_fn fn, void *ctx)
{
	struct rbprof_thread_state buf[STATES_BATCH];
	int fd, err = 0;
	ssize_t n, i;

	if (!s->states_link) {
		s->states_link =
		    bpf_program__attach_iter(s->skel->progs.rbprof_thread_states, NULL);
		if (!s->states_link)
			return -errno;
	}
	fd = bpf_iter_create(bpf_link__fd(s->states_link));
	if (fd < 0)
		return -errno;
	/* records are written whole; a read ends at a record's end */
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i + (ssize_t)sizeof(buf[0]) <= n; i += sizeof(buf[0]))
			fn(ctx, &buf[i / sizeof(buf[0])]);
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

const struct rbprof_settled *sampler_settled(struct sampler *s)
{
	return &s->skel->bss->settled_iseqs;
}

int sampler_counters(struct sampler *s, __u64 out[RBPROF_CNT_MAX])
{
	const struct rbprof_cpu_counters *c = s->skel->bss->cpu_counters;
	int cpu;
	__u32 i;

	for (i = 0; i < RBPROF_CNT_MAX; i++)
		out[i] = 0;
	for (cpu = 0; cpu < RBPROF_MAX_CPUS; cpu++)
		for (i = 0; i < RBPROF_CNT_MAX; i++)
			out[i] += __atomic_load_n(&c[cpu].c[i], __ATOMIC_RELAXED);
	return 0;
}

void sampler_settle(void *ctx, __u64 iseq, int settled)
{
	struct sampler *s = ctx;
	__u32 bit = rbprof_settled_bit(iseq);
	__u64 *word = &s->skel->bss->settled_iseqs.bits[bit / 64], mask = 1ULL << (bit % 64);

	if (s->unshared[bit / 64] & mask)
		return;
	if (settled) {
		__atomic_fetch_or(word, mask, __ATOMIC_RELAXED);
	} else if (*word & mask) {
		/* A settled iseq shares the bit: its frames are captured from now on, too. */
		__atomic_fetch_and(word, ~mask, __ATOMIC_RELAXED);
		/* after the bit: a walker that sees the new generation sees the bit cleared */
		__atomic_fetch_add(&s->skel->bss->settled_iseqs.generation, 1, __ATOMIC_RELEASE);
		s->unshared[bit / 64] |= mask;
		s->bits_unshared++;
	}
}

void sampler_close(struct sampler *s)
{
	int i;

	for (i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	for (i = 0; i < 3; i++)
		bpf_link__destroy(s->proc_links[i]);
	bpf_link__destroy(s->states_link);
	bpf_link__destroy(s->switch_link);
	bpf_link__destroy(s->thread_exit_link);
	free(s->links);
	ring_buffer__free(s->rb);
	rbprof_bpf__destroy(s->skel);
	hashmap_free(&s->registered);
	memset(s, 0, sizeof(*s));
}
