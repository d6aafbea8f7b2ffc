// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include "rb31.h"
#include "ruby_object.h"
#include "succ_builder.h"

const struct ruby_layout *rb31(void)
{
	int exact;

	return ruby_layout_find("3.1.2", &exact);
}

static void put64(unsigned char *p, __u32 off, __u64 v)
{
	memcpy(p + off, &v, sizeof(v));
}

void rb31_string(struct fakemem *fm, __u64 addr, const char *s)
{
	const struct ruby_layout *L = rb31();
	size_t len = strlen(s);
	unsigned char *o = fakemem_map(fm, addr, 40);

	if (len <= 23) {
		put64(o, 0, RUBY_T_STRING | ((__u64)len << L->rstring_embed_len_shift));
		memcpy(o + L->rstring_embed, s, len);
	} else {
		put64(o, 0, RUBY_T_STRING | L->rstring_noembed);
		put64(o, L->rstring_heap_len, len);
		put64(o, L->rstring_heap_ptr, addr + 0x1000);
		memcpy(fakemem_map(fm, addr + 0x1000, len + 1), s, len);
	}
}

void rb31_array(struct fakemem *fm, __u64 addr, const __u64 *vals, int n)
{
	const struct ruby_layout *L = rb31();
	unsigned char *o = fakemem_map(fm, addr, 40);

	put64(o, 0, RUBY_T_ARRAY | L->rarray_embed | ((__u64)n << L->rarray_embed_len_shift));
	if (n)
		memcpy(o + L->rarray_embed_ary, vals, (size_t)n * 8);
}

__u64 rb31_iseq(struct fakemem *fm, __u64 addr, const char *label, const char *path,
		int first_lineno, int iseq_size, const int *positions, const int *lines, int n)
{
	const struct ruby_layout *L = rb31();
	unsigned char *iseq = fakemem_map(fm, addr, 40);
	unsigned char *body = fakemem_map(fm, addr + 0x100, 312);
	unsigned char *entries = fakemem_map(fm, addr + 0xc00, (size_t)n * 12);
	__u64 encoded = addr + 0x10000, *succ;
	__u32 size = (__u32)iseq_size, words = line_table_succ_words(size);
	int i;

	put64(iseq, 0, RUBY_T_IMEMO | ((__u64)RUBY_IMEMO_ISEQ << RUBY_IMEMO_SHIFT));
	put64(iseq, L->iseq_body, addr + 0x100);
	memcpy(body + L->body_iseq_size, &size, 4);
	put64(body, L->body_iseq_encoded, encoded);
	fakemem_map(fm, encoded, (size_t)iseq_size * 8);
	rb31_string(fm, addr + 0x400, label);
	rb31_string(fm, addr + 0x800, path);
	put64(body, L->body_label, addr + 0x400);
	put64(body, L->body_pathobj, addr + 0x800);
	put64(body, L->body_first_lineno, ((__u64)first_lineno << 1) | 1);
	for (i = 0; i < n; i++)
		memcpy(entries + i * 12, &lines[i], 4);
	put64(body, L->body_insns_body, addr + 0xc00);
	memcpy(body + L->body_insns_size, &n, 4);
	succ = succ_build(iseq_size, positions, n);
	memcpy(fakemem_map(fm, addr + 0x20000, words * 8), succ, words * 8);
	free(succ);
	put64(body, L->body_succ_table, addr + 0x20000);
	return encoded;
}
