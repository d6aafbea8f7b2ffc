// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include "rb31.h"
#include "rubyvm/object.h"
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

/* An RString of layout L fits in a 40-byte slot after its header: embedded up to here. */
#define RSTRING_SLOT 40

void rb_string(struct fakemem *fm, const struct ruby_layout *L, __u64 addr, const char *s)
{
	size_t len = strlen(s);
	unsigned char *o = fakemem_map(fm, addr, RSTRING_SLOT);

	if (len < RSTRING_SLOT - L->rstring_embed) {
		__u64 flags = RUBY_T_STRING;

		if (L->rstring == RSTRING_LEN_FIELD)
			put64(o, L->rstring_len, len);
		else
			flags |= (__u64)len << L->rstring_embed_len_shift;
		put64(o, 0, flags);
		memcpy(o + L->rstring_embed, s, len);
	} else {
		put64(o, 0, RUBY_T_STRING | L->rstring_noembed);
		put64(o, L->rstring == RSTRING_LEN_FIELD ? L->rstring_len : L->rstring_heap_len,
		      len);
		put64(o, L->rstring_heap_ptr, addr + 0x1000);
		memcpy(fakemem_map(fm, addr + 0x1000, len + 1), s, len);
	}
}

void rb31_string(struct fakemem *fm, __u64 addr, const char *s)
{
	rb_string(fm, rb31(), addr, s);
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

void rb31_heap_array(struct fakemem *fm, __u64 addr, const __u64 *vals, int n)
{
	const struct ruby_layout *L = rb31();
	unsigned char *o = fakemem_map(fm, addr, 40);

	put64(o, 0, RUBY_T_ARRAY);
	put64(o, L->rarray_heap_len, (__u64)n);
	put64(o, L->rarray_heap_ptr, addr + 0x1000);
	memcpy(fakemem_map(fm, addr + 0x1000, (size_t)n * 8 + 8), vals, (size_t)n * 8);
}

void rb31_class(struct fakemem *fm, __u64 addr, __u64 flags, const __u64 *ids, const __u64 *vals,
		int n)
{
	const struct ruby_layout *L = rb31();
	unsigned char *k = fakemem_map(fm, addr, 40), *ext = fakemem_map(fm, addr + 0x100, 112);
	unsigned char *st = fakemem_map(fm, addr + 0x200, 56);
	unsigned char *e = fakemem_map(fm, addr + 0x300, (size_t)n * 24 + 24);
	int i;

	put64(k, 0, 0x02 | flags); /* T_CLASS */
	put64(k, L->class_ext, addr + 0x100);
	put64(ext, L->classext_iv_tbl, addr + 0x200);
	put64(st, L->st_entries_start, 0);
	put64(st, L->st_entries_bound, (__u64)n);
	put64(st, L->st_entries, addr + 0x300);
	for (i = 0; i < n; i++) {
		put64(e, (__u32)i * 24, 0x1234);
		put64(e, (__u32)i * 24 + 8, ids[i]);
		put64(e, (__u32)i * 24 + 16, vals[i]);
	}
}

__u64 rb31_id(int serial)
{
	/* a local, static-symbol ID: serial << ID_SCOPE_SHIFT | ID_STATIC_SYM */
	return ((__u64)serial << rb31()->id_scope_shift) | 1;
}

void rb_symbols(struct fakemem *fm, const struct ruby_layout *L, __u64 addr,
		const char *const *names, int n)
{
	unsigned char *gs = fakemem_map(fm, addr, 32);
	__u64 *pairs = calloc(1024, sizeof(*pairs)), chunk = addr + 0x100000;
	__u32 last = (__u32)(RB31_FIRST_SERIAL + n - 1);
	int i;

	memcpy(gs + L->symbols_last_id, &last, 4);
	put64(gs, L->symbols_ids, addr + 0x10000);
	rb31_heap_array(fm, addr + 0x10000, &chunk, 1);
	for (i = 0; i < n; i++) {
		__u64 str = addr + 0x200000 + (__u64)i * 0x2000;
		int serial = RB31_FIRST_SERIAL + i;

		rb_string(fm, L, str, names[i]);
		pairs[serial * 2] = str;
		pairs[serial * 2 + 1] = (rb31_id(serial) << 8) | 0x0c; /* the static Symbol */
	}
	rb31_heap_array(fm, chunk, pairs, 1024);
	free(pairs);
}

void rb31_symbols(struct fakemem *fm, __u64 addr, const char *const *names, int n)
{
	rb_symbols(fm, rb31(), addr, names, n);
}

/* The bytes of the region that starts exactly at addr. */
static unsigned char *region_at(struct fakemem *fm, __u64 addr)
{
	int i;

	for (i = 0; i < fm->n; i++)
		if (fm->r[i].addr == addr)
			return fm->r[i].bytes;
	abort();
}

void rb31_method_entry(struct fakemem *fm, __u64 addr, __u64 id, __u64 owner, __u64 iseq)
{
	const struct ruby_layout *L = rb31();
	unsigned char *me = fakemem_map(fm, addr, 40), *def = fakemem_map(fm, addr + 0x100, 48);

	put64(me, 0, RUBY_T_IMEMO | (6ULL << RUBY_IMEMO_SHIFT)); /* imemo_ment */
	put64(me, L->me_def, addr + 0x100);
	put64(me, L->me_owner, owner);
	put64(def, L->def_original_id, id);
	put64(def, 0, iseq ? 0 : 1); /* VM_METHOD_TYPE_ISEQ or _CFUNC */
	put64(def, L->def_iseqptr, iseq);
}

void rb31_method_entry_share(struct fakemem *fm, __u64 addr)
{
	unsigned char *def = region_at(fm, addr + 0x100);

	def[0] |= 1 << 5; /* alias_count 1 (3.1: bits 5-31) */
}

void rb31_method_entry_private(struct fakemem *fm, __u64 addr)
{
	unsigned char *me = region_at(fm, addr);

	me[2] |= 2 << (RUBY_IMEMO_SHIFT + 4 - 16); /* METHOD_ENTRY_VISI: METHOD_VISI_PRIVATE */
}

void rb31_class_klass(struct fakemem *fm, __u64 addr, __u64 klass)
{
	put64(region_at(fm, addr), 8, klass);
}

void rb31_method_table(struct fakemem *fm, __u64 klass, const __u64 *ids, const __u64 *mes, int n)
{
	const struct ruby_layout *L = rb31();
	__u64 tbl = klass + 0x400;
	__u32 capa = 64, num = (__u32)n;
	unsigned char *t = fakemem_map(fm, tbl, 24),
		      *items = fakemem_map(fm, tbl + 0x40, capa * 16);
	int i;

	/* 3.1: RClass.ptr -> rb_classext_struct.m_tbl -> rb_id_table {capa, num, used, items} */
	put64(region_at(fm, klass + 0x100), L->class_m_tbl, tbl);
	memcpy(t, &capa, 4);
	memcpy(t + 4, &num, 4);
	memcpy(t + 8, &num, 4);
	put64(t, 16, tbl + 0x40);
	memset(items, 0, capa * 16);
	for (i = 0; i < n; i++) {
		__u32 key = (__u32)(ids[i] >> L->id_scope_shift);
		unsigned char *item = items + (key & (capa - 1)) * 16;

		if (item[0]) /* the tests' serials are consecutive: no collision */
			abort();
		memcpy(item, &key, 4);
		put64(item, 8, mes[i]);
	}
}

void rb31_bmethod_entry(struct fakemem *fm, __u64 addr, __u64 id, __u64 owner, __u64 block_iseq)
{
	const struct ruby_layout *L = rb31();
	unsigned char *def, *proc, *data;

	rb31_method_entry(fm, addr, id, owner, 0);
	def = region_at(fm, addr + 0x100);
	proc = fakemem_map(fm, addr + 0x200, 48);
	data = fakemem_map(fm, addr + 0x300, 64);
	put64(def, 0, 4); /* VM_METHOD_TYPE_BMETHOD */
	put64(def, L->def_bmethod_proc, addr + 0x200);
	put64(proc, L->typeddata_data, addr + 0x300);
	put64(data, L->proc_block_iseq, block_iseq);
}

void rb31_iseq_parent(struct fakemem *fm, __u64 addr, __u64 parent_iseq)
{
	put64(region_at(fm, addr + 0x100), rb31()->body_parent_iseq, parent_iseq);
}

void rb31_iseq_kind(struct fakemem *fm, __u64 addr, int type, __u64 local_iseq)
{
	const struct ruby_layout *L = rb31();
	unsigned char *body = region_at(fm, addr + 0x100);
	__u32 t = (__u32)type;

	memcpy(body + L->body_type, &t, 4);
	put64(body, L->body_local_iseq, local_iseq);
}

void rb31_env(struct fakemem *fm, __u64 ep, __u64 me_cref, __u64 prev_ep, __u64 flags)
{
	unsigned char *env = fakemem_map(fm, ep - 16, 24);

	put64(env, 0, me_cref);
	put64(env, 8, prev_ep);
	put64(env, 16, flags);
}
