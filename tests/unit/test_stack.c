// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A kernel sample as interned frames (user/aggregate/stack.c): decoding, the frame cache, recursion. */
#include <stdlib.h>
#include <string.h>
#include "rb31.h"
#include <stdio.h>
#include <unistd.h>
#include "aggregate/stack.h"
#include "aggregate/threads.h"
#include "output/frame_text.h"
#include "discover/procfs.h"
#include "sampling/event.h"
#include "test.h"

void test_event_decode(void)
{
	struct rbprof_event *ev = calloc(1, sizeof(*ev));
	size_t hdr = RBPROF_EVENT_HDR_SIZE, frame = sizeof(struct rbprof_frame);

	CHECK(ev != NULL);
	if (!ev)
		return;
	ev->nframes = 2;
	CHECK(event_decode(ev, hdr + 2 * frame) == ev);
	CHECK(event_decode(ev, hdr - 1) == NULL);		    /* shorter than its header */
	CHECK(event_decode(ev, hdr + 2 * frame - 1) == NULL); /* than its frames */
	ev->nframes = RBPROF_MAX_FRAMES + 1;			    /* more than the kernel sends */
	CHECK(event_decode(ev, sizeof(*ev)) == NULL);
	free(ev);
}

/* Positions and lines of the iseq the frames below run. */
static const int pos[] = {0, 4, 8};
static const int lines[] = {20, 21, 22};

#define ISEQ	  0x100000ULL
#define GONE_ISEQ 0x700000ULL /* nothing mapped: its frames cannot be symbolized */
#define FRAME(k)  (enc + 8 * (__u64)(k))

void test_stack_frames(void)
{
	struct rbprof_event *ev = calloc(1, sizeof(*ev));
	__u32 ids[STACK_MAX_IDS], again[STACK_MAX_IDS], n, m;
	struct aggregate a;
	struct symbolizer s;
	struct fakemem fm;
	__u64 enc;
	int reads;

	CHECK(ev != NULL);
	if (!ev)
		return;
	fakemem_init(&fm);
	enc = rb31_iseq(&fm, ISEQ, "dive", "/r.rb", 20, 12, pos, lines, 3);
	rb31_iseq_kind(&fm, ISEQ, ISEQ_TYPE_TOP, ISEQ); /* a label that is final as it is */
	symbolizer_init(&s, &fm.base, rb31(), 0, 0);
	CHECK_EQ_INT(aggregate_init(&a), 0);
	/* innermost first: the leaf at line 22, an empty slot (ifunc), three calls at line 21
	 * (a recursion), an unreadable frame twice, the root at line 20 */
	ev->nframes = 8;
	ev->frames[0] = (struct rbprof_frame){ISEQ, FRAME(9), 0};
	ev->frames[1] = (struct rbprof_frame){0, 0, 0x5000};
	ev->frames[2] = (struct rbprof_frame){ISEQ, FRAME(5), 0};
	ev->frames[3] = (struct rbprof_frame){ISEQ, FRAME(5), 0};
	ev->frames[4] = (struct rbprof_frame){ISEQ, FRAME(5), 0};
	ev->frames[5] = (struct rbprof_frame){GONE_ISEQ, 0x700108, 0};
	ev->frames[6] = (struct rbprof_frame){GONE_ISEQ, 0x700108, 0};
	ev->frames[7] = (struct rbprof_frame){ISEQ, FRAME(1), 0};
	CHECK_EQ_INT(stack_from_event(&s, &a, ev, ids, &n), 0);
	CHECK_EQ_INT(n, 7); /* root first, the empty slot left out */
	CHECK_EQ_INT(a.frames[ids[0]].line, 20);
	CHECK_EQ_INT(ids[1], FRAME_UNKNOWN);
	CHECK_EQ_INT(ids[2], FRAME_UNKNOWN);
	CHECK_EQ_INT(a.frames[ids[3]].line, 21);
	CHECK(ids[4] == ids[3] && ids[5] == ids[3]);
	CHECK_EQ_INT(a.frames[ids[6]].line, 22);
	CHECK_EQ_INT(s.failed, 2); /* each unsymbolized frame counts, repeated or not */
	/* The same stack again: named from the caches, nothing read, the same ids. */
	reads = fm.reads;
	CHECK_EQ_INT(stack_from_event(&s, &a, ev, again, &m), 0);
	CHECK_EQ_INT(fm.reads, reads);
	CHECK_EQ_INT(m, n);
	CHECK(!memcmp(ids, again, n * sizeof(ids[0])));
	CHECK_EQ_INT(s.failed, 4);
	/* A truncated stack in garbage collection gets its special frames around the others. */
	ev->flags = RBPROF_EV_TRUNCATED | RBPROF_EV_GC | RBPROF_EV_GC_SWEEPING;
	CHECK_EQ_INT(stack_from_event(&s, &a, ev, again, &m), 0);
	CHECK_EQ_INT(m, n + 3);
	CHECK_EQ_INT(again[0], FRAME_TRUNCATED);
	CHECK_EQ_INT(again[m - 2], FRAME_GC);
	CHECK_EQ_INT(again[m - 1], FRAME_GC_SWEEPING);
	/* Counted: one stack, whatever its frames were named by. */
	CHECK_EQ_INT(stack_count_event(&s, &a, 0, ev, NULL), 0);
	CHECK_EQ_INT(stack_count_event(&s, &a, 0, ev, NULL), 0);
	CHECK_EQ_INT(a.nstacks, 1);
	CHECK_EQ_INT(a.stacks[0].count, 2);
	aggregate_free(&a);
	symbolizer_free(&s);
	fakemem_free(&fm);
	free(ev);
}

