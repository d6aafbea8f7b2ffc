// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flametree.c - the flame graph's merged tree: texts ranked, stacks sorted, boxes walked. */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/flametree.h"

/* A stack as the tree sees it: its process, then its frames (the thread's left out or not). */
struct seq {
	__u32 proc_sym;
	const __u32 *frames;
	__u32 n;
};

static void seq_of(const struct flametree *t, const struct stack_rec *s, struct seq *q)
{
	const struct aggregate *a = t->p->agg;
	/* the thread frame at the root is merged away unless it is to be shown */
	__u32 skip = t->p->thread_roots && !t->p->thread_frames && s->n &&
		     a->frames[a->pool[s->off]].kind == FRAME_THREAD;

	q->proc_sym = t->proc_base + s->proc_id;
	q->frames = a->pool + s->off + skip;
	q->n = s->n - skip;
}

/* The symbol at depth d (1: the process) of q. */
static __u32 seq_sym(const struct seq *q, __u32 d)
{
	return d == 1 ? q->proc_sym : q->frames[d - 2];
}

/* Own the text in b, its memory cut to its length (texts stay while the profile is written). */
static void sym_take(struct flame_sym *s, struct sbuf *b)
{
	char *shrunk = realloc(b->s, b->len + 1);

	s->text = shrunk ? shrunk : b->s;
	memset(b, 0, sizeof(*b));
}

static int sym_of_frame(struct flame_sym *s, const struct frame_rec *f)
{
	struct frame_text t;
	struct sbuf b = {0};
	int err;

	frame_text(f, &t);
	s->cls = t.cls;
	if ((err = sbuf_adds(&b, "")) || (err = sbuf_add_clean(&b, t.label)))
		goto cleanup;
	s->label_len = b.len;
	if (t.file && ((err = sbuf_adds(&b, " (")) || (err = sbuf_add_clean(&b, t.file)) ||
		       (err = sbuf_addf(&b, ":%d)", t.line))))
		goto cleanup;
	sym_take(s, &b);
cleanup:
	sbuf_free(&b);
	return err;
}

static int sym_of_proc(struct flame_sym *s, const struct profile_proc *proc)
{
	char label[PROFILE_PROC_LABEL_MAX];
	struct sbuf b = {0};
	int err;

	s->cls = CLASS_PROCESS;
	profile_proc_label(proc, label, sizeof(label));
	if ((err = sbuf_adds(&b, "")) || (err = sbuf_add_clean(&b, label)))
		goto cleanup;
	s->label_len = b.len;
	sym_take(s, &b);
cleanup:
	sbuf_free(&b);
	return err;
}

static int syms_init(struct flametree *t)
{
	const struct aggregate *a = t->p->agg;
	__u32 i;
	int err = 0;

	t->syms = calloc(t->nsyms, sizeof(*t->syms));
	if (!t->syms)
		return -ENOMEM;
	for (i = 0; i < a->nframes && !err; i++)
		err = sym_of_frame(&t->syms[i], &a->frames[i]);
	for (i = 0; i < t->p->nprocs && !err; i++)
		err = sym_of_proc(&t->syms[t->proc_base + i], &t->p->procs[i]);
	if (err)
		return err;
	t->syms[t->root_sym].cls = CLASS_OTHER;
	t->syms[t->root_sym].text = strdup("all");
	t->syms[t->root_sym].label_len = 3; /* strlen("all") */
	return t->syms[t->root_sym].text ? 0 : -ENOMEM;
}

static int cmp_syms(const void *x, const void *y, void *ctx)
{
	const struct flametree *t = ctx;

	return strcmp(t->syms[*(const __u32 *)x].text, t->syms[*(const __u32 *)y].text);
}

/* Ranks by text, once: the stacks are then sorted by integers, not strings. */
static int ranks_init(struct flametree *t)
{
	__u32 *by_text = calloc(t->nsyms, sizeof(*by_text));
	__u32 i, rank = 0;

	t->rank = calloc(t->nsyms, sizeof(*t->rank));
	if (!by_text || !t->rank) {
		free(by_text);
		return -ENOMEM;
	}
	for (i = 0; i < t->nsyms; i++)
		by_text[i] = i;
	qsort_r(by_text, t->nsyms, sizeof(*by_text), cmp_syms, t);
	for (i = 0; i < t->nsyms; i++) {
		if (i && cmp_syms(&by_text[i - 1], &by_text[i], t))
			rank++;
		t->rank[by_text[i]] = rank;
	}
	free(by_text);
	return 0;
}

