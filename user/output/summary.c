// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* summary.c - the top methods by self and by total share, at the end of a profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/msg.h"
#include "output/folded.h"
#include "output/summary.h"

struct method {
	char *name; /* escaped as the folded output escapes a label */
	__u64 self, total;
	__u64 last_stack; /* the stack that counted it last, + 1: once per stack */
};

struct table {
	struct method *m;
	__u32 n;
	__u32 *of_frame; /* frame id -> method index */
};

/* Frame f's method name, escaped, malloc'ed; NULL on ENOMEM. */
static char *method_name(const struct frame_rec *f)
{
	char label[2 * RUBY_STR_MAX], raw[4 * RUBY_STR_MAX + 8], *out;
	size_t need;

	if (f->kind != FRAME_RUBY)
		snprintf(raw, sizeof(raw), "%s", folded_special(f->kind));
	else if (!f->info->path)
		snprintf(raw, sizeof(raw), "%s", f->info->label);
	else
		snprintf(raw, sizeof(raw), "%s (%s)",
			 iseq_info_display(f->info, f->variant, label, sizeof(label)),
			 f->info->path);
	need = folded_escape(NULL, 0, raw) + 1;
	if ((out = malloc(need)))
		folded_escape(out, need, raw);
	return out;
}

static const struct table *sort_table;

static int by_name(const void *x, const void *y)
{
	return strcmp(sort_table->m[*(const __u32 *)x].name, sort_table->m[*(const __u32 *)y].name);
}

/* One method per distinct name: frames of one method at other lines share it. */
static int table_build(struct table *t, const struct aggregate *a)
{
	__u32 *order, i;

	t->m = calloc(a->nframes ? a->nframes : 1, sizeof(*t->m));
	t->of_frame = calloc(a->nframes ? a->nframes : 1, sizeof(*t->of_frame));
	order = calloc(a->nframes ? a->nframes : 1, sizeof(*order));
	if (!t->m || !t->of_frame || !order)
		goto fail;
	for (i = 0; i < a->nframes; i++) {
		if (!(t->m[i].name = method_name(&a->frames[i])))
			goto fail;
		order[i] = i;
	}
	t->n = a->nframes;
	sort_table = t;
	qsort(order, t->n, sizeof(*order), by_name);
	/* frame order[i] -> the first frame of its name, which keeps the counts */
	for (i = 0; i < t->n; i++) {
		if (i && !strcmp(t->m[order[i]].name, t->m[order[i - 1]].name))
			t->of_frame[order[i]] = t->of_frame[order[i - 1]];
		else
			t->of_frame[order[i]] = order[i];
	}
	free(order);
	return 0;
fail:
	free(order);
	return -ENOMEM;
}

static void table_free(struct table *t)
{
	__u32 i;

	for (i = 0; t->m && i < t->n; i++)
		free(t->m[i].name);
	free(t->m);
	free(t->of_frame);
}

static const struct method *sort_methods;
static int sort_by_self;

static int by_share(const void *x, const void *y)
{
	const struct method *a = &sort_methods[*(const __u32 *)x],
			    *b = &sort_methods[*(const __u32 *)y];
	__u64 va = sort_by_self ? a->self : a->total, vb = sort_by_self ? b->self : b->total;

	return va < vb ? 1 : va > vb ? -1 : strcmp(a->name, b->name);
}

static void print_top(const struct table *t, const __u32 *methods, __u32 n, __u64 samples, int self)
{
	__u32 i;

	sort_methods = t->m;
	sort_by_self = self;
	qsort((void *)methods, n, sizeof(*methods), by_share);
	msg("top methods by %s share (%% self, %% total, method):", self ? "self" : "total");
	for (i = 0; i < n && i < SUMMARY_TOP; i++) {
		const struct method *m = &t->m[methods[i]];

		if (!(self ? m->self : m->total))
			break;
		msg("  %5.1f%% %5.1f%%  %s", 100.0 * (double)m->self / (double)samples,
		    100.0 * (double)m->total / (double)samples, m->name);
	}
}

int summary_write(const struct aggregate *a, __u32 skip_root)
{
	struct table t = {0};
	__u64 samples = 0;
	__u32 *methods = NULL, n = 0, s, i;
	int err = -ENOMEM;

	if (table_build(&t, a))
		goto cleanup;
	for (s = 0; s < a->nstacks; s++) {
		const struct stack_rec *st = &a->stacks[s];
		const __u32 *ids = a->pool + st->off;

		samples += st->count;
		if (st->n <= skip_root)
			continue;
		t.m[t.of_frame[ids[st->n - 1]]].self += st->count;
		for (i = skip_root; i < st->n; i++) {
			struct method *m = &t.m[t.of_frame[ids[i]]];

			if (m->last_stack != (__u64)s + 1) {
				m->last_stack = (__u64)s + 1;
				m->total += st->count;
			}
		}
	}
	err = 0;
	if (!samples)
		goto cleanup;
	if (!(methods = calloc(t.n ? t.n : 1, sizeof(*methods)))) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < t.n; i++)
		if (t.of_frame[i] == i)
			methods[n++] = i;
	print_top(&t, methods, n, samples, 1);
	print_top(&t, methods, n, samples, 0);
cleanup:
	free(methods);
	table_free(&t);
	return err;
}
