/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hashmap.h - an open-addressing map from a pair of u64 keys to a u64 value: pid -> process,
 * (process, iseq) -> symbolized iseq, (iseq, line) -> frame. Linear probing, grows at 1/2 load.
 */
#ifndef RBPROF_HASHMAP_H
#define RBPROF_HASHMAP_H

#include <stddef.h>
#include <linux/types.h>

struct hashmap_slot {
	__u64 k1, k2, val;
	__u64 used;
};

struct hashmap {
	struct hashmap_slot *slots;
	size_t cap; /* power of two, or 0 */
	size_t len;
};

/* Pointer to the value of (k1, k2), or NULL. */
__u64 *hashmap_get(const struct hashmap *h, __u64 k1, __u64 k2);
/* Insert or replace. 0 or -ENOMEM. */
int hashmap_put(struct hashmap *h, __u64 k1, __u64 k2, __u64 val);
void hashmap_free(struct hashmap *h);
/*
 * Keep only the entries for which keep(ctx, slot) is 1, rehashed into a table sized for them
 * (a map that shrank gives its memory back). keep may change slot->val. 0 or -ENOMEM (then the
 * map is unchanged).
 */
int hashmap_retain(struct hashmap *h, int (*keep)(void *ctx, struct hashmap_slot *slot),
		   void *ctx);
/* For a map whose values are pointers: free_fn on every one but NULL, then hashmap_free(). */
void hashmap_free_values(struct hashmap *h, void (*free_fn)(void *));

/* 2^64 / golden ratio, odd: multiplying by it spreads a key's bits upwards (Fibonacci hashing). */
#define HASH_ODD_CONSTANT 0x9e3779b97f4a7c15ULL

/* A 64-bit mix (splitmix64's finalizer): good spread for pointers and small ints alike. */
static inline __u64 hash_mix(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

#endif /* RBPROF_HASHMAP_H */
