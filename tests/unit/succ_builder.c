// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include "rubyvm/line_table.h"
#include "succ_builder.h"

__u64 *succ_build(int max_pos, const int *data, int size)
{
	const int imm_size = (max_pos < SUCC_IMM_POSITIONS ? max_pos + 8 : SUCC_IMM_POSITIONS) / 9;
	const int succ_size =
	    (max_pos < SUCC_IMM_POSITIONS ? 0 : (max_pos - SUCC_IMM_POSITIONS + 511)) / 512;
	__u64 *w = calloc(line_table_succ_words((__u32)max_pos) + 1, sizeof(*w));
	int i, j, k, r = 0;

	for (j = 0; j < imm_size; j++) {
		for (i = 0; i < 9; i++) {
			if (r < size && data[r] == j * 9 + i)
				r++;
			w[j] |= (__u64)r << (7 * i);
		}
	}
	for (k = 0; k < succ_size; k++) {
		__u64 *blk = w + SUCC_IMM_WORDS + k * SUCC_BLOCK_WORDS;
		int small_rank = 0;

		blk[0] = (__u32)r;
		for (j = 0; j < 8; j++) {
			__u64 bits = 0;

			if (j)
				blk[1] |= (__u64)small_rank << (9 * (j - 1));
			for (i = 0; i < 64; i++) {
				if (r < size &&
				    data[r] == k * 512 + j * 64 + i + SUCC_IMM_POSITIONS) {
					bits |= 1ULL << i;
					r++;
				}
			}
			blk[2 + j] = bits;
			small_rank += __builtin_popcountll(bits);
		}
	}
	return w;
}
