// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* methods.c - self and total samples by method. */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/hashmap.h"
#include "output/folded.h"
#include "output/frame_text.h"
#include "output/methods.h"

/* Frame f's method name, escaped, malloc'ed; NULL on ENOMEM. */
static char *method_name(const struct frame_rec *f)
{
	char raw[FRAME_LABEL_MAX + 4 * RUBY_STR_MAX + 8], *out;
	struct frame_text t;
	size_t need;

	frame_text(f, &t);
	if (t.file)
		snprintf(raw, sizeof(raw), "%s (%s)", t.label, t.file);
	else
		snprintf(raw, sizeof(raw), "%s", t.label);
	need = folded_escape(NULL, 0, raw) + 1;
	if ((out = malloc(need)))
		folded_escape(out, need, raw);
	return out;
}

static int by_name(const void *x, const void *y, void *ctx)
{
	char *const *names = ctx;

	return strcmp(names[*(const __u32 *)x], names[*(const __u32 *)y]);
}

/* Name the frames added since the last build and group every frame id by name. */
static int name_frames(struct method_table *t, const struct aggregate *a)
{
	char **names = realloc(t->names, (a->nframes ? a->nframes : 1) * sizeof(*names));
	__u32 *group = realloc(t->group, (a->nframes ? a->nframes : 1) * sizeof(*group));
	__u32 *order = calloc(a->nframes ? a->nframes : 1, sizeof(*order)), i;

	if (names)
		t->names = names;
	if (group)
		t->group = group;
	if (!names || !group || !order)
		goto fail;
	for (; t->nnames < a->nframes; t->nnames++)
		if (!(t->names[t->nnames] = method_name(&a->frames[t->nnames])))
			goto fail;
	for (i = 0; i < a->nframes; i++)
		order[i] = i;
	qsort_r(order, a->nframes, sizeof(*order), by_name, t->names);
	for (i = 0; i < a->nframes; i++)
		t->group[order[i]] = i && !strcmp(t->names[order[i]], t->names[order[i - 1]])
					 ? t->group[order[i - 1]]
					 : order[i];
	free(order);
	return 0;
fail:
	free(order);
	return -ENOMEM;
}

/* The row of (proc_id, group): found in `rows` or added. NULL on ENOMEM. */
static struct method *row_of(struct method_table *t, struct hashmap *rows, __u32 proc_id,
			     __u32 group, int per_proc)
{
	__u64 *v = hashmap_get(rows, per_proc ? proc_id : 0, group);
	struct method *m;

	if (v)
		return &t->m[*v];
	if (t->n == t->cap) {
		__u32 cap = t->cap ? t->cap * 2 : 256;

		if (!(m = realloc(t->m, cap * sizeof(*m))))
			return NULL;
		t->m = m;
		t->cap = cap;
	}
	if (hashmap_put(rows, per_proc ? proc_id : 0, group, t->n))
		return NULL;
	m = &t->m[t->n++];
	*m = (struct method){.name = t->names[group], .proc_id = proc_id};
	return m;
}

int methods_build(struct method_table *t, const struct aggregate *a, __u32 skip_root, int per_proc)
{
	struct hashmap rows = {0};
	__u32 s, i;
	int err = -ENOMEM;

	t->n = 0;
	t->samples = 0;
	if (name_frames(t, a))
		goto cleanup;
	for (s = 0; s < a->nstacks; s++) {
		const struct stack_rec *st = &a->stacks[s];
		const __u32 *ids = a->pool + st->off;

		t->samples += st->count;
		for (i = skip_root; i < st->n; i++) {
			struct method *m =
			    row_of(t, &rows, st->proc_id, t->group[ids[i]], per_proc);

			if (!m)
				goto cleanup;
			if (m->last_stack != (__u64)s + 1) {
				m->last_stack = (__u64)s + 1;
				m->total += st->count;
			}
			if (i == st->n - 1)
				m->self += st->count;
		}
	}
	err = 0;
cleanup:
	hashmap_free(&rows);
	return err;
}

static int by_share(const void *x, const void *y, void *ctx)
{
	const struct method *a = x, *b = y;
	int by_self = *(const int *)ctx;
	__u64 va = by_self ? a->self : a->total, vb = by_self ? b->self : b->total;
	int c;

	if (va != vb)
		return va < vb ? 1 : -1;
	c = strcmp(a->name, b->name);
	return c ? c : (a->proc_id > b->proc_id) - (a->proc_id < b->proc_id);
}

void methods_sort(struct method_table *t, int by_self)
{
	qsort_r(t->m, t->n, sizeof(*t->m), by_share, &by_self);
}

void methods_free(struct method_table *t)
{
	__u32 i;

	for (i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	free(t->group);
	free(t->m);
	memset(t, 0, sizeof(*t));
}
