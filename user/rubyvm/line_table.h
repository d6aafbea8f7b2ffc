/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * line_table.h - the line of an instruction position in an iseq, from a copy of the iseq's
 * insns_info. Ruby (>= 2.6, VM_INSN_INFO_TABLE_IMPL 2) frees the positions array once an
 * iseq is compiled and keeps a succinct bitvector instead (iseq.c: succ_index_table): bit x
 * is set where an insns_info entry starts, and rank(x) - 1 is the entry of position x.
 */
#ifndef RBPROF_LINE_TABLE_H
#define RBPROF_LINE_TABLE_H

#include <linux/types.h>

/* iseq.c: IMMEDIATE_TABLE_SIZE, positions covered by 7-bit ranks packed 9 to a word. */
#define SUCC_IMM_POSITIONS 54
#define SUCC_IMM_WORDS	   (SUCC_IMM_POSITIONS / 9)
/* struct succ_dict_block: u32 rank (+pad), u64 small_block_ranks, u64 bits[8]: 10 words. */
#define SUCC_BLOCK_WORDS     10
#define SUCC_BLOCK_POSITIONS 512

struct line_table {
	__u32 iseq_size;  /* positions 0..iseq_size-1 */
	__u32 nentries;	  /* insns_info.size */
	int *lines;	  /* line of each entry */
	__u32 *positions; /* start position of each entry, if the process still had them */
	__u64 *succ;	  /* the succ_index_table words, if not */
	__u32 succ_words;
};

/* Words a succ_index_table for an iseq of `iseq_size` positions occupies (succ_index_table_create).
 */
__u32 line_table_succ_words(__u32 iseq_size);

/* Line of position `pos`, or -1 if the table does not cover it (torn or hostile input). */
int line_table_lookup(const struct line_table *t, __u32 pos);

void line_table_free(struct line_table *t);

#endif /* RBPROF_LINE_TABLE_H */
