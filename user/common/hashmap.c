// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hashmap.c - (u64, u64) -> u64, open addressing. */
#include <errno.h>
#include <stdlib.h>
#include "common/hashmap.h"

/*
 * One mix per lookup (this is on the per-frame path): k2 times an odd constant is a bijection,
 * so (k1, k2) pairs that differ in one key still differ before the mix.
 */
static size_t slot_of(const struct hashmap *h, __u64 k1, __u64 k2)
{
	return hash_mix(k1 ^ (k2 * HASH_ODD_CONSTANT)) & (h->cap - 1);
}

__u64 *hashmap_get(const struct hashmap *h, __u64 k1, __u64 k2)
{
	size_t i;

	if (!h->cap)
		return NULL;
	for (i = slot_of(h, k1, k2); h->slots[i].used; i = (i + 1) & (h->cap - 1))
		if (h->slots[i].k1 == k1 && h->slots[i].k2 == k2)
			return &h->slots[i].val;
	return NULL;
}

static void put_new(struct hashmap *h, __u64 k1, __u64 k2, __u64 val)
{
	size_t i = slot_of(h, k1, k2);

	while (h->slots[i].used)
		i = (i + 1) & (h->cap - 1);
	h->slots[i] = (struct hashmap_slot){.k1 = k1, .k2 = k2, .val = val, .used = 1};
	h->len++;
}

static int grow(struct hashmap *h)
{
	struct hashmap old = *h;
	size_t i;

	h->cap = old.cap ? old.cap * 2 : 64;
	h->len = 0;
	h->slots = calloc(h->cap, sizeof(*h->slots));
	if (!h->slots) {
		*h = old;
		return -ENOMEM;
	}
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].used)
			put_new(h, old.slots[i].k1, old.slots[i].k2, old.slots[i].val);
	free(old.slots);
	return 0;
}

int hashmap_put(struct hashmap *h, __u64 k1, __u64 k2, __u64 val)
{
	__u64 *v = hashmap_get(h, k1, k2);

	if (v) {
		*v = val;
		return 0;
	}
	if ((h->len + 1) * 2 > h->cap && grow(h))
		return -ENOMEM;
	put_new(h, k1, k2, val);
	return 0;
}

int hashmap_retain(struct hashmap *h, int (*keep)(void *ctx, struct hashmap_slot *slot),
		   void *ctx)
{
	struct hashmap old = *h;
	size_t i, n = 0, cap = 64;
	char *kept;

	if (!old.cap)
		return 0;
	kept = calloc(old.cap, 1);
	if (!kept)
		return -ENOMEM;
	for (i = 0; i < old.cap; i++)
		if (old.slots[i].used && (kept[i] = (char)!!keep(ctx, &old.slots[i])))
			n++;
	while (cap < 2 * (n + 1)) /* at most half full, as hashmap_put keeps it */
		cap *= 2;
	h->slots = calloc(cap, sizeof(*h->slots));
	if (!h->slots) {
		*h = old;
		free(kept);
		return -ENOMEM;
	}
	h->cap = cap;
	h->len = 0;
	for (i = 0; i < old.cap; i++)
		if (kept[i])
			put_new(h, old.slots[i].k1, old.slots[i].k2, old.slots[i].val);
	free(old.slots);
	free(kept);
	return 0;
}

void hashmap_free(struct hashmap *h)
{
	free(h->slots);
	h->slots = NULL;
	h->cap = h->len = 0;
}

void hashmap_free_values(struct hashmap *h, void (*free_fn)(void *))
{
	size_t i;

	for (i = 0; i < h->cap; i++)
		if (h->slots[i].used && h->slots[i].val)
			free_fn((void *)(unsigned long)h->slots[i].val);
	hashmap_free(h);
}
