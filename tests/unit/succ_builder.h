/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * succ_builder.h - builds a succinct position table the way Ruby does
 * (iseq.c: succ_index_table_create), so that tests can lay out iseqs as a live process has
 * them. Returns the table's words (line_table_succ_words(max_pos) of them); free() them.
 */
#ifndef RBPROF_SUCC_BUILDER_H
#define RBPROF_SUCC_BUILDER_H

#include <linux/types.h>

__u64 *succ_build(int max_pos, const int *positions, int npositions);

#endif
