// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * frame_table.c - the distinct frames of a profile, by one sort of the frame ids: by a hash of
 * their text first, so that strings are compared only where the hashes are equal (names share
 * long prefixes: "ActiveRecord::..."), which keeps a profile of half a million frames to a
 * fraction of a second.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/frame_table.h"

/* FNV-1a, 64 bits: its offset basis and prime. */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL

/* Whether s needs no cleaning: printable ASCII only, as nearly every name is. */
static int is_plain(const char *s, size_t *len)
{
	const unsigned char *c = (const unsigned char *)s;

	for (; *c; c++)
		if (*c < 0x20 || *c >= 0x7f)
			return 0;
	*len = (size_t)(c - (const unsigned char *)s);
	return 1;
}

/* Append s cleaned and its NUL, hashing what it appends into *hash; *off: where it starts. */
static int add_text(struct sbuf *b, const char *s, size_t *off, __u64 *hash)
{
	size_t len, i;
	int err;

	*off = b->len;
	if (!s)
		s = "";
	err = is_plain(s, &len) ? sbuf_addn(b, s, len) : sbuf_add_clean(b, s);
	if (err || sbuf_addn(b, "", 1))
		return -ENOMEM;
	for (i = *off; i < b->len; i++) /* the NUL too: ("ab", "c") and ("a", "bc") differ */
		*hash = (*hash ^ (unsigned char)b->s[i]) * FNV_PRIME;
	return 0;
}

/* Mark in used[] the frames some stack has: the others (specials never seen) get no entry. */
static void mark_used(const struct aggregate *a, unsigned char *used)
{
	__u32 i, j;

	for (i = 0; i < a->nstacks; i++)
		for (j = 0; j < a->stacks[i].n; j++)
			used[a->pool[a->stacks[i].off + j]] = 1;
}

/* What the sort of the frame ids reads: their text and its hash, by frame id. */
struct sort_ctx {
	const char *text;
	struct frame_entry *tmp;
	__u64 *hash; /* of (label, file) */
};

/*
 * The text of every frame id that gets an entry, into c->tmp[id] and c->hash[id]; *n: how
 * many, their ids in ids.
 */
static int render_frames(struct frame_table *t, const struct aggregate *a, int threads,
			 struct sort_ctx *c, __u32 *ids, __u32 *n)
{
	unsigned char *used = calloc(a->nframes ? a->nframes : 1, 1);
	struct frame_text ft;
	int err = -ENOMEM;
	__u32 id;

	if (!used)
		return -ENOMEM;
	mark_used(a, used);
	*n = 0;
	for (id = 0; id < a->nframes; id++) {
		if (!used[id] || (a->frames[id].kind == FRAME_THREAD && !threads))
			continue;
		frame_text(&a->frames[id], &ft);
		c->hash[id] = FNV_OFFSET;
		if (add_text(&t->text, ft.label, &c->tmp[id].label, &c->hash[id]) ||
		    add_text(&t->text, ft.file, &c->tmp[id].file, &c->hash[id]))
			goto cleanup;
		c->tmp[id].line = ft.line;
		c->tmp[id].cls = ft.cls;
		ids[(*n)++] = id;
	}
	err = 0;
cleanup:
	free(used);
	return err;
}

static int cmp_hash(const struct sort_ctx *c, __u32 x, __u32 y)
{
	return (c->hash[x] > c->hash[y]) - (c->hash[x] < c->hash[y]);
}

static int cmp_line(const struct sort_ctx *c, __u32 x, __u32 y)
{
	return (c->tmp[x].line > c->tmp[y].line) - (c->tmp[x].line < c->tmp[y].line);
}

/* (label, file) of two frames: by hash, then as strcmp orders them. */
static int cmp_function(const struct sort_ctx *c, __u32 x, __u32 y)
{
	const struct frame_entry *a = &c->tmp[x], *b = &c->tmp[y];
	int d = cmp_hash(c, x, y);

	if (!d)
		d = strcmp(c->text + a->label, c->text + b->label);
	return d ? d : strcmp(c->text + a->file, c->text + b->file);
}

/* The order of the entries: (label, file) as cmp_function has it, then line. */
static int cmp_frames(const void *x, const void *y, void *ctx)
{
	__u32 i = *(const __u32 *)x, j = *(const __u32 *)y;
	int d = cmp_function(ctx, i, j);

	return d ? d : cmp_line(ctx, i, j);
}

/* The same order if no two texts share a hash: (hash, line), no string read. */
static int cmp_fast(const void *x, const void *y, void *ctx)
{
	__u32 i = *(const __u32 *)x, j = *(const __u32 *)y;
	int d = cmp_hash(ctx, i, j);

	return d ? d : cmp_line(ctx, i, j);
}

/*
 * Sort the ids by (hash, line), then check that each run of one hash is one text: if two
 * texts share a hash (one chance in 2^64 / n^2), sort again reading the strings.
 */
static void sort_frames(const struct sort_ctx *c, __u32 *ids, __u32 n)
{
	__u32 i;

	qsort_r(ids, n, sizeof(*ids), cmp_fast, (void *)c);
	for (i = 1; i < n; i++)
		if (!cmp_hash(c, ids[i - 1], ids[i]) && cmp_function(c, ids[i - 1], ids[i]))
			break;
	if (i < n)
		qsort_r(ids, n, sizeof(*ids), cmp_frames, (void *)c);
}

/* The sorted ids -> entries: one per run of equal (label, file, line). */
static void make_entries(struct frame_table *t, const struct sort_ctx *c, const __u32 *ids, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++) {
		int same = i && !cmp_frames(&ids[i - 1], &ids[i], (void *)c);

		if (!same) {
			int same_func = i && !cmp_function(c, ids[i - 1], ids[i]);

			t->entries[t->n] = c->tmp[ids[i]];
			t->entries[t->n].func = same_func ? t->nfuncs - 1 : t->nfuncs++;
			t->n++;
		}
		t->index[ids[i]] = t->n - 1;
	}
}

int frame_table_build(struct frame_table *t, const struct aggregate *a, int threads)
{
	size_t cap = a->nframes ? a->nframes : 1;
	struct sort_ctx c = {.tmp = calloc(cap, sizeof(*c.tmp)),
			     .hash = calloc(cap, sizeof(*c.hash))};
	__u32 *ids = calloc(cap, sizeof(*ids)), i, n;
	int err = -ENOMEM;

	memset(t, 0, sizeof(*t));
	t->index = malloc(cap * sizeof(*t->index));
	t->entries = calloc(cap, sizeof(*t->entries));
	if (!c.tmp || !c.hash || !ids || !t->index || !t->entries || sbuf_reserve(&t->text, 0))
		goto cleanup;
	for (i = 0; i < a->nframes; i++)
		t->index[i] = FRAME_TABLE_NONE;
	if (render_frames(t, a, threads, &c, ids, &n))
		goto cleanup;
	c.text = t->text.s;
	sort_frames(&c, ids, n);
	make_entries(t, &c, ids, n);
	err = 0;
cleanup:
	free(c.tmp);
	free(c.hash);
	free(ids);
	if (err)
		frame_table_free(t);
	return err;
}

void frame_table_free(struct frame_table *t)
{
	sbuf_free(&t->text);
	free(t->index);
	free(t->entries);
	memset(t, 0, sizeof(*t));
}
