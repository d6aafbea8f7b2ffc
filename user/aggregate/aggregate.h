/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * aggregate.h - samples -> counts per distinct stack. A frame is interned once as an id
 * (iseq + line, or a special frame); a stack is (process, frame ids root first) and is
 * hashed into a table of counts. Strings are made only when the profile is written.
 */
#ifndef RBPROF_AGGREGATE_H
#define RBPROF_AGGREGATE_H

#include <linux/types.h>
#include "common/hashmap.h"
#include "rubyvm/object.h"

enum frame_kind {
	FRAME_CFUNC,	 /* a C-implemented method: "[cfunc]" */
	FRAME_UNKNOWN,	 /* a frame whose iseq could not be read: "[unknown]" */
	FRAME_TRUNCATED, /* the root side of a stack deeper than the kernel records */
	FRAME_GC,	 /* "(garbage collection)", under the stack that triggered it */
	FRAME_GC_MARKING,
	FRAME_GC_SWEEPING,
	FRAME_GVL_WAIT, /* --wall: "(GVL wait)", the leaf of a thread waiting to run Ruby */
	FRAME_RUNNABLE, /* --wall: "(runnable)", of a thread waiting for a CPU */
	FRAME_OVERFLOW, /* "(more stacks than a profile keeps)": the samples past AGG_MAX_STACKS */
	FRAME_RUBY,	/* "label (path:line)" */
	FRAME_THREAD,	/* --threads: "thread NAME [TID]"; info->label is NAME, line the tid */
	FRAME_OFFCPU,	/* --wall: "(off-CPU: SYSCALL)"; line the system call + 1, 0: none */
};

/* The ids of the special frames are their kind. */
#define FRAME_ID_SPECIALS FRAME_RUBY

/*
 * Bounds of one profile (the whole run without --rotate or --push, an interval with them), so
 * that a profile run for days, or a process that makes new code without end (eval), cannot
 * grow our memory without end. A busy Rails app's 30 s profile has ~50k distinct stacks of
 * ~60 frames; these are 20x that: ~400 MiB at most, the pool of frame ids the most of it.
 * Past them a sample counts into its process's FRAME_OVERFLOW stack (and in `overflowed`).
 */
#define AGG_MAX_STACKS (1U << 20)
#define AGG_MAX_POOL   (64U << 20) /* frame ids of all stacks */
#define AGG_MAX_FRAMES (1U << 21)  /* distinct frames: (iseq, line, label) */
/* Frames of one stack: more than any has (1024 of the kernel's, a thread's and 3 special). */
#define AGG_MAX_STACK_FRAMES 2048

struct frame_rec {
	const struct iseq_info *info; /* FRAME_RUBY, FRAME_THREAD */
	int line;		      /* FRAME_THREAD: the tid (0: the threads past THREADS_MAX) */
	int variant;		      /* its label: iseq_info_display(info, variant) */
	int kind;
};

struct stack_rec {
	__u64 hash;
	__u64 count;
	__u32 proc_id;
	__u32 n;
	size_t off; /* frame ids in aggregate.pool[off .. off + n), root first */
};

struct aggregate {
	struct frame_rec *frames;
	__u32 nframes, frames_cap;
	struct hashmap frame_ids; /* (iseq_info *, line | variant << 32) -> frame id */

	struct stack_rec *stacks;
	__u32 nstacks, stacks_cap;
	__u32 *pool;
	size_t pool_len, pool_cap;
	__u32 *index; /* open addressing over stacks: stack index + 1, 0 = empty */
	size_t index_cap;
	__u64 overflowed; /* samples counted as FRAME_OVERFLOW: past a bound above */
	/* The bounds: AGG_MAX_STACKS, AGG_MAX_POOL and AGG_MAX_FRAMES (smaller in tests). */
	__u32 max_stacks, max_frames;
	size_t max_pool;
};

int aggregate_init(struct aggregate *a);
void aggregate_free(struct aggregate *a);
/* Empty it for the next interval: no stack, no frame but the special ones. 0 or -ENOMEM. */
int aggregate_reset(struct aggregate *a);

/* Id of the Ruby frame (info, line) with label variant `variant`. 0 and *id set, or -ENOMEM. */
int aggregate_ruby_frame(struct aggregate *a, const struct iseq_info *info, int line, int variant,
			 __u32 *id);

/* Id of the thread frame of tid named by info->label (threads.h). 0 or -ENOMEM. */
int aggregate_thread_frame(struct aggregate *a, const struct iseq_info *info, int tid, __u32 *id);

/* Id of the off-CPU frame of system call `nr` (-1: none known). 0 or -ENOMEM. */
int aggregate_offcpu_frame(struct aggregate *a, int nr, __u32 *id);

/*
 * Into dst (initialized, empty): the stacks of process `proc` of src (its n_ids stack
 * indexes `idx`), as process 0, their frames interned anew. 0 or -ENOMEM.
 */
int aggregate_extract(struct aggregate *dst, const struct aggregate *src, const __u32 *idx,
		      __u32 n_idx);

/*
 * Add `count` samples of the stack `frames` (n ids, root first) of process `proc_id`; past
 * the bounds above, to its FRAME_OVERFLOW stack instead. 0 or -ENOMEM.
 */
int aggregate_stack(struct aggregate *a, __u32 proc_id, const __u32 *frames, __u32 n, __u64 count);

#endif /* RBPROF_AGGREGATE_H */
