/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * symbolize.h - frame identities from the kernel (iseq + pc) -> iseq name, path and line,
 * read from the live process once per iseq and cached, so that a process keeps its names
 * after it exits.
 */
#ifndef RBPROF_SYMBOLIZE_H
#define RBPROF_SYMBOLIZE_H

#include "common/hashmap.h"
#include "rubyvm/names.h"
#include "rubyvm/object.h"

/*
 * Iseqs cached per process. A large Rails app has ~200k iseqs, of which a profile samples a
 * few thousand; past this bound, new iseqs are not symbolized (and counted) rather than
 * letting a hostile process grow our memory. The bytes of all processes' caches together
 * have a budget of their own (rubyvm/symcache.h).
 */
#define SYMBOLIZE_MAX_ISEQS (1U << 18)
/*
 * (frame, pc) pairs kept per process in frame_ids: far more lines than a profile's hot code
 * has; past it, frames are still named, only without the shortcut (8 MiB at most).
 */
#define SYMBOLIZE_MAX_FRAME_IDS (1U << 17)

/*
 * (iseq, method entry) pairs whose label variant is kept per process: an iseq runs under one
 * or a few (a module's method under each class that includes it); 2 MiB at most.
 */
#define SYMBOLIZE_MAX_OWNERS (1U << 16)

/*
 * What the symbolizer tells the sampler about iseqs (rubyvm/owner.c): `settled` 1, the
 * kernel need no longer capture the owners of its frames; 0, a frame of it came without its
 * owner although it is not settled (its bit of the kernel's bitmap is shared).
 */
typedef void (*symbolizer_settle_fn)(void *ctx, __u64 iseq, int settled);

/* The budget of every process's cache together (rubyvm/symcache.h); NULL: none (tests). */
struct symcache;

struct symbolizer {
	struct memread *mem;
	const struct ruby_layout *layout;
	struct ruby_names names;
	/* (iseq address, 0) -> struct iseq_info *; (method entry, 1) -> one with only a label;
	 * 0 if unreadable */
	struct hashmap frames; /* never 0 since the budget: a failure is an info `unreadable` */
	/*
	 * (frame address, pc) -> the frame's id in the aggregate this symbolizer's samples go
	 * to (kept by stack.c), so that a frame seen before is named with one lookup: C frames
	 * and the frames of settled iseqs, whose id does not depend on their owner.
	 */
	struct hashmap frame_ids;
	/* (iseq address, method entry) -> its label variant + 1 (rubyvm/owner.c) */
	struct hashmap owners;
	symbolizer_settle_fn on_settle; /* NULL: nobody to tell */
	void *settle_ctx;
	__u64 failed; /* frames that could not be symbolized */
	/* Ruby frames seen, those of them whose owner the kernel captured, iseqs settled */
	__u64 ruby_frames, owners_captured, settled;
	__u64 epoch; /* advanced by the caller once per batch of samples (poll) */
	struct symcache *cache; /* the budget its bytes count in; NULL: none */
	__u64 bytes;		/* what its cached frames hold (iseq_info_bytes) */
	/* Frames evicted while the aggregate has frames of them: freed when it is emptied. */
	struct iseq_info **retired;
	size_t nretired, retired_cap;
};

/* global_symbols: ruby_global_symbols, vm_ptr_addr: &ruby_current_vm_ptr (0: unknown). */
void symbolizer_init(struct symbolizer *s, struct memread *mem, const struct ruby_layout *L,
		     __u64 global_symbols, __u64 vm_ptr_addr);

/* The iseq at `addr`, read on first use; NULL (and counted) if it cannot be read. */
const struct iseq_info *symbolizer_iseq(struct symbolizer *s, __u64 addr);

/*
 * The C method whose method entry is `me`: an iseq_info with label "Integer#times [c]" and
 * no path. NULL (and counted) if it cannot be named.
 */
const struct iseq_info *symbolizer_cfunc(struct symbolizer *s, __u64 me);

/*
 * 1 if the innermost frame of a sample, a C frame whose "method entry" is `me`, is one that
 * Ruby had not finished pushing (see ruby_layout.cfp_published_first): `me` is then not a
 * method entry at all but whatever the previous frame's env held.
 */
int symbolizer_cframe_unfinished(struct symbolizer *s, __u64 me);

/* The iseq at `addr` like symbolizer_iseq, but a failure is not counted. */
const struct iseq_info *symbolizer_lookup(struct symbolizer *s, __u64 addr);

/*
 * Take the frames marked `evict` out of the cache: freed, or kept aside (retired) while the
 * aggregate has frames of them; the shortcuts and owners of their addresses go too.
 */
void symbolizer_evict_marked(struct symbolizer *s);

/*
 * The aggregate was emptied (a new interval): no frame of the cache is in it any more, the
 * frame-id shortcuts name nothing, the retired frames can go.
 */
void symbolizer_aggregate_reset(struct symbolizer *s);

void symbolizer_free(struct symbolizer *s);

#endif /* RBPROF_SYMBOLIZE_H */
