// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* symcache.c - the symbol caches' budget, least recently used out, and names kept right. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rubyvm/symcache.h"
#include "rbprof.h"

void symcache_init(struct symcache *c, __u64 budget)
{
	memset(c, 0, sizeof(*c));
	c->budget = budget;
}

int symcache_full(const struct symcache *c)
{
	return c->bytes > SYMCACHE_HARD_FACTOR * c->budget;
}

void symcache_charge(struct symbolizer *s, struct iseq_info *info)
{
	info->charged = iseq_info_bytes(info);
	s->bytes += info->charged;
	if (s->cache)
		s->cache->bytes += info->charged;
}

void symcache_credit(struct symbolizer *s, struct iseq_info *info)
{
	s->bytes -= info->charged;
	if (s->cache)
		s->cache->bytes -= info->charged;
	info->charged = 0;
}

static struct iseq_info *slot_info(const struct hashmap_slot *slot)
{
	return (struct iseq_info *)(unsigned long)slot->val;
}

/* What one frame's check reads: the iseq's flags and body pointer, then the body's names. */
struct check {
	__u64 addr;
	struct iseq_info *info;
	__u8 head[64];	/* flags .. body pointer */
	__u8 names[64]; /* body_pathobj .. body_label */
};

/*
 * Check a batch of iseqs: two batched reads (each iseq's head, then each body's names). A
 * frame whose memory cannot be read (the process exiting) stays: only a change evicts.
 */
static __u64 check_batch(struct symbolizer *s, struct check *c, int n)
{
	const struct ruby_layout *L = s->layout;
	struct memread_range r[SYMCACHE_CHECK_BATCH];
	__u32 lo = L->body_pathobj < L->body_label ? L->body_pathobj : L->body_label;
	__u32 hi = L->body_pathobj < L->body_label ? L->body_label : L->body_pathobj;
	__u32 head = L->iseq_body + 8, span = hi - lo + 8;
	__u64 renames = 0;
	int i;

	if (head > sizeof(c->head) || span > sizeof(c->names))
		return 0; /* a layout whose fields are far apart: not checked */
	for (i = 0; i < n; i++)
		r[i] = (struct memread_range){.addr = c[i].addr, .buf = c[i].head, .len = head};
	memread_batch(s->mem, r, n);
	for (i = 0; i < n; i++) {
		__u64 flags = memread_u64_at(c[i].head, 0),
		      body = memread_u64_at(c[i].head, L->iseq_body);

		if (!r[i].ok)
			continue;
		if (rbprof_imemo_type(flags) != RUBY_IMEMO_ISEQ || body != c[i].info->body_addr) {
			c[i].info->evict = 1;
			r[i].ok = 0;
			continue;
		}
	}
	for (i = 0; i < n; i++)
		if (!c[i].info->evict && r[i].ok)
			r[i] = (struct memread_range){
			    .addr = c[i].info->body_addr + lo, .buf = c[i].names, .len = span};
		else
			r[i] = (struct memread_range){.addr = 0, .buf = c[i].names, .len = 0};
	memread_batch(s->mem, r, n);
	for (i = 0; i < n; i++) {
		if (c[i].info->evict) {
			renames++;
			continue;
		}
		if (!r[i].len || !r[i].ok)
			continue;
		if (memread_u64_at(c[i].names, L->body_pathobj - lo) != c[i].info->path_obj ||
		    memread_u64_at(c[i].names, L->body_label - lo) != c[i].info->label_obj) {
			c[i].info->evict = 1;
			renames++;
		}
	}
	return renames;
}

/* Mark every frame of s to go: its labels were made with names that changed. */
static void evict_all(struct symbolizer *s)
{
	size_t i;

	for (i = 0; i < s->frames.cap; i++)
		if (s->frames.slots[i].used)
			slot_info(&s->frames.slots[i])->evict = 1;
	hashmap_free(&s->owners);
}

__u64 symcache_revalidate(struct symcache *c, struct symbolizer *s, __u64 since)
{
	static struct check batch[SYMCACHE_CHECK_BATCH];
	__u64 renames = 0;
	size_t i;
	int n = 0;

	if (ruby_names_trim(&s->names)) {
		evict_all(s);
		renames++;
		goto evict;
	}
	for (i = 0; i < s->frames.cap; i++) {
		const struct hashmap_slot *slot = &s->frames.slots[i];
		struct iseq_info *info;

		if (!slot->used)
			continue;
		info = slot_info(slot);
		/* only the iseqs (k2 0) used lately: the others leave by age, not by check */
		if (slot->k2 != 0 || info->unreadable || (info->used < since && !info->in_agg))
			continue;
		batch[n++] = (struct check){.addr = slot->k1, .info = info};
		if (n == SYMCACHE_CHECK_BATCH) {
			renames += check_batch(s, batch, n);
			n = 0;
		}
	}
	if (n)
		renames += check_batch(s, batch, n);
evict:
	if (c)
		c->renamed += renames;
	if (renames)
		symbolizer_evict_marked(s);
	return renames;
}

/* One frame that may leave, for sorting by age. */
struct candidate {
	__u64 used;
	struct iseq_info *info;
};

static int by_age(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;

	return a->used < b->used ? -1 : a->used > b->used;
}

int symcache_trim(struct symcache *c, struct symbolizer **syms, size_t n)
{
	struct candidate *v = NULL;
	size_t i, j, nv = 0, cap = 0;
	__u64 target = c->budget / 4 * 3, held;

	c->trims++;
	for (i = 0; i < n; i++)
		cap += syms[i]->frames.len;
	v = malloc((cap ? cap : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct hashmap *h = &syms[i]->frames;

		for (j = 0; j < h->cap; j++) {
			struct iseq_info *info = h->slots[j].used ? slot_info(&h->slots[j]) : NULL;

			if (!info)
				continue;
			/* labels added since it was charged (owners seen) count too */
			symcache_credit(syms[i], info);
			symcache_charge(syms[i], info);
			/* a block's method is as recent as the block: it goes no sooner */
			if (info->method && info->method->used < info->used)
				((struct iseq_info *)info->method)->used = info->used;
		}
		for (j = 0; j < h->cap; j++)
			if (h->slots[j].used && !slot_info(&h->slots[j])->in_agg)
				v[nv++] = (struct candidate){slot_info(&h->slots[j])->used,
							     slot_info(&h->slots[j])};
	}
	held = c->bytes;
	if (c->bytes > c->peak)
		c->peak = c->bytes;
	if (c->bytes <= c->budget) {
		free(v);
		return 0;
	}
	qsort(v, nv, sizeof(*v), by_age);
	for (i = 0; i < nv && held > target; i++) {
		v[i].info->evict = 1;
		held -= v[i].info->charged < held ? v[i].info->charged : held;
		c->evicted++;
	}
	free(v);
	for (i = 0; i < n; i++)
		symbolizer_evict_marked(syms[i]);
	return 0;
}
