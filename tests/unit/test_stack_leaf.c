// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A kernel sample made into frame ids (user/aggregate/stack.c) where the innermost frame is special: a 2.7
 * C frame not yet filled in, a frame YJIT entered. */
#include "rb31.h"
#include "aggregate/stack.h"
#include "test.h"

#define GS 0x1000000ULL

enum { S_TIMES = RB31_FIRST_SERIAL, S_CLASSPATH };
static const char *const names[] = {"times", "__classpath__"};

/*
 * Ruby 2.7 publishes a control frame before filling it in: a sample's innermost C frame whose
 * "method entry" is not one (here the env flags word a stale ep points at) is a call not yet
 * begun and is left out; anywhere else, or on a version that fills frames first, it stays a
 * counted "[cfunc]".
 */
void test_unfinished_cframe(void)
{
	__u64 cp = rb31_id(S_CLASSPATH), ids[1] = {cp}, vals[1] = {0x3000000};
	/* vm_core.h: VM_FRAME_MAGIC_CFUNC | VM_FRAME_FLAG_CFRAME | VM_ENV_FLAG_LOCAL */
	const __u64 flags_word = 0x55550083;
	struct ruby_layout r27 = *rb31();
	struct rbprof_event ev = {.nframes = 2};
	struct fakemem fm;
	struct symbolizer s;
	struct aggregate a;
	__u32 ids_out[STACK_MAX_IDS], n;

	fakemem_init(&fm);
	rb31_symbols(&fm, GS, names, 2);
	rb31_string(&fm, 0x3000000, "Integer");
	rb31_class(&fm, 0x2000000, 0, ids, vals, 1);
	rb31_method_entry(&fm, 0x4000000, rb31_id(S_TIMES), 0x2000000, 0);
	r27.cfp_published_first = 1;
	ev.frames[1] = (struct rbprof_frame){.addr = 0x4000000, .ep = 0x5000010};
	ev.frames[0] = (struct rbprof_frame){.addr = flags_word, .ep = 0x5000030};
	CHECK_EQ_INT(aggregate_init(&a), 0);

	symbolizer_init(&s, &fm.base, &r27, GS, 0);
	CHECK_EQ_INT(stack_from_event(&s, &a, &ev, ids_out, &n), 0);
	CHECK_EQ_INT(n, 1); /* Integer#times only */
	CHECK(ids_out[0] >= FRAME_ID_SPECIALS);
	CHECK_EQ_INT(s.failed, 0);
	/* A String where the entry should be: not one either. */
	ev.frames[0].addr = 0x3000000;
	CHECK_EQ_INT(stack_from_event(&s, &a, &ev, ids_out, &n), 0);
	CHECK_EQ_INT(n, 1);
	/* Not the innermost frame: a real failure. */
	ev.frames[1].addr = flags_word;
	ev.frames[0].addr = 0x4000000;
	CHECK_EQ_INT(stack_from_event(&s, &a, &ev, ids_out, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(ids_out[0], FRAME_CFUNC);
	CHECK_EQ_INT(s.failed, 1);
	/* Unreadable (the process is gone): counted, not hidden. */
	ev.frames[1].addr = 0x4000000;
	ev.frames[0].addr = 0x7700000;
	CHECK_EQ_INT(stack_from_event(&s, &a, &ev, ids_out, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(ids_out[1], FRAME_CFUNC);
	symbolizer_free(&s);

	/* 3.0+ fills a frame before publishing it: the same sample is a real failure. */
	symbolizer_init(&s, &fm.base, rb31(), GS, 0);
	ev.frames[0].addr = flags_word;
	CHECK_EQ_INT(stack_from_event(&s, &a, &ev, ids_out, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(ids_out[1], FRAME_CFUNC);
	CHECK_EQ_INT(s.failed, 1);
	symbolizer_free(&s);
	aggregate_free(&a);
	fakemem_free(&fm);
}

/* A sample whose innermost frame runs JIT code: that frame's line is 0 (unknown), the rest
 * keep theirs. */
void test_leaf_jit_line(void)
{
	static const int pos[] = {0}, lines[] = {7};
	struct rbprof_event ev = {.nframes = 2};
	struct fakemem fm;
	struct symbolizer s;
	struct aggregate a;
	__u32 ids[STACK_MAX_IDS], n;
	__u64 enc;

	fakemem_init(&fm);
	enc = rb31_iseq(&fm, 0x10000000, "tax", "/a.rb", 5, 4, pos, lines, 1);
	rb31_iseq_kind(&fm, 0x10000000, ISEQ_TYPE_METHOD, 0x10000000);
	ev.frames[0] = (struct rbprof_frame){.addr = 0x10000000, .pc = enc + 16};
	ev.frames[1] = ev.frames[0];
	CHECK_EQ_INT(aggregate_init(&a), 0);
	symbolizer_init(&s, &fm.base, rb31(), 0, 0);
	CHECK_EQ_INT(stack_from_event(&s, &a, &ev, ids, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(a.frames[ids[0]].line, 7);
	CHECK_EQ_INT(a.frames[ids[1]].line, 7);
	ev.flags = RBPROF_EV_LEAF_JIT;
	CHECK_EQ_INT(stack_from_event(&s, &a, &ev, ids, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(a.frames[ids[0]].line, 7);
	CHECK_EQ_INT(a.frames[ids[1]].line, 0);
	symbolizer_free(&s);
	aggregate_free(&a);
	fakemem_free(&fm);
}
