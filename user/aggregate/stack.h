/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * stack.h - one sample from the kernel (struct rbprof_event) -> the frame ids of its stack,
 * root first: symbolized, qualified and interned. Shared by the profiler and by fixture
 * capture and replay, so that they produce the same stacks.
 */
#ifndef RBPROF_STACK_H
#define RBPROF_STACK_H

#include "aggregate/aggregate.h"
#include "rbprof.h"
#include "rubyvm/symbolize.h"

/* Frame ids one event can make: its frames, (truncated), and two GC frames or a wall state. */
#define STACK_MAX_IDS (RBPROF_MAX_FRAMES + 3)

/* Fill ids[0..*n) for `ev`. 0, or -ENOMEM. */
int stack_from_event(struct symbolizer *s, struct aggregate *a, const struct rbprof_event *ev,
		     __u32 ids[STACK_MAX_IDS], __u32 *n);

/*
 * Count one sample of `ev`'s stack for process proc_id, under the frame *root if root is not
 * NULL (its thread's, --threads). 0, or -ENOMEM.
 */
int stack_count_event(struct symbolizer *s, struct aggregate *a, __u32 proc_id,
		      const struct rbprof_event *ev, const __u32 *root);

#endif /* RBPROF_STACK_H */
