/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * owner.h - the label of a Ruby frame from the method entry it runs under: "Foo#bar" for a
 * method, "block in Foo.bar" for a block, "Foo#name" for a define_method block, as Ruby 3.4's
 * backtraces write them (vm_backtrace.c: rb_vm_frame_method_entry, calculate_iseq_label).
 *
 * The kernel captures the method entry with the frame, at sample time (rbprof.h:
 * RBPROF_FRAME_ME), so that a frame long gone by the time it is symbolized still has its
 * owner; a frame that comes without one is looked at in the process, after the fact, a
 * bounded number of times. An iseq whose frames can only have one label (a method whose
 * definition no other method entry shares, a block of one, a <main>, a template) is settled:
 * the sampler is told, and the kernel stops reading the owners of its frames. A
 * module_function method (and its blocks) settles with two labels, told apart by the frame's
 * self, which the kernel sends for settled frames: the module itself, or another object.
 */
#ifndef RBPROF_OWNER_H
#define RBPROF_OWNER_H

#include "rubyvm/symbolize.h"

/*
 * The label variant (object.h: struct iseq_info) of a frame of `info`, iseq `addr`, whose
 * rbprof_frame.ep is `word`: a captured method entry, the frame's env pointer, or, if
 * is_self (the kernel took the iseq for settled: RBPROF_FRAME_SELF), the frame's self. 0:
 * the frame's owner is not known (or it has none).
 */
int owner_frame_variant(struct symbolizer *s, struct iseq_info *info, __u64 addr, __u64 word,
			int is_self);

#endif /* RBPROF_OWNER_H */
