// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* object.c - Strings, Arrays and iseqs read from a Ruby process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rubyvm/object.h"
#include "rubyvm/template.h"

static int read_flags(struct memread *m, __u64 addr, int type, __u64 *flags)
{
	int err;

	if (!ruby_is_pointer(addr))
		return -EINVAL;
	err = memread_u64(m, addr, flags);
	if (err)
		return err;
	return (*flags & RUBY_T_MASK) == (__u64)type ? 0 : -EINVAL;
}

int ruby_string_read(struct memread *m, const struct ruby_layout *L, __u64 addr, char *buf,
		     size_t cap)
{
	__u64 flags, len, ptr;
	int err;

	if (!cap)
		return -EINVAL;
	buf[0] = 0;
	err = read_flags(m, addr, RUBY_T_STRING, &flags);
	if (err)
		return err;
	if (L->rstring == RSTRING_LEN_FIELD) {
		if ((err = memread_u64(m, addr + L->rstring_len, &len)))
			return err;
		ptr = addr + L->rstring_embed;
		if ((flags & L->rstring_noembed) &&
		    (err = memread_u64(m, addr + L->rstring_heap_ptr, &ptr)))
			return err;
	} else if (flags & L->rstring_noembed) {
		if ((err = memread_u64(m, addr + L->rstring_heap_len, &len)) ||
		    (err = memread_u64(m, addr + L->rstring_heap_ptr, &ptr)))
			return err;
	} else {
		len = (flags >> L->rstring_embed_len_shift) & L->rstring_embed_len_mask;
		ptr = addr + L->rstring_embed;
	}
	if ((__s64)len < 0)
		return -EINVAL;
	if (len > cap - 1)
		len = cap - 1;
	err = m->read(m, ptr, buf, len);
	if (err)
		return err;
	buf[len] = 0;
	/* A label or path has no NUL inside; a torn read can. Keep what precedes it. */
	return (int)strlen(buf);
}

int ruby_array_get(struct memread *m, const struct ruby_layout *L, __u64 addr, __u32 idx,
		   __u64 *val)
{
	__u64 flags, len, ptr;
	int err;

	err = read_flags(m, addr, RUBY_T_ARRAY, &flags);
	if (err)
		return err;
	if (flags & L->rarray_embed) {
		len = (flags >> L->rarray_embed_len_shift) & L->rarray_embed_len_mask;
		ptr = addr + L->rarray_embed_ary;
	} else {
		if ((err = memread_u64(m, addr + L->rarray_heap_len, &len)) ||
		    (err = memread_u64(m, addr + L->rarray_heap_ptr, &ptr)))
			return err;
	}
	if (idx >= len)
		return -ERANGE;
	return memread_u64(m, ptr + (__u64)idx * 8, val);
}

int ruby_pathobj_read(struct memread *m, const struct ruby_layout *L, __u64 pathobj, char *buf,
		      size_t cap)
{
	__u64 flags, path;
	int err;

	if (!ruby_is_pointer(pathobj))
		return -EINVAL;
	err = memread_u64(m, pathobj, &flags);
	if (err)
		return err;
	if ((flags & RUBY_T_MASK) == RUBY_T_ARRAY) {
		err = ruby_array_get(m, L, pathobj, 0, &path);
		if (err)
			return err;
		pathobj = path;
	}
	return ruby_string_read(m, L, pathobj, buf, cap);
}

static char *read_string_dup(struct memread *m, const struct ruby_layout *L, __u64 addr,
			     int is_pathobj)
{
	char buf[RUBY_STR_MAX];
	int n = is_pathobj ? ruby_pathobj_read(m, L, addr, buf, sizeof(buf))
			   : ruby_string_read(m, L, addr, buf, sizeof(buf));

	return n < 0 ? NULL : strdup(buf);
}

