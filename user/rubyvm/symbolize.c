// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* symbolize.c - the per-process iseq cache. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rubyvm/symbolize.h"
#include "rubyvm/symcache.h"

void symbolizer_init(struct symbolizer *s, struct memread *mem, const struct ruby_layout *L,
		     __u64 global_symbols, __u64 vm_ptr_addr)
{
	s->mem = mem;
	s->layout = L;
	ruby_names_init(&s->names, mem, L, global_symbols, vm_ptr_addr);
	s->frames = (struct hashmap){0};
	s->frame_ids = (struct hashmap){0};
	s->owners = (struct hashmap){0};
	s->on_settle = NULL;
	s->settle_ctx = NULL;
	s->failed = 0;
	s->ruby_frames = s->owners_captured = s->settled = 0;
	s->epoch = 0;
	s->cache = NULL;
	s->bytes = 0;
	s->retired = NULL;
	s->nretired = s->retired_cap = 0;
}

enum frame_key { KEY_ISEQ, KEY_CFUNC };

/* Read the frame (iseq or C method) `addr` into info. 0 or -errno. */
static int read_frame(struct symbolizer *s, __u64 addr, enum frame_key kind, struct iseq_info *info)
{
	char label[RUBY_NAME_MAX + 8];
	int err;

	if (kind == KEY_ISEQ)
		return iseq_info_read(s->mem, s->layout, addr, info);
	err = ruby_method_label(&s->names, addr, label, RUBY_NAME_MAX);
	if (err)
		return err;
	strcat(label, " [c]");
	info->label = strdup(label);
	return info->label ? 0 : -ENOMEM;
}

/* The cached frame (kind, addr), read on first use; a failure counts if `count`. */
static struct iseq_info *frame_info(struct symbolizer *s, __u64 addr, enum frame_key kind,
				    int count)
{
	struct iseq_info *info;
	__u64 *cached = hashmap_get(&s->frames, addr, kind);
	int err;

	if (cached) {
		info = (struct iseq_info *)(unsigned long)*cached;
		info->used = s->epoch;
		if (!info->unreadable)
			return info;
		s->failed += count;
		return NULL;
	}
	if (s->frames.len >= SYMBOLIZE_MAX_ISEQS || (s->cache && symcache_full(s->cache))) {
		if (s->cache)
			s->cache->refused++;
		s->failed += count;
		return NULL;
	}
	info = calloc(1, sizeof(*info));
	if (!info) {
		s->failed += count;
		return NULL;
	}
	err = read_frame(s, addr, kind, info);
	if (err) {
		iseq_info_free(info);
		/* A name that may be readable later (a table being written) is not cached. */
		if (err == -EAGAIN) {
			free(info);
			s->failed += count;
			return NULL;
		}
		/*
		 * A failure is cached too: an iseq that cannot be read now (freed, torn, or the
		 * process is gone) would cost a failing read on every later sample. It leaves the
		 * cache as any frame does, so that a later one at its address is read.
		 */
		info->unreadable = 1;
	}
	info->used = s->epoch;
	if (hashmap_put(&s->frames, addr, kind, (unsigned long)info)) {
		iseq_info_destroy(info);
		s->failed += count;
		return NULL;
	}
	symcache_charge(s, info);
	if (!info->unreadable)
		return info;
	s->failed += count;
	return NULL;
}

const struct iseq_info *symbolizer_iseq(struct symbolizer *s, __u64 addr)
{
	return frame_info(s, addr, KEY_ISEQ, 1);
}

const struct iseq_info *symbolizer_lookup(struct symbolizer *s, __u64 addr)
{
	return frame_info(s, addr, KEY_ISEQ, 0);
}

const struct iseq_info *symbolizer_cfunc(struct symbolizer *s, __u64 me)
{
	return frame_info(s, me, KEY_CFUNC, 1);
}

