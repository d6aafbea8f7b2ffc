// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* line_table.c - position -> line, as iseq.c's get_insn_info() does it. */
#include <stdlib.h>
#include "rubyvm/line_table.h"

__u32 line_table_succ_words(__u32 iseq_size)
{
	if (iseq_size < SUCC_IMM_POSITIONS)
		return (iseq_size + 8) / 9;
	return SUCC_IMM_WORDS + (iseq_size - SUCC_IMM_POSITIONS + SUCC_BLOCK_POSITIONS - 1) /
				    SUCC_BLOCK_POSITIONS * SUCC_BLOCK_WORDS;
}

/* iseq.c: succ_index_lookup(); ranks count set bits at positions <= x. -1 if out of range. */
static long succ_rank(const struct line_table *t, __u32 x)
{
	const __u64 *blk;
	__u32 bi, bit, small;
	long small_rank, rank;

	if (x < SUCC_IMM_POSITIONS) {
		if (x / 9 >= t->succ_words)
			return -1;
		return (long)((t->succ[x / 9] >> ((x % 9) * 7)) & 0x7f);
	}
	bi = (x - SUCC_IMM_POSITIONS) / SUCC_BLOCK_POSITIONS;
	if (SUCC_IMM_WORDS + (__u64)(bi + 1) * SUCC_BLOCK_WORDS > t->succ_words)
		return -1;
	blk = t->succ + SUCC_IMM_WORDS + bi * SUCC_BLOCK_WORDS;
	bit = (x - SUCC_IMM_POSITIONS) % SUCC_BLOCK_POSITIONS;
	small = bit / 64;
	small_rank = small ? (long)((blk[1] >> ((small - 1) * 9)) & 0x1ff) : 0;
	rank = (long)(__u32)blk[0] + small_rank;
	return rank + __builtin_popcountll(blk[2 + small] << (63 - bit % 64));
}

/* iseq.c: get_insn_info_binary_search(): the last entry starting at or before pos. */
static long positions_index(const struct line_table *t, __u32 pos)
{
	__u32 lo = 0, hi = t->nentries;

	while (hi - lo > 1) {
		__u32 mid = lo + (hi - lo) / 2;

		if (t->positions[mid] <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int line_table_lookup(const struct line_table *t, __u32 pos)
{
	long idx;

	if (!t->nentries || !t->lines || pos >= t->iseq_size)
		return -1;
	if (t->nentries == 1)
		return t->lines[0];
	if (t->positions)
		idx = positions_index(t, pos);
	else if (t->succ)
		idx = succ_rank(t, pos) - 1;
	else
		return -1;
	if (idx < 0 || idx >= (long)t->nentries)
		return -1;
	return t->lines[idx];
}

void line_table_free(struct line_table *t)
{
	free(t->lines);
	free(t->positions);
	free(t->succ);
	t->lines = NULL;
	t->positions = NULL;
	t->succ = NULL;
}