/* What the writers say of frame id (static: one at a time). */
static const char *thread_text(const struct aggregate *a, __u32 id)
{
	static struct frame_text t;

	frame_text(&a->frames[id], &t);
	CHECK_EQ_INT(t.cls, CLASS_THREAD);
	CHECK(t.file == NULL); /* written as a label alone, escaped */
	return t.label;
}

/*
 * --threads: a thread's frame is "thread NAME [TID]", named once from /proc (this process's
 * own threads here), the same id for every sample of it; a thread gone leaves its tid only,
 * and past THREADS_MAX threads share one frame.
 */
void test_thread_frames(void)
{
	struct thread_table t = {0};
	struct aggregate a;
	char want[64], comm[COMM_LEN];
	__u32 id, again, other;
	pid_t me = getpid();
	int i;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	CHECK_EQ_INT(proc_thread_comm(me, me, comm), 0);
	snprintf(want, sizeof(want), "thread %s [%d]", comm, me);
	CHECK_EQ_INT(thread_frame(&t, &a, me, me, &id), 0);
	CHECK_EQ_INT(a.frames[id].kind, FRAME_THREAD);
	CHECK_EQ_INT(a.frames[id].line, me);
	CHECK_STR(a.frames[id].info->label, comm);
	CHECK_STR(thread_text(&a, id), want);
	CHECK_EQ_INT(thread_frame(&t, &a, me, me, &again), 0);
	CHECK_EQ_INT(again, id);
	/* no such thread: its tid only */
	CHECK_EQ_INT(thread_frame(&t, &a, me, 0x7ffffff0, &other), 0);
	CHECK_STR(thread_text(&a, other), "thread [2147483632]");
	for (i = 0; t.by_tid.len < THREADS_MAX; i++)
		CHECK_EQ_INT(thread_frame(&t, &a, me, 0x10000000 + i, &other), 0);
	CHECK_EQ_INT(thread_frame(&t, &a, me, 0x20000000, &other), 0);
	CHECK_STR(thread_text(&a, other), "thread (others)");
	aggregate_free(&a);
	thread_table_free(&t);
}