/* Two stacks by their rank sequences; a sequence before any it is a prefix of. */
static int cmp_stacks(const void *x, const void *y, void *ctx)
{
	const struct flametree *t = ctx;
	const struct stack_rec *stacks = t->p->agg->stacks;
	struct seq a, b;
	__u32 d;

	seq_of(t, &stacks[*(const __u32 *)x], &a);
	seq_of(t, &stacks[*(const __u32 *)y], &b);
	for (d = 1; d <= a.n + 1 && d <= b.n + 1; d++) {
		__u32 ra = t->rank[seq_sym(&a, d)], rb = t->rank[seq_sym(&b, d)];

		if (ra != rb)
			return ra < rb ? -1 : 1;
	}
	return a.n < b.n ? -1 : a.n > b.n;
}

static int order_init(struct flametree *t)
{
	const struct aggregate *a = t->p->agg;
	__u32 i;

	t->order = calloc(a->nstacks ? a->nstacks : 1, sizeof(*t->order));
	if (!t->order)
		return -ENOMEM;
	for (i = 0; i < a->nstacks; i++)
		t->order[i] = i;
	qsort_r(t->order, a->nstacks, sizeof(*t->order), cmp_stacks, t);
	return 0;
}

int flametree_init(struct flametree *t, const struct profile *p, double min_share)
{
	const struct aggregate *a = p->agg;
	struct seq q;
	__u32 i;
	int err;

	memset(t, 0, sizeof(*t));
	t->p = p;
	t->proc_base = a->nframes;
	t->root_sym = a->nframes + p->nprocs;
	t->nsyms = t->root_sym + 1;
	for (i = 0; i < a->nstacks; i++) {
		if (a->stacks[i].proc_id >= p->nprocs)
			return -EINVAL;
		seq_of(t, &a->stacks[i], &q);
		if (q.n + 1 > t->max_len)
			t->max_len = q.n + 1;
		t->total += a->stacks[i].count;
	}
	t->min_value = (double)t->total * min_share;
	if ((err = syms_init(t)) || (err = ranks_init(t)) || (err = order_init(t)))
		flametree_free(t);
	return err;
}

void flametree_free(struct flametree *t)
{
	__u32 i;

	for (i = 0; t->syms && i < t->nsyms; i++)
		free(t->syms[i].text);
	free(t->syms);
	free(t->rank);
	free(t->order);
	memset(t, 0, sizeof(*t));
}

/* A node of the tree whose stacks are still being walked. */
struct open_node {
	__u32 sym, rank;
	__u64 x;
	/* the narrow children closed last, adjacent, not yet drawn as one box or dropped */
	__u32 run_n;
	__u64 run_x, run_value;
};

struct walk {
	const struct flametree *t;
	struct open_node *path; /* [0] the root .. [open] the deepest node open */
	__u32 open;
	__u64 cursor; /* the samples of the stacks walked so far */
	flame_box_fn fn;
	void *ctx;
};

/* Draw the run of narrow children of path[d] as one box if it is wide enough, else drop it. */
static int flush_run(struct walk *w, __u32 d)
{
	struct open_node *n = &w->path[d];
	struct flame_box b = {
	    .depth = d + 1, .folded = n->run_n, .x = n->run_x, .value = n->run_value};

	n->run_n = 0;
	n->run_value = 0;
	if (b.folded < 2 || (double)b.value < w->t->min_value)
		return 0;
	return w->fn(w->ctx, &b);
}

/* Node path[d] has all its samples: draw it, or add it to its parent's run of narrow ones. */
static int close_node(struct walk *w, __u32 d)
{
	struct open_node *n = &w->path[d], *parent = d ? &w->path[d - 1] : NULL;
	struct flame_box b = {.depth = d, .sym = n->sym, .x = n->x, .value = w->cursor - n->x};
	int err;

	if ((err = flush_run(w, d)))
		return err;
	if (parent && (double)b.value < w->t->min_value) {
		if (!parent->run_n++)
			parent->run_x = b.x;
		parent->run_value += b.value;
		return 0;
	}
	if (parent && (err = flush_run(w, d - 1)))
		return err;
	return w->fn(w->ctx, &b);
}

