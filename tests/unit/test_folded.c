// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Escaping, aggregation and the folded output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aggregate.h"
#include "folded.h"
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
	aggregate_ruby_frame(&a, &run, 10, &f_run10);
	aggregate_ruby_frame(&a, &run, 11, &f_run11);
	aggregate_ruby_frame(&a, &run, 10, &f_run10b);
	aggregate_ruby_frame(&a, &evil, 1, &f_evil);
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
		aggregate_ruby_frame(&a, &m, (int)(i % 5000), &ids[0]);
		aggregate_ruby_frame(&a, &m, (int)(i % 7), &ids[1]);
		aggregate_stack(&a, 0, ids, 2, 1);
	}
	CHECK_EQ_INT(a.nstacks, 20000); /* (i % 5000, i % 7) repeats only after 35000 */
	for (i = 0; i < a.nstacks; i++)
		total += a.stacks[i].count;
	CHECK_EQ_INT(total, 20000);
	aggregate_free(&a);
}
