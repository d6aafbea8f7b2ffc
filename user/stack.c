// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* stack.c - a kernel sample as interned frames. */
#include <errno.h>
#include "stack.h"

/*
 * The line of frame i. A JIT-run innermost frame's pc is only the last one the JIT saved (an
 * earlier line, or that of the frame's previous occupant): its line is 0, unknown, as Ruby's
 * own rb_profile_frames (3.3+) reports it.
 */
static int frame_line(const struct rbprof_event *ev, __u32 i, const struct iseq_info *info)
{
	if (i == 0 && (ev->flags & RBPROF_EV_LEAF_JIT))
		return 0;
	return iseq_info_line(info, ev->frames[i].pc);
}

int stack_from_event(struct symbolizer *s, struct aggregate *a, const struct rbprof_event *ev,
		     __u32 ids[STACK_MAX_IDS], __u32 *n)
{
	__u32 i;

	*n = 0;
	if (ev->flags & RBPROF_EV_TRUNCATED)
		ids[(*n)++] = FRAME_TRUNCATED;
	for (i = ev->nframes; i-- > 0;) { /* the kernel sends innermost first */
		const struct rbprof_frame *f = &ev->frames[i];
		const struct iseq_info *info;

		/*
		 * Ruby 2.7 points ec->cfp at a frame before filling it in: a sample in between
		 * sees a C frame whose env is its predecessor's. The call has not begun yet; the
		 * sample is its caller's, as Ruby's next backtrace would say.
		 */
		if (i == 0 && !f->pc && symbolizer_cframe_unfinished(s, f->addr))
			continue;
		info = f->pc ? symbolizer_iseq(s, f->addr) : symbolizer_cfunc(s, f->addr);
		if (info && f->pc)
			symbolizer_qualify(s, info, f->addr, f->ep);
		if (!info)
			ids[(*n)++] = f->pc ? FRAME_UNKNOWN : FRAME_CFUNC;
		else if (aggregate_ruby_frame(a, info, frame_line(ev, i, info), &ids[(*n)++]))
			return -ENOMEM;
	}
	if (ev->flags & RBPROF_EV_GC) {
		ids[(*n)++] = FRAME_GC;
		if (ev->flags & RBPROF_EV_GC_MARKING)
			ids[(*n)++] = FRAME_GC_MARKING;
		else if (ev->flags & RBPROF_EV_GC_SWEEPING)
			ids[(*n)++] = FRAME_GC_SWEEPING;
	}
	return 0;
}