/* Close the nodes the stack leaves, open those it enters, count its samples. */
static int walk_stack(struct walk *w, const struct stack_rec *s)
{
	const struct flametree *t = w->t;
	__u32 same = 0, d;
	struct seq q;
	int err;

	seq_of(t, s, &q);
	while (same < w->open && same < q.n + 1 &&
	       w->path[same + 1].rank == t->rank[seq_sym(&q, same + 1)])
		same++;
	for (; w->open > same; w->open--)
		if ((err = close_node(w, w->open)))
			return err;
	for (d = same + 1; d <= q.n + 1; d++) {
		__u32 sym = seq_sym(&q, d);

		w->path[d] = (struct open_node){.sym = sym, .rank = t->rank[sym], .x = w->cursor};
	}
	w->open = q.n + 1;
	w->cursor += s->count;
	return 0;
}

int flametree_walk(const struct flametree *t, flame_box_fn fn, void *ctx)
{
	const struct aggregate *a = t->p->agg;
	struct walk w = {.t = t, .fn = fn, .ctx = ctx};
	__u32 i;
	int err = 0;

	w.path = calloc(t->max_len + 1, sizeof(*w.path));
	if (!w.path)
		return -ENOMEM;
	w.path[0].sym = t->root_sym;
	for (i = 0; i < a->nstacks && !err; i++)
		err = walk_stack(&w, &a->stacks[t->order[i]]);
	for (; !err && w.open > 0; w.open--)
		err = close_node(&w, w.open);
	if (!err)
		err = close_node(&w, 0);
	free(w.path);
	return err;
}

/*
 * Box widths by bucket: 8 per doubling (steps of 1/8 of an octave, ~9%), each a node count.
 * A bucket's bound is exact in integers: (8 + frac) << (msb - 3).
 */
#define OCTAVE_STEPS 8
#define NBUCKETS     (64 * OCTAVE_STEPS)

struct histogram {
	__u64 boxes;
	__u64 nodes[NBUCKETS];
};

static __u32 bucket_of(__u64 v)
{
	__u32 msb = v ? 63 - (__u32)__builtin_clzll(v) : 0;

	if (msb < 3) /* 1..7 samples: one bucket per value */
		return (__u32)v;
	return msb * OCTAVE_STEPS + (__u32)((v >> (msb - 3)) & 7);
}

/* The least value in bucket b. */
static __u64 bucket_floor(__u32 b)
{
	__u32 msb = b / OCTAVE_STEPS;

	if (msb < 3) /* the buckets of 1..7, then none until 8's */
		return b < OCTAVE_STEPS ? b : OCTAVE_STEPS;
	return (__u64)(OCTAVE_STEPS + b % OCTAVE_STEPS) << (msb - 3);
}

static int count_box(void *ctx, const struct flame_box *b)
{
	struct histogram *h = ctx;

	h->boxes++;
	if (!b->folded)
		h->nodes[bucket_of(b->value)]++;
	return 0;
}

int flametree_limit(struct flametree *t, __u64 max_boxes)
{
	struct histogram *h = calloc(1, sizeof(*h));
	__u64 kept;
	int err, b, tries;

	if (!h)
		return -ENOMEM;
	/* each try keeps half the budget of nodes: the runs folded between them take the rest */
	for (tries = 0; tries < 8; tries++) { /* 8: a second try has always sufficed; a bound */
		memset(h, 0, sizeof(*h));
		if ((err = flametree_walk(t, count_box, h)) || h->boxes <= max_boxes)
			break;
		for (b = NBUCKETS - 1, kept = 0; b > 0 && kept + h->nodes[b] <= max_boxes / 2; b--)
			kept += h->nodes[b];
		if ((double)bucket_floor((__u32)b + 1) > t->min_value)
			t->min_value = (double)bucket_floor((__u32)b + 1);
		else
			t->min_value *= 2; /* no bucket left to drop: narrower by octaves */
	}
	free(h);
	return err;
}
