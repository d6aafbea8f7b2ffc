// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* stack.c - a kernel sample as interned frames. */
#include <errno.h>
#include "aggregate/stack.h"
#include "rubyvm/owner.h"

/*
 * The frame cache key's pc of a Ruby frame YJIT entered, when it is the innermost: its pc is
 * only the last one the JIT saved (an earlier line, or that of the frame's previous occupant),
 * so its line is 0, unknown, as Ruby's own rb_profile_frames (3.3+) reports it. Real pcs point
 * into iseq_encoded and are 8-byte aligned: 1 is none of them.
 */
#define PC_LEAF_JIT 1

/*
 * A frame not in frame_ids: symbolize it, label it by its owner, intern it, and remember its
 * id under (addr, key_pc) if that names it whatever its owner (a C frame, a settled iseq's).
 * 0 or -ENOMEM.
 */
static int frame_lookup(struct symbolizer *s, struct aggregate *a, const struct rbprof_frame *f,
			__u64 key_pc, __u32 *id)
{
	const struct iseq_info *info;
	int variant = 0, line = 0;

	info = f->pc ? symbolizer_iseq(s, f->addr) : symbolizer_cfunc(s, f->addr);
	if (!info) {
		*id = f->pc ? FRAME_UNKNOWN : FRAME_CFUNC;
		return 0;
	}
	if (f->pc) {
		/* one of ours: the symbolizer's cache hands them out const for everyone else */
		variant = owner_frame_variant(s, (struct iseq_info *)info, f->addr, f->ep,
					      !!(f->pc & RBPROF_FRAME_SELF));
		line =
		    key_pc == PC_LEAF_JIT ? 0 : iseq_info_line(info, f->pc & ~RBPROF_FRAME_PC_TAGS);
	}
	if (aggregate_ruby_frame(a, info, line, variant, id))
		return -ENOMEM;
	((struct iseq_info *)info)->in_agg = 1; /* the cache keeps it while the aggregate has it */
	/* not a module_function's: its label follows the frame's self */
	if ((!f->pc || (info->settled && !info->twin_module)) &&
	    s->frame_ids.len < SYMBOLIZE_MAX_FRAME_IDS)
		hashmap_put(&s->frame_ids, f->addr, key_pc, *id); /* a shortcut: may fail */
	return 0;
}

/* The leaf of a --wall sample of a thread that is not running (rbprof.h RBPROF_EV_GVL_WAIT...). */
static int stack_wall_leaf(struct aggregate *a, __u32 flags, __u32 *id)
{
	if (flags & RBPROF_EV_GVL_WAIT)
		*id = FRAME_GVL_WAIT;
	else if (flags & RBPROF_EV_RUNNABLE)
		*id = FRAME_RUNNABLE;
	else if (aggregate_offcpu_frame(a, (int)(flags >> RBPROF_EV_SYSCALL_SHIFT) - 1, id))
		return -ENOMEM;
	return 0;
}

int stack_from_event(struct symbolizer *s, struct aggregate *a, const struct rbprof_event *ev,
		     __u32 ids[STACK_MAX_IDS], __u32 *n)
{
	const struct rbprof_frame *prev = NULL;
	__u32 i;

	*n = 0;
	if (ev->flags & RBPROF_EV_TRUNCATED)
		ids[(*n)++] = FRAME_TRUNCATED;
	for (i = ev->nframes; i-- > 0;) { /* the kernel sends innermost first */
		const struct rbprof_frame *f = &ev->frames[i];
		__u64 *id, key_pc = f->pc & ~RBPROF_FRAME_PC_TAGS;

		/* the records are read from memory once: ask for the next ones early */
		__builtin_prefetch(&ev->frames[i >= 16 ? i - 16 : 0]);
		if (!f->addr) /* a frame that is neither Ruby nor C method code (ifunc) */
			continue;
		if (f->pc) {
			s->ruby_frames++;
			s->owners_captured +=
			    !(f->pc & RBPROF_FRAME_SELF) && (f->ep & RBPROF_FRAME_ME);
		}
		if (i == 0 && f->pc && (ev->flags & RBPROF_EV_LEAF_JIT))
			key_pc = PC_LEAF_JIT;
		/*
		 * Ruby 2.7 points ec->cfp at a frame before filling it in: a sample in between
		 * sees a C frame whose env is its predecessor's. The call has not begun yet; the
		 * sample is its caller's, as Ruby's next backtrace would say.
		 */
		if (i == 0 && !f->pc && symbolizer_cframe_unfinished(s, f->addr))
			continue;
		/*
		 * A recursion: the frame just named again (its owner was looked at just now; a
		 * captured one is the same if the word is).
		 */
		if (prev && f->addr == prev->addr && f->pc == prev->pc && key_pc != PC_LEAF_JIT &&
		    (f->ep == prev->ep ||
		     !(f->ep & RBPROF_FRAME_ME || f->pc & RBPROF_FRAME_SELF))) {
			ids[*n] = ids[*n - 1];
			s->failed += ids[*n] == FRAME_UNKNOWN || ids[*n] == FRAME_CFUNC;
			(*n)++;
			continue;
		}
		prev = f;
		id = hashmap_get(&s->frame_ids, f->addr, key_pc);
		if (id) {
			ids[(*n)++] = (__u32)*id;
			continue;
		}
		if (frame_lookup(s, a, f, key_pc, &ids[(*n)++]))
			return -ENOMEM;
	}
	if (ev->flags & RBPROF_EV_WALL_STATES) /* --wall: why it is not running (no GC frames) */
		return stack_wall_leaf(a, ev->flags, &ids[(*n)++]);
	if (ev->flags & RBPROF_EV_GC) {
		ids[(*n)++] = FRAME_GC;
		if (ev->flags & RBPROF_EV_GC_MARKING)
			ids[(*n)++] = FRAME_GC_MARKING;
		else if (ev->flags & RBPROF_EV_GC_SWEEPING)
			ids[(*n)++] = FRAME_GC_SWEEPING;
	}
	return 0;
}

int stack_count_event(struct symbolizer *s, struct aggregate *a, __u32 proc_id,
		      const struct rbprof_event *ev, const __u32 *root)
{
	__u32 ids[STACK_MAX_IDS + 1], n;

	if (stack_from_event(s, a, ev, ids + !!root, &n))
		return -ENOMEM;
	if (root)
		ids[0] = *root;
	return aggregate_stack(a, proc_id, ids, n + !!root, 1);
}
