/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symcache.h - the budget of every process's symbol cache together, and what keeps the
 * cached names right over days: between two intervals (or every SYMCACHE_TRIM_MS without
 * them) the frames used lately are checked against the process (is the iseq at that address
 * still the one read?), and past the budget the least recently used frames leave the cache.
 * A frame the current profile's aggregate has stays (it names samples already counted).
 */
#ifndef RBPROF_SYMCACHE_H
#define RBPROF_SYMCACHE_H

#include <stddef.h>
#include "rubyvm/symbolize.h"

/*
 * The budget: what the symbol caches of all processes may hold (bytes). A Rails worker's hot
 * frames, ~5k iseqs with their line tables, take ~3 MiB; 64 MiB holds twenty such apps, or a
 * host that starts a new Ruby process every second for a day. Trimmed to 3/4 of it, so that
 * one trim frees room for a while.
 */
#define SYMCACHE_BUDGET_BYTES (64ULL << 20)
/*
 * Between two trims the caches may grow past the budget up to this factor (a burst of new
 * code: a deploy, a host of new processes); past it new frames are not cached (nor named)
 * until the next trim.
 */
#define SYMCACHE_HARD_FACTOR 2
/* Without intervals, how often the caches are checked and trimmed (ms). */
#define SYMCACHE_TRIM_MS 15000
/* Frames checked against the process per batched read (one process_vm_readv each). */
#define SYMCACHE_CHECK_BATCH 64

struct symcache {
	__u64 budget; /* bytes */
	__u64 bytes;  /* held now, by every symbolizer charged to it */
	__u64 peak;   /* the most held at a trim, before it */
	__u64 evicted, renamed, refused, trims;
};

void symcache_init(struct symcache *c, __u64 budget);

/* 1 if the caches hold so much that no new frame may be cached before the next trim. */
int symcache_full(const struct symcache *c);

/* Count info's bytes in s (and its budget, if any); symcache_credit takes them back. */
void symcache_charge(struct symbolizer *s, struct iseq_info *info);
void symcache_credit(struct symbolizer *s, struct iseq_info *info);

/*
 * Check s's frames used since epoch `since` against its process: an iseq whose body, label or
 * path object changed, or a C method entry that is no longer one, leaves the cache (renamed);
 * so do the labels made while a class had no name, once it has one. Returns the renames.
 */
__u64 symcache_revalidate(struct symcache *c, struct symbolizer *s, __u64 since);

/*
 * Past the budget, the least recently used frames of all n symbolizers leave their caches,
 * to 3/4 of it (the aggregate's stay). 0 or -ENOMEM (nothing evicted).
 */
int symcache_trim(struct symcache *c, struct symbolizer **syms, size_t n);

#endif /* RBPROF_SYMCACHE_H */
