// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What keeps a profiler running for days: the symbol caches checked against the process and
 * bounded by a budget (least recently used out, the aggregate's frames kept), the aggregate
 * bounded and emptied per interval, exited processes let go, and the maps pruned.
 */
#include <string.h>
#include "aggregate/aggregate.h"
#include "aggregate/proc_table.h"
#include "common/hashmap.h"
#include "rb31.h"
#include "rubyvm/symcache.h"
#include "rubyvm/symbolize.h"
#include "test.h"

static const int pos[] = {0, 5};
static const int lines[] = {7, 8};

static int keep_even(void *ctx, struct hashmap_slot *slot)
{
	(void)ctx;
	return !(slot->k1 & 1);
}

void test_hashmap_retain(void)
{
	struct hashmap h = {0};
	__u64 i;

	for (i = 0; i < 1000; i++)
		CHECK_EQ_INT(hashmap_put(&h, i, 7, i * 3), 0);
	CHECK_EQ_INT(hashmap_retain(&h, keep_even, NULL), 0);
	CHECK_EQ_INT((int)h.len, 500);
	CHECK(h.cap <= 2048);
	for (i = 0; i < 1000; i++) {
		__u64 *v = hashmap_get(&h, i, 7);

		CHECK(i & 1 ? v == NULL : v && *v == i * 3);
	}
	/* an empty map stays one; a map emptied gives its memory back */
	hashmap_free(&h);
	CHECK_EQ_INT(hashmap_retain(&h, keep_even, NULL), 0);
	hashmap_put(&h, 1, 0, 1);
	CHECK_EQ_INT(hashmap_retain(&h, keep_even, NULL), 0);
	CHECK_EQ_INT((int)h.len, 0);
	CHECK(hashmap_get(&h, 1, 0) == NULL);
	hashmap_free(&h);
}

/* An iseq's label object replaced (code made anew at the address): the cache reads it again. */
void test_symcache_revalidate(void)
{
	const struct ruby_layout *L = rb31();
	struct symcache c;
	struct fakemem fm;
	struct symbolizer s;
	const struct iseq_info *a, *b;
	__u64 label2 = 0x100500;

	fakemem_init(&fm);
	rb31_iseq(&fm, 0x100000, "first", "/a.rb", 3, 10, pos, lines, 2);
	rb31_iseq(&fm, 0x200000, "stays", "/b.rb", 3, 10, pos, lines, 2);
	rb31_string(&fm, label2, "second");
	symcache_init(&c, 1 << 20);
	symbolizer_init(&s, &fm.base, L, 0, 0);
	s.cache = &c;
	s.epoch = 1;
	a = symbolizer_iseq(&s, 0x100000);
	CHECK(a && !strcmp(a->label, "first"));
	CHECK(symbolizer_iseq(&s, 0x200000) != NULL);
	CHECK(c.bytes > 0 && c.bytes == s.bytes);
	/* nothing changed: nothing renamed, nothing read but the checks */
	CHECK_EQ_INT((int)symcache_revalidate(&c, &s, 0), 0);
	CHECK(symbolizer_iseq(&s, 0x100000) == a);
	/* the aggregate has a frame of it: it is set aside, still readable, when it changes */
	((struct iseq_info *)a)->in_agg = 1;
	fakemem_write(&fm, 0x100100 + L->body_label, &label2, sizeof(label2));
	CHECK_EQ_INT((int)symcache_revalidate(&c, &s, 0), 1);
	CHECK_EQ_INT((int)c.renamed, 1);
	CHECK_EQ_INT((int)s.nretired, 1);
	CHECK_STR(a->label, "first");
	b = symbolizer_iseq(&s, 0x100000);
	CHECK(b && b != a && !strcmp(b->label, "second"));
	/* a new interval: the retired frame goes (ASan sees it freed once) */
	symbolizer_aggregate_reset(&s);
	CHECK_EQ_INT((int)s.nretired, 0);
	/* frames not used since `since` are not checked */
	s.epoch = 5;
	fakemem_write(&fm, 0x200100 + L->body_label, &label2, sizeof(label2));
	CHECK_EQ_INT((int)symcache_revalidate(&c, &s, 4), 0);
	CHECK_EQ_INT((int)symcache_revalidate(&c, &s, 0), 1);
	symbolizer_free(&s);
	CHECK_EQ_INT((int)c.bytes, 0); /* every byte charged was given back */
	fakemem_free(&fm);
}

/* Past the budget the least recently used go; the aggregate's, and a kept block's method, stay. */
void test_symcache_lru(void)
{
	struct symcache c;
	struct fakemem fm;
	struct symbolizer s, t, *both[2] = {&s, &t};
	struct iseq_info *old, *mid, *recent, *blk, *meth;
	__u64 one;

	fakemem_init(&fm);
	rb31_iseq(&fm, 0x100000, "old", "/a.rb", 1, 10, pos, lines, 2);
	rb31_iseq(&fm, 0x200000, "mid", "/a.rb", 1, 10, pos, lines, 2);
	rb31_iseq(&fm, 0x300000, "recent", "/a.rb", 1, 10, pos, lines, 2);
	rb31_iseq(&fm, 0x400000, "block in meth", "/a.rb", 1, 10, pos, lines, 2);
	rb31_iseq(&fm, 0x500000, "meth", "/a.rb", 1, 10, pos, lines, 2);
	symcache_init(&c, 1 << 20);
	symbolizer_init(&s, &fm.base, rb31(), 0, 0);
	symbolizer_init(&t, &fm.base, rb31(), 0, 0);
	s.cache = t.cache = &c;
	s.epoch = 1;
	old = (struct iseq_info *)symbolizer_iseq(&s, 0x100000);
	one = c.bytes;
	t.epoch = 2;
	mid = (struct iseq_info *)symbolizer_iseq(&t, 0x200000);
	s.epoch = 3;
	recent = (struct iseq_info *)symbolizer_iseq(&s, 0x300000);
	meth = (struct iseq_info *)symbolizer_iseq(&s, 0x500000);
	s.epoch = 9;
	blk = (struct iseq_info *)symbolizer_iseq(&s, 0x400000);
	CHECK(old && mid && recent && blk && meth);
	blk->method = meth; /* as owner.c links a block to its method */
	old->in_agg = 1;    /* counted in the current profile */
	/* room for 4 of the 5 frames: to 3/4 of it, 3; the oldest not in the aggregate, mid, goes */
	c.budget = 4 * one + one / 2;
	CHECK_EQ_INT(symcache_trim(&c, both, 2), 0);
	CHECK(hashmap_get(&s.frames, 0x100000, 0) != NULL); /* in the aggregate */
	CHECK(hashmap_get(&t.frames, 0x200000, 0) == NULL);
	CHECK(hashmap_get(&s.frames, 0x300000, 0) == NULL);
	/* the method is as recent as its block: both stay */
	CHECK(hashmap_get(&s.frames, 0x400000, 0) != NULL);
	CHECK(hashmap_get(&s.frames, 0x500000, 0) != NULL);
	CHECK_STR(blk->method->label, "meth");
	CHECK_EQ_INT((int)c.evicted, 2);
	CHECK(c.bytes <= c.budget / 4 * 3 + one);
	/* under a budget of nothing, all go but the aggregate's; a block never points at freed */
	c.budget = 0;
	CHECK_EQ_INT(symcache_trim(&c, both, 2), 0);
	CHECK_EQ_INT((int)s.frames.len, 1);
	CHECK_EQ_INT((int)t.frames.len, 0);
	/* past twice the budget, new frames are not cached until a trim */
	c.budget = one + one / 2; /* cached while they hold at most 3 frames' worth */
	s.epoch = 10;
	CHECK(symbolizer_iseq(&s, 0x300000) != NULL);
	CHECK(symbolizer_iseq(&s, 0x400000) != NULL);
	CHECK(symbolizer_iseq(&s, 0x500000) == NULL);
	CHECK_EQ_INT((int)c.refused, 1);
	symbolizer_free(&s);
	symbolizer_free(&t);
	CHECK_EQ_INT((int)c.bytes, 0);
	fakemem_free(&fm);
}

/* Past its bounds, an aggregate counts a process's samples in one overflow stack. */
void test_aggregate_bounds(void)
{
	struct aggregate a;
	__u32 f[3] = {FRAME_CFUNC, FRAME_GC, 0}, i;
	__u64 total = 0;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	a.max_stacks = 10;
	for (i = 0; i < 100; i++) {
		f[2] = FRAME_UNKNOWN + (i % 5 == 0 ? 0 : 0);
		f[0] = i % 20 < 10 ? FRAME_CFUNC : FRAME_UNKNOWN;
		f[1] = FRAME_GC + i % 7; /* 20 distinct stacks with f[0] */
		CHECK_EQ_INT(aggregate_stack(&a, i % 2, f, 3, 1), 0);
	}
	CHECK(a.nstacks <= 10 + 2); /* two overflow stacks past the bound, one per process */
	for (i = 0; i < a.nstacks; i++)
		total += a.stacks[i].count;
	CHECK_EQ_INT((int)total, 100);
	CHECK(a.overflowed > 0);
	for (i = 10; i < a.nstacks; i++) {
		CHECK_EQ_INT((int)a.stacks[i].n, 1);
		CHECK_EQ_INT((int)a.pool[a.stacks[i].off], FRAME_OVERFLOW);
	}
	/* emptied for the next interval, its bounds kept */
	CHECK_EQ_INT(aggregate_reset(&a), 0);
	CHECK_EQ_INT((int)a.nstacks, 0);
	CHECK_EQ_INT((int)a.max_stacks, 10);
	CHECK_EQ_INT((int)a.overflowed, 0);
	aggregate_free(&a);
}

/* One process's stacks out of an aggregate of several: the uploads' per-process profiles. */
void test_aggregate_extract(void)
{
	struct iseq_info x = {.label = "x"}, y = {.label = "y"};
	struct aggregate a, one;
	__u32 fx, fy, fo, s[3], idx[2], n = 0, i;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&a, &x, 3, 0, &fx), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&a, &y, 4, 1, &fy), 0);
	CHECK_EQ_INT(aggregate_offcpu_frame(&a, 7, &fo), 0);
	s[0] = fx, s[1] = fy, s[2] = FRAME_GC;
	CHECK_EQ_INT(aggregate_stack(&a, 0, s, 3, 5), 0);
	s[0] = fy;
	CHECK_EQ_INT(aggregate_stack(&a, 1, s, 1, 9), 0); /* another process's */
	s[0] = fx, s[1] = fo;
	CHECK_EQ_INT(aggregate_stack(&a, 0, s, 2, 2), 0);
	for (i = 0; i < a.nstacks; i++)
		if (a.stacks[i].proc_id == 0)
			idx[n++] = i;
	CHECK_EQ_INT(aggregate_init(&one), 0);
	CHECK_EQ_INT(aggregate_extract(&one, &a, idx, n), 0);
	CHECK_EQ_INT((int)one.nstacks, 2);
	CHECK_EQ_INT((int)one.stacks[0].count, 5);
	CHECK_EQ_INT((int)one.stacks[0].proc_id, 0);
	CHECK(one.frames[one.pool[one.stacks[0].off]].info == &x);
	CHECK_EQ_INT(one.frames[one.pool[one.stacks[0].off + 1]].variant, 1);
	CHECK_EQ_INT((int)one.pool[one.stacks[0].off + 2], FRAME_GC);
	CHECK_EQ_INT(one.frames[one.pool[one.stacks[1].off + 1]].kind, FRAME_OFFCPU);
	CHECK_EQ_INT(one.frames[one.pool[one.stacks[1].off + 1]].line, 8);
	CHECK_EQ_INT((int)one.nframes, FRAME_ID_SPECIALS + 3);
	aggregate_free(&one);
	aggregate_free(&a);
}

/* Exited processes are let go once their samples are written; the others renumbered. */
void test_proc_table_free_exited(void)
{
	struct proc_table pt;
	struct ruby_target t = {.layout = rb31()};
	struct ruby_proc *p[4];
	int i;

	proc_table_init(&pt);
	for (i = 0; i < 4; i++) {
		t.pid = 100 + i;
		p[i] = proc_table_add(&pt, &t);
		CHECK(p[i] != NULL);
		p[i]->samples = (__u64)i + 1;
	}
	p[0]->exited = p[2]->exited = 1;
	CHECK_EQ_INT((int)proc_table_free_exited(&pt), 2);
	CHECK_EQ_INT((int)pt.n, 2);
	CHECK_EQ_INT((int)pt.freed, 2);
	CHECK_EQ_INT((int)pt.freed_samples, 4);
	CHECK(proc_table_live(&pt, 100) == NULL);
	CHECK(proc_table_live(&pt, 101) == p[1] && p[1]->id == 0);
	CHECK(proc_table_live(&pt, 103) == p[3] && p[3]->id == 1);
	CHECK_EQ_INT((int)pt.live.len, 2);
	CHECK_EQ_INT((int)proc_table_free_exited(&pt), 0);
	proc_table_free(&pt);
}
