// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Position -> line through Ruby's succinct bitvector, against a brute-force answer. */
#include <stdlib.h>
#include "rubyvm/line_table.h"
#include "succ_builder.h"
#include "test.h"

/* Entries start at sorted random positions (always at 0, as Ruby's do); entry i is line 100+i. */
static void check_size(int iseq_size, unsigned int seed)
{
	int *pos = malloc(sizeof(int) * (size_t)iseq_size), n = 0, x, e = 0, bad = 0;
	struct line_table t = {0};

	srand(seed);
	for (x = 0; x < iseq_size; x++)
		if (x == 0 || rand() % 4 == 0)
			pos[n++] = x;
	t.iseq_size = (__u32)iseq_size;
	t.nentries = (__u32)n;
	t.lines = malloc(sizeof(int) * (size_t)n);
	for (x = 0; x < n; x++)
		t.lines[x] = 100 + x;
	t.succ = succ_build(iseq_size, pos, n);
	t.succ_words = line_table_succ_words((__u32)iseq_size);
	for (x = 0; x < iseq_size; x++) {
		while (e + 1 < n && pos[e + 1] <= x)
			e++;
		if (line_table_lookup(&t, (__u32)x) != 100 + e)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	/* The same answers from a positions array (tables not yet encoded). */
	free(t.succ);
	t.succ = NULL;
	t.positions = malloc(sizeof(__u32) * (size_t)n);
	for (x = 0; x < n; x++)
		t.positions[x] = (__u32)pos[x];
	for (x = 0, e = 0, bad = 0; x < iseq_size; x++) {
		while (e + 1 < n && pos[e + 1] <= x)
			e++;
		if (line_table_lookup(&t, (__u32)x) != 100 + e)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(line_table_lookup(&t, (__u32)iseq_size), -1);
	line_table_free(&t);
	free(pos);
}

void test_line_table_sizes(void)
{
	/* Around the immediate part (54 positions) and the 512-position blocks. */
	static const int sizes[] = {1, 2, 9, 53, 54, 55, 100, 565, 566, 567, 1818, 5000};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_size(sizes[i], (unsigned int)i + 1);
}

void test_line_table_single_entry(void)
{
	int line = 7;
	struct line_table t = {.iseq_size = 10, .nentries = 1, .lines = &line};

	CHECK_EQ_INT(line_table_lookup(&t, 0), 7);
	CHECK_EQ_INT(line_table_lookup(&t, 9), 7);
	CHECK_EQ_INT(line_table_lookup(&t, 10), -1);
}

void test_line_table_hostile(void)
{
	/* A table too short for the iseq, ranks pointing past the entries: -1, never a crash. */
	int lines[2] = {1, 2};
	__u64 succ[SUCC_IMM_WORDS] = {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL};
	struct line_table t = {
	    .iseq_size = 5000, .nentries = 2, .lines = lines, .succ = succ, .succ_words = 6};

	CHECK_EQ_INT(line_table_lookup(&t, 3), -1);    /* rank 127 > 2 entries */
	CHECK_EQ_INT(line_table_lookup(&t, 4000), -1); /* block beyond the table */
	succ[0] = 0;
	CHECK_EQ_INT(line_table_lookup(&t, 0), -1); /* rank 0: no entry */
}
