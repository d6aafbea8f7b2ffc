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

struct symbolizer {
	struct memread *mem;
	const struct ruby_layout *layout;
	struct ruby_names names;
	/* (iseq address, 0) -> struct iseq_info *; (method entry, 1) -> one with only a label;
	 * 0 if unreadable */
	struct hashmap frames;
	/*
	 * (frame address, pc) -> the frame's id in the aggregate this symbolizer's samples go
	 * to (kept by stack.c), so that a frame seen before is named with one lookup. Frames
	 * that could not be symbolized are not kept here: they are retried and counted.
	 */
	struct hashmap frame_ids;
	__u64 failed; /* frames that could not be symbolized */
	__u64 epoch;  /* advanced by the caller once per batch of samples (poll) */
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

/*
 * Learn the owner of the method that Ruby frame (iseq `addr`, env `ep`) belongs to, so that
 * its label reads "Foo#bar" / "block in Foo#bar". The frame is live when sampled but not
 * when this runs (up to 100 ms later): what is read is checked (the method entry must run
 * this very iseq), and a failed try is repeated in a later batch (epoch), a bounded number of
 * times: samples of one batch are symbolized at one moment and would all see the same memory.
 * Returns 1 once nothing more can be learned about this frame's label (it is final: later
 * calls would do nothing), 0 while it may still change.
 */
int symbolizer_qualify(struct symbolizer *s, const struct iseq_info *info, __u64 addr, __u64 ep);

void symbolizer_free(struct symbolizer *s);

#endif /* RBPROF_SYMBOLIZE_H */
