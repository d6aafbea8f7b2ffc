// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* frame_table.c - the distinct frames of a profile, by one sort of the frame ids. */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/frame_table.h"

/* Append s cleaned and its NUL; *off: where it starts. 0 or -ENOMEM. */
static int add_text(struct sbuf *b, const char *s, size_t *off)
{
	*off = b->len;
	if (sbuf_add_clean(b, s ? s : ""))
		return -ENOMEM;
	return sbuf_addn(b, "", 1);
}

/* Mark in used[] the frames some stack has: the others (specials never seen) get no entry. */
static void mark_used(const struct aggregate *a, unsigned char *used)
{
	__u32 i, j;

	for (i = 0; i < a->nstacks; i++)
		for (j = 0; j < a->stacks[i].n; j++)
			used[a->pool[a->stacks[i].off + j]] = 1;
}

/* The text of every frame id that gets an entry, into tmp[id]; *n: how many, their ids in ids. */
static int render_frames(struct frame_table *t, const struct aggregate *a, int threads,
			 struct frame_entry *tmp, __u32 *ids, __u32 *n)
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
		if (add_text(&t->text, ft.label, &tmp[id].label) ||
		    add_text(&t->text, ft.file, &tmp[id].file))
			goto cleanup;
		tmp[id].line = ft.line;
		tmp[id].cls = ft.cls;
		ids[(*n)++] = id;
	}
	err = 0;
cleanup:
	free(used);
	return err;
}

struct sort_ctx {
	const char *text;
	const struct frame_entry *tmp;
};

/* (label, file) of two frames, as strcmp orders them. */
static int cmp_function(const struct sort_ctx *c, __u32 x, __u32 y)
{
	const struct frame_entry *a = &c->tmp[x], *b = &c->tmp[y];
	int d = strcmp(c->text + a->label, c->text + b->label);

	return d ? d : strcmp(c->text + a->file, c->text + b->file);
}

static int cmp_frames(const void *x, const void *y, void *ctx)
{
	const struct sort_ctx *c = ctx;
	__u32 i = *(const __u32 *)x, j = *(const __u32 *)y;
	int d = cmp_function(c, i, j);

	if (d)
		return d;
	return (c->tmp[i].line > c->tmp[j].line) - (c->tmp[i].line < c->tmp[j].line);
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
	struct frame_entry *tmp = calloc(cap, sizeof(*tmp));
	__u32 *ids = calloc(cap, sizeof(*ids)), i, n;
	struct sort_ctx c;
	int err = -ENOMEM;

	memset(t, 0, sizeof(*t));
	t->index = malloc(cap * sizeof(*t->index));
	t->entries = calloc(cap, sizeof(*t->entries));
	if (!tmp || !ids || !t->index || !t->entries || sbuf_reserve(&t->text, 0))
		goto cleanup;
	for (i = 0; i < a->nframes; i++)
		t->index[i] = FRAME_TABLE_NONE;
	if (render_frames(t, a, threads, tmp, ids, &n))
		goto cleanup;
	c.text = t->text.s;
	c.tmp = tmp;
	qsort_r(ids, n, sizeof(*ids), cmp_frames, &c);
	make_entries(t, &c, ids, n);
	err = 0;
cleanup:
	free(tmp);
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
