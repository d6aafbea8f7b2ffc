// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* aggregate.c - frame interning and the table of stack counts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "aggregate/aggregate.h"

/* Grow *arr (of *cap elements of `size`) to hold at least `need`. 0 or -ENOMEM. */
static int reserve(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int add_frame(struct aggregate *a, const struct iseq_info *info, int line, int kind)
{
	size_t cap = a->frames_cap;

	if (reserve((void **)&a->frames, &cap, a->nframes + 1, sizeof(*a->frames)))
		return -ENOMEM;
	a->frames_cap = (__u32)cap;
	a->frames[a->nframes++] = (struct frame_rec){.info = info, .line = line, .kind = kind};
	return 0;
}

int aggregate_init(struct aggregate *a)
{
	int kind;

	memset(a, 0, sizeof(*a));
	a->max_stacks = AGG_MAX_STACKS;
	a->max_frames = AGG_MAX_FRAMES;
	a->max_pool = AGG_MAX_POOL;
	for (kind = 0; kind < FRAME_ID_SPECIALS; kind++)
		if (add_frame(a, NULL, 0, kind))
			return -ENOMEM;
	return 0;
}

int aggregate_reset(struct aggregate *a)
{
	__u32 max_stacks = a->max_stacks, max_frames = a->max_frames;
	size_t max_pool = a->max_pool;
	int err;

	aggregate_free(a);
	err = aggregate_init(a);
	a->max_stacks = max_stacks;
	a->max_frames = max_frames;
	a->max_pool = max_pool;
	return err;
}

int aggregate_ruby_frame(struct aggregate *a, const struct iseq_info *info, int line, int variant,
			 __u32 *id)
{
	__u64 key = (__u64)(__u32)line | (__u64)(__u32)variant << 32;
	__u64 *v = hashmap_get(&a->frame_ids, (unsigned long)info, key);

	if (v) {
		*id = (__u32)*v;
		return 0;
	}
	if (a->nframes >= a->max_frames) { /* its stack is counted, if with a nameless frame */
		*id = FRAME_OVERFLOW;
		return 0;
	}
	if (add_frame(a, info, line, FRAME_RUBY) ||
	    hashmap_put(&a->frame_ids, (unsigned long)info, key, a->nframes - 1))
		return -ENOMEM;
	a->frames[a->nframes - 1].variant = variant;
	*id = a->nframes - 1;
	return 0;
}

int aggregate_thread_frame(struct aggregate *a, const struct iseq_info *info, int tid, __u32 *id)
{
	int err = aggregate_ruby_frame(a, info, tid, 0, id);

	if (!err) /* its info is the thread table's: no Ruby frame shares it */
		a->frames[*id].kind = FRAME_THREAD;
	return err;
}

int aggregate_offcpu_frame(struct aggregate *a, int nr, __u32 *id)
{
	/* keyed by the kind's number in place of an info pointer: no iseq_info is that small */
	__u64 *v = hashmap_get(&a->frame_ids, FRAME_OFFCPU, (__u64)(__u32)(nr + 1));

	if (v) {
		*id = (__u32)*v;
		return 0;
	}
	if (add_frame(a, NULL, nr + 1, FRAME_OFFCPU) ||
	    hashmap_put(&a->frame_ids, FRAME_OFFCPU, (__u64)(__u32)(nr + 1), a->nframes - 1))
		return -ENOMEM;
	*id = a->nframes - 1;
	return 0;
}

/*
 * Two frame ids per step of multiply and rotate (each step a bijection of the running hash,
 * so stacks that differ in one id never collide), one full mix at the end: this runs over
 * every frame of every sample.
 */
static __u64 stack_hash(__u32 proc_id, const __u32 *frames, __u32 n)
{
	__u64 h = proc_id + ((__u64)n << 32);
	__u32 i;

	for (i = 0; i + 1 < n; i += 2) {
		h = (h ^ (frames[i] | (__u64)frames[i + 1] << 32)) * HASH_ODD_CONSTANT;
		h = h << 31 | h >> 33;
	}
	if (i < n)
		h = (h ^ frames[i]) * HASH_ODD_CONSTANT;
	return hash_mix(h);
}

static int stack_equal(const struct aggregate *a, const struct stack_rec *s, __u64 hash,
		       __u32 proc_id, const __u32 *frames, __u32 n)
{
	return s->hash == hash && s->proc_id == proc_id && s->n == n &&
	       (!n || !memcmp(a->pool + s->off, frames, n * sizeof(*frames)));
}

static void index_insert(struct aggregate *a, __u32 idx)
{
	size_t i = a->stacks[idx].hash & (a->index_cap - 1);

	while (a->index[i])
		i = (i + 1) & (a->index_cap - 1);
	a->index[i] = idx + 1;
}

static int index_grow(struct aggregate *a)
{
	size_t cap = a->index_cap ? a->index_cap * 2 : 1024;
	__u32 *index = calloc(cap, sizeof(*index)), i;

	if (!index)
		return -ENOMEM;
	free(a->index);
	a->index = index;
	a->index_cap = cap;
	for (i = 0; i < a->nstacks; i++)
		index_insert(a, i);
	return 0;
}

int aggregate_stack(struct aggregate *a, __u32 proc_id, const __u32 *frames, __u32 n, __u64 count)
{
	__u64 hash = stack_hash(proc_id, frames, n);
	size_t i, cap;

	if (a->index_cap) {
		for (i = hash & (a->index_cap - 1); a->index[i]; i = (i + 1) & (a->index_cap - 1)) {
			struct stack_rec *s = &a->stacks[a->index[i] - 1];

			if (stack_equal(a, s, hash, proc_id, frames, n)) {
				s->count += count;
				return 0;
			}
		}
	}
	/* past a bound, a process's samples go to its one overflow stack (made past it) */
	if ((a->nstacks >= a->max_stacks || a->pool_len + n > a->max_pool) &&
	    !(n == 1 && frames[0] == FRAME_OVERFLOW)) {
		static const __u32 overflow = FRAME_OVERFLOW;

		a->overflowed += count;
		return aggregate_stack(a, proc_id, &overflow, 1, count);
	}
	if ((a->nstacks + 1) * 2 > a->index_cap && index_grow(a))
		return -ENOMEM;
	cap = a->stacks_cap;
	if (reserve((void **)&a->stacks, &cap, a->nstacks + 1, sizeof(*a->stacks)))
		return -ENOMEM;
	a->stacks_cap = (__u32)cap;
	if (reserve((void **)&a->pool, &a->pool_cap, a->pool_len + n, sizeof(*a->pool)))
		return -ENOMEM;
	if (n)
		memcpy(a->pool + a->pool_len, frames, n * sizeof(*frames));
	a->stacks[a->nstacks] = (struct stack_rec){
	    .hash = hash, .count = count, .proc_id = proc_id, .n = n, .off = a->pool_len};
	a->pool_len += n;
	index_insert(a, a->nstacks++);
	return 0;
}

void aggregate_free(struct aggregate *a)
{
	free(a->frames);
	hashmap_free(&a->frame_ids);
	free(a->stacks);
	free(a->pool);
	free(a->index);
	memset(a, 0, sizeof(*a));
}

/* Frame `id` of src, interned in dst. 0 or -ENOMEM. */
static int frame_into(struct aggregate *dst, const struct aggregate *src, __u32 id, __u32 *out)
{
	const struct frame_rec *f = &src->frames[id];

	if (id < FRAME_ID_SPECIALS) {
		*out = id;
		return 0;
	}
	if (f->kind == FRAME_THREAD)
		return aggregate_thread_frame(dst, f->info, f->line, out);
	if (f->kind == FRAME_OFFCPU)
		return aggregate_offcpu_frame(dst, f->line - 1, out);
	return aggregate_ruby_frame(dst, f->info, f->line, f->variant, out);
}

int aggregate_extract(struct aggregate *dst, const struct aggregate *src, const __u32 *idx,
		      __u32 n_idx)
{
	static __u32 ids[AGG_MAX_STACK_FRAMES];
	__u32 i, j;
	int err;

	for (i = 0; i < n_idx; i++) {
		const struct stack_rec *s = &src->stacks[idx[i]];
		__u32 n = s->n < AGG_MAX_STACK_FRAMES ? s->n : AGG_MAX_STACK_FRAMES;

		for (j = 0; j < n; j++)
			if ((err = frame_into(dst, src, src->pool[s->off + j], &ids[j])))
				return err;
		if ((err = aggregate_stack(dst, 0, ids, n, s->count)))
			return err;
	}
	return 0;
}