int symbolizer_cframe_unfinished(struct symbolizer *s, __u64 me)
{
	__u64 *cached;

	if (!s->layout->cfp_published_first)
		return 0;
	cached = hashmap_get(&s->frames, me, KEY_CFUNC);
	if (cached && !((struct iseq_info *)(unsigned long)*cached)->unreadable)
		return 0; /* named before: a method entry */
	/* Not one (-EINVAL), as opposed to unreadable (the process is gone, say). */
	return ruby_method_entry_check(&s->names, me) == -EINVAL;
}

/* hashmap_retain over frames: a frame that stays; one that goes is freed or retired. */
static int frame_stays(void *ctx, struct hashmap_slot *slot)
{
	struct symbolizer *s = ctx;
	struct iseq_info *info = (struct iseq_info *)(unsigned long)slot->val, **r;

	if (!info->evict)
		return 1;
	symcache_credit(s, info);
	if (!info->in_agg) {
		iseq_info_destroy(info);
		return 0;
	}
	if (s->nretired == s->retired_cap) {
		size_t cap = s->retired_cap ? 2 * s->retired_cap : 64;

		if (!(r = realloc(s->retired, cap * sizeof(*r)))) {
			info->evict = 0; /* no room to keep it aside: it stays, still charged */
			symcache_charge(s, info);
			return 1;
		}
		s->retired = r;
		s->retired_cap = cap;
	}
	s->retired[s->nretired++] = info;
	return 0;
}

/* hashmap_retain over frame_ids and owners: an entry whose frame address is still cached. */
static int address_cached(void *ctx, struct hashmap_slot *slot)
{
	const struct symbolizer *s = ctx;

	return hashmap_get(&s->frames, slot->k1, KEY_ISEQ) ||
	       hashmap_get(&s->frames, slot->k1, KEY_CFUNC);
}

/*
 * No frame that stays points at one that goes (a block's method: looked up again). The
 * number of frames that go.
 */
static size_t unlink_evicted(struct symbolizer *s)
{
	size_t i, marked = 0;

	for (i = 0; i < s->frames.cap; i++) {
		struct iseq_info *info = (struct iseq_info *)(unsigned long)s->frames.slots[i].val;

		if (!s->frames.slots[i].used)
			continue;
		marked += info->evict;
		if (info->method && info->method->evict)
			info->method = NULL;
	}
	return marked;
}

void symbolizer_evict_marked(struct symbolizer *s)
{
	size_t before = s->frames.len;

	if (!unlink_evicted(s))
		return;
	if (hashmap_retain(&s->frames, frame_stays, s))
		return; /* ENOMEM: everything stays, to go at the next trim */
	if (s->frames.len == before)
		return;
	hashmap_retain(&s->frame_ids, address_cached, s);
	hashmap_retain(&s->owners, address_cached, s);
}

/* The frames evicted while the aggregate named them: freed once it no longer does. */
static void free_retired(struct symbolizer *s)
{
	size_t i;

	for (i = 0; i < s->nretired; i++)
		iseq_info_destroy(s->retired[i]);
	free(s->retired);
	s->retired = NULL;
	s->nretired = s->retired_cap = 0;
}

void symbolizer_aggregate_reset(struct symbolizer *s)
{
	size_t i;

	for (i = 0; i < s->frames.cap; i++)
		if (s->frames.slots[i].used) {
			struct iseq_info *info =
			    (struct iseq_info *)(unsigned long)s->frames.slots[i].val;

			if (info->in_agg && info->used < s->epoch)
				info->used = s->epoch; /* it was used in the interval: recently */
			info->in_agg = 0;
		}
	hashmap_free(&s->frame_ids);
	free_retired(s);
}

void symbolizer_free(struct symbolizer *s)
{
	size_t i;

	free_retired(s);
	for (i = 0; i < s->frames.cap; i++)
		if (s->frames.slots[i].used)
			symcache_credit(s,
					(struct iseq_info *)(unsigned long)s->frames.slots[i].val);
	hashmap_free_values(&s->frames, iseq_info_destroy);
	hashmap_free(&s->frame_ids);
	hashmap_free(&s->owners);
	ruby_names_free(&s->names);
}