/* Copy `count` elements of `size` bytes at `addr` into a new buffer. */
static void *read_array_dup(struct memread *m, __u64 addr, size_t count, size_t size)
{
	void *p;

	if (!count || !addr)
		return NULL;
	p = malloc(count * size);
	if (p && m->read(m, addr, p, count * size)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Copy the line of each insns_info entry and whatever positions table the process keeps. */
static int read_line_table(struct memread *m, const struct ruby_layout *L, const __u8 *body,
			   __u32 iseq_size, struct line_table *t)
{
	__u64 entries = memread_u64_at(body, L->body_insns_body);
	__u64 positions = memread_u64_at(body, L->body_insns_positions);
	__u64 succ = memread_u64_at(body, L->body_succ_table);
	__u32 n = memread_u32_at(body, L->body_insns_size), i;
	__u8 *raw;

	memset(t, 0, sizeof(*t));
	t->iseq_size = iseq_size;
	if (!n || n > iseq_size || n > RUBY_LINE_ENTRIES_MAX)
		return -EINVAL;
	raw = read_array_dup(m, entries, n, L->insn_info_size);
	t->lines = malloc(n * sizeof(int));
	if (!raw || !t->lines) {
		free(raw);
		line_table_free(t);
		return -EFAULT;
	}
	for (i = 0; i < n; i++)
		memcpy(&t->lines[i], raw + (size_t)i * L->insn_info_size + L->insn_info_line_no,
		       sizeof(int));
	free(raw);
	t->nentries = n;
	if (n == 1)
		return 0;
	if (positions) {
		t->positions = read_array_dup(m, positions, n, sizeof(__u32));
	} else if (succ) {
		t->succ_words = line_table_succ_words(iseq_size);
		t->succ = read_array_dup(m, succ, t->succ_words, sizeof(__u64));
	}
	if (!t->positions && !t->succ) {
		line_table_free(t);
		return -EFAULT;
	}
	return 0;
}

int iseq_info_read(struct memread *m, const struct ruby_layout *L, __u64 addr,
		   struct iseq_info *out)
{
	__u64 flags, body_addr, pathobj, label, first;
	__u8 body[RUBY_ISEQ_BODY_READ]; /* ruby_layout_check_reads: every field inside */
	char tmpl[RUBY_STR_MAX];
	__u32 iseq_size;
	int err;

	memset(out, 0, sizeof(*out));
	err = read_flags(m, addr, RUBY_T_IMEMO, &flags);
	if (err)
		return err;
	if (rbprof_imemo_type(flags) != RUBY_IMEMO_ISEQ)
		return -EINVAL;
	if ((err = memread_u64(m, addr + L->iseq_body, &body_addr)) ||
	    (err = m->read(m, body_addr, body, sizeof(body))))
		return err;
	iseq_size = memread_u32_at(body, L->body_iseq_size);
	if (!iseq_size || iseq_size > RUBY_ISEQ_MAX_SIZE)
		return -EINVAL;
	out->iseq_encoded = memread_u64_at(body, L->body_iseq_encoded);
	out->type = (int)memread_u32_at(body, L->body_type);
	out->local_iseq = memread_u64_at(body, L->body_local_iseq);
	out->parent_iseq = memread_u64_at(body, L->body_parent_iseq);
	pathobj = memread_u64_at(body, L->body_pathobj);
	label = memread_u64_at(body, L->body_label);
	out->body_addr = body_addr;
	out->label_obj = label;
	out->path_obj = pathobj;
	first = memread_u64_at(body, L->body_first_lineno);
	out->first_lineno = L->first_lineno_fixnum ? (int)((__s64)first >> 1) : (int)(__s32)first;
	out->label = read_string_dup(m, L, label, 0);
	out->path = read_string_dup(m, L, pathobj, 1);
	if (!out->label || !out->path) {
		iseq_info_free(out);
		return -EFAULT;
	}
	/* a compiled template: its template's path, not an owner, is the label */
	if (out->type == ISEQ_TYPE_METHOD &&
	    ruby_template_label(out->label, out->path, tmpl, sizeof(tmpl)))
		out->fixed_label = strdup(tmpl);
	/* Without a line table the frame still has a name; its line is first_lineno. */
	read_line_table(m, L, body, iseq_size, &out->lines);
	out->lines.iseq_size = iseq_size;
	return 0;
}

int iseq_info_line(const struct iseq_info *info, __u64 pc)
{
	__u64 pos;
	int line;

	if (pc < info->iseq_encoded || (pc - info->iseq_encoded) % 8)
		return info->first_lineno;
	pos = (pc - info->iseq_encoded) / 8;
	if (pos)
		pos--; /* pc already points past the executing instruction */
	if (pos >= info->lines.iseq_size)
		return info->first_lineno;
	line = line_table_lookup(&info->lines, (__u32)pos);
	return line < 0 ? info->first_lineno : line;
}

int iseq_in_label(const char *label, const char *mlabel, const char *q, char *out, size_t cap)
{
	size_t len = strlen(label), mlen = strlen(mlabel);

	if (len < mlen + 4 || strcmp(label + len - mlen, mlabel) ||
	    memcmp(label + len - mlen - 4, " in ", 4))
		return -ENOENT;
	snprintf(out, cap, "%.*s%s", (int)(len - mlen), label, q);
	return 0;
}

/* The label of info's frames while it has only one: settled, or one variant so far; or NULL. */
static const char *sole_label(const struct iseq_info *info)
{
	int v = info->nvariants == 1 ? 1 : -1;

	if (info->settled && !info->twin_module) /* a module_function's has two */
		v = info->settled_variant;

	if (v > 0 && v <= info->nvariants)
		return info->variants[v - 1];
	if (!v)
		return info->fixed_label ? info->fixed_label : info->label;
	return info->fixed_label;
}

const char *iseq_info_display(const struct iseq_info *info, int variant, char *buf, size_t cap)
{
	const struct iseq_info *m = info->method;
	const char *q;

	if (variant > 0 && variant <= info->nvariants)
		return info->variants[variant - 1];
	if ((q = sole_label(info)))
		return q;
	/* A block whose owner is not known: its method's, if that has one label. */
	if (m && m != info && m->type == ISEQ_TYPE_METHOD && (q = sole_label(m)) &&
	    !iseq_in_label(info->label, m->label, q, buf, cap))
		return buf;
	return info->label;
}

static size_t str_bytes(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

size_t iseq_info_bytes(const struct iseq_info *info)
{
	size_t n = sizeof(*info) + str_bytes(info->label) + str_bytes(info->path) +
		   str_bytes(info->fixed_label);
	int i;

	for (i = 0; i < info->nvariants; i++)
		n += str_bytes(info->variants[i]);
	n += (size_t)info->lines.nentries * sizeof(int);
	if (info->lines.positions)
		n += (size_t)info->lines.nentries * sizeof(__u32);
	return n + (size_t)info->lines.succ_words * sizeof(__u64);
}

void iseq_info_free(struct iseq_info *info)
{
	free(info->label);
	free(info->path);
	free(info->fixed_label);
	while (info->nvariants > 0)
		free(info->variants[--info->nvariants]);
	line_table_free(&info->lines);
	memset(info, 0, sizeof(*info));
}

void iseq_info_destroy(void *info)
{
	iseq_info_free(info);
	free(info);
}
