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
 * Iseqs cached per process. A large Rails app has ~200k iseqs; past this bound, new iseqs
 * are not symbolized (and counted) rather than letting a hostile process grow our memory.
 */
#define SYMBOLIZE_MAX_ISEQS (1U << 20)
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

struct symbolizer {
	struct memread *mem;
	const struct ruby_layout *layout;
	struct ruby_names names;
	/* (iseq address, 0) -> struct iseq_info *; (method entry, 1) -> one with only a label;
	 * 0 if unreadable */
	struct hashmap frames;
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

void symbolizer_free(struct symbolizer *s);

#endif /* RBPROF_SYMBOLIZE_H */
