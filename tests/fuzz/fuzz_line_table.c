// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The line table decoder (user/rubyvm/line_table.c) on what a hostile process can make of
 * its tables: any positions array, any succ_index_table words, under the sizes the reader
 * bounds (object.c: entries <= iseq_size <= RUBY_ISEQ_MAX_SIZE, entries <=
 * RUBY_LINE_ENTRIES_MAX, the succ table's words from iseq_size). Every lookup must give one
 * of the table's lines or -1, never read outside what was read.
 *
 * Input: u16 iseq_size, u16 entries, a byte choosing positions or succ, then the table's
 * bytes (lines, then positions or words; what the input lacks is zero).
 */
#include <stdlib.h>
#include <string.h>
#include "rubyvm/line_table.h"

/* Positions looked up per input: every one of a small iseq, a sample of a large one. */
#define LOOKUPS_MAX 4096

static void *take(const unsigned char **p, size_t *left, size_t len)
{
	void *buf = calloc(1, len ? len : 1);
	size_t n = *left < len ? *left : len;

	if (!buf)
		abort();
	memcpy(buf, *p, n);
	*p += n;
	*left -= n;
	return buf;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct line_table t = {0};
	__u16 iseq_size, entries;
	__u32 pos, step, i;
	int use_succ;

	if (size < 5)
		return 0;
	memcpy(&iseq_size, data, 2);
	memcpy(&entries, data + 2, 2);
	use_succ = data[4] & 1;
	data += 5;
	size -= 5;
	if (!iseq_size || !entries || entries > iseq_size)
		return 0; /* what iseq_info_read refuses before building a table */
	t.iseq_size = iseq_size;
	t.nentries = entries;
	t.lines = take(&data, &size, entries * sizeof(int));
	if (use_succ) {
		t.succ_words = line_table_succ_words(iseq_size);
		t.succ = take(&data, &size, t.succ_words * sizeof(__u64));
	} else {
		t.positions = take(&data, &size, entries * sizeof(__u32));
	}
	step = iseq_size > LOOKUPS_MAX ? iseq_size / LOOKUPS_MAX : 1;
	for (pos = 0; pos < (__u32)iseq_size + 2; pos += step) {
		int line = line_table_lookup(&t, pos);

		if (line == -1)
			continue;
		for (i = 0; i < entries && t.lines[i] != line; i++)
			;
		if (i == entries)
			abort(); /* a line that is none of the table's */
	}
	line_table_free(&t);
	return 0;
}
