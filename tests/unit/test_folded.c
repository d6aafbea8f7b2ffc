// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Escaping, aggregation and the folded output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aggregate/aggregate.h"
#include "output/folded.h"
#include "test.h"

void test_escape(void)
{
	char buf[128];

	CHECK_EQ_INT(folded_escape(buf, sizeof(buf), "Object#run"), 10);
	CHECK_STR(buf, "Object#run");
	folded_escape(buf, sizeof(buf), "a;b\nc\rd\te\\f\x7f");
	CHECK_STR(buf, "a\\x3bb\\x0ac\\x0dd\\x09e\\\\f\\x7f");
	/* Bytes >= 0x80 (UTF-8) pass through. */
	folded_escape(buf, sizeof(buf), "caf\xc3\xa9");
	CHECK_STR(buf, "caf\xc3\xa9");
	/* Cut like snprintf, returning the full length. */
	CHECK_EQ_INT(folded_escape(buf, 4, "a;b"), 6);
	CHECK_STR(buf, "a\\x");
	CHECK_EQ_INT(folded_escape(NULL, 0, ";;"), 8);
}

static void name_of(void *ctx, __u32 id, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s [%u]", id ? "we;ird\n" : "ruby", 100 + id);
}

static char *write_to_string(struct aggregate *a)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK_EQ_INT(folded_write(f, a, name_of, NULL), 0);
	fclose(f);
	return out;
}

void test_aggregate_and_write(void)
{
	struct iseq_info run = {.label = "run", .path = "/a.rb"};
	struct iseq_info evil = {.label = "m;x", .path = "/p\nq.rb"};
	struct aggregate a;
	__u32 f_run10, f_run11, f_run10b, f_evil, s1[3], s2[2];
	char *out;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	aggregate_ruby_frame(&a, &run, 10, 0, &f_run10);
	aggregate_ruby_frame(&a, &run, 11, 0, &f_run11);
	aggregate_ruby_frame(&a, &run, 10, 0, &f_run10b);
	aggregate_ruby_frame(&a, &evil, 1, 0, &f_evil);
	CHECK_EQ_INT(f_run10, f_run10b); /* interned */
	CHECK(f_run10 != f_run11);
	s1[0] = FRAME_TRUNCATED;
	s1[1] = f_run10;
	s1[2] = FRAME_CFUNC;
	s2[0] = f_run11;
	s2[1] = f_evil;
	aggregate_stack(&a, 0, s1, 3, 1);
	aggregate_stack(&a, 0, s2, 2, 1);
	aggregate_stack(&a, 0, s1, 3, 2);
	aggregate_stack(&a, 1, s2, 2, 5);   /* another process: another line */
	aggregate_stack(&a, 0, NULL, 0, 1); /* a thread with no Ruby frame yet */
	CHECK_EQ_INT(a.nstacks, 4);
	out = write_to_string(&a);
	CHECK_STR(out, "ruby [100] 1\n"
		       "ruby [100];(truncated);run (/a.rb:10);[cfunc] 3\n"
		       "ruby [100];run (/a.rb:11);m\\x3bx (/p\\x0aq.rb:1) 1\n"
		       "we\\x3bird\\x0a [101];run (/a.rb:11);m\\x3bx (/p\\x0aq.rb:1) 5\n");
	free(out);
	aggregate_free(&a);
}

void test_aggregate_many_stacks(void)
{
	struct iseq_info m = {.label = "m", .path = "/m.rb"};
	struct aggregate a;
	__u32 i, ids[2];
	__u64 total = 0;

	aggregate_init(&a);
	for (i = 0; i < 20000; i++) {
		aggregate_ruby_frame(&a, &m, (int)(i % 5000), 0, &ids[0]);
		aggregate_ruby_frame(&a, &m, (int)(i % 7), 0, &ids[1]);
		aggregate_stack(&a, 0, ids, 2, 1);
	}
	CHECK_EQ_INT(a.nstacks, 20000); /* (i % 5000, i % 7) repeats only after 35000 */
	for (i = 0; i < a.nstacks; i++)
		total += a.stacks[i].count;
	CHECK_EQ_INT(total, 20000);
	aggregate_free(&a);
}

static void same_name(void *ctx, __u32 id, char *buf, size_t cap)
{
	(void)ctx;
	snprintf(buf, cap, "%s", id == 2 ? "rubz" : "ruby"); /* ids 0 and 1: one pid, two lives */
}

struct ref_line {
	char *text;
	__u64 count;
};

static int cmp_ref(const void *x, const void *y)
{
	return strcmp(((const struct ref_line *)x)->text, ((const struct ref_line *)y)->text);
}

/*
 * folded_write sorts and merges lines without rendering them whole: its order must be strcmp's
 * on the whole lines, with labels that are prefixes of one another (the order then depends on
 * what follows: ';', ' ' or the end), escaped bytes, shared frame prefixes, and equal lines of
 * two process instances merged.
 */
void test_write_order_is_strcmp(void)
{
	static const char *const labels[] = {"a",    "ab", "a;",    "a b", "b",
					     "\x7f", "A",  "a\x01", "a0"};
	enum { NLAB = 9, NSTACK = 400, DEPTH = 6 };
	struct iseq_info info[NLAB];
	struct ref_line ref[NSTACK];
	struct aggregate a;
	__u32 fid[NLAB], st[DEPTH], i, j, n, nlines = 0;
	char *out = NULL, *want = NULL, frame[64];
	size_t olen = 0, wlen = 0;
	unsigned seed = 7;
	FILE *f;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	for (i = 0; i < NLAB; i++) {
		info[i] =
		    (struct iseq_info){.label = (char *)labels[i]}; /* C methods: the label alone */
		aggregate_ruby_frame(&a, &info[i], 0, 0, &fid[i]);
	}
	for (i = 0; i < NSTACK; i++) {
		seed = seed * 1103515245 + 12345;
		n = 1 + (seed >> 16) % DEPTH;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			st[j] = fid[(seed >> 16) % NLAB];
		}
		aggregate_stack(&a, i % 3, st, n, 1 + i % 2);
	}
	/* The reference: every stack rendered whole, strcmp-sorted, equal lines merged. */
	for (i = 0; i < a.nstacks; i++) {
		const struct stack_rec *s = &a.stacks[i];
		size_t len = 0;

		f = open_memstream(&ref[i].text, &len);
		fputs(s->proc_id == 2 ? "rubz" : "ruby", f);
		for (j = 0; j < s->n; j++) {
			folded_escape(frame, sizeof(frame),
				      a.frames[a.pool[s->off + j]].info->label);
			fprintf(f, ";%s", frame);
		}
		fclose(f);
		ref[i].count = s->count;
	}
	qsort(ref, a.nstacks, sizeof(ref[0]), cmp_ref);
	f = open_memstream(&want, &wlen);
	for (i = 0; i < a.nstacks; i = j, nlines++) {
		__u64 count = 0;

		for (j = i; j < a.nstacks && !strcmp(ref[i].text, ref[j].text); j++)
			count += ref[j].count;
		fprintf(f, "%s %llu\n", ref[i].text, (unsigned long long)count);
	}
	fclose(f);
	CHECK(nlines < a.nstacks); /* some lines of ids 0 and 1 merged */
	f = open_memstream(&out, &olen);
	CHECK_EQ_INT(folded_write(f, &a, same_name, NULL), 0);
	fclose(f);
	CHECK_STR(out, want);
	for (i = 0; i < a.nstacks; i++)
		free(ref[i].text);
	free(out);
	free(want);
	aggregate_free(&a);
}
