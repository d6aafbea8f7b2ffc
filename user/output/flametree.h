/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * flametree.h - the merged tree of a flame graph, walked without being built. Every text
 * (a frame's, a process's, the root's) gets a rank once, by strcmp; the stacks are sorted by
 * their rank sequences, so that each node of the tree is one run of consecutive stacks: its
 * left edge is the samples before the run, its width the samples in it. The walk hands out
 * the nodes children first, each with its depth (0: the root "all", 1: a process, then the
 * thread with --threads, then the frames root first); siblings too narrow to draw are folded
 * into one box, or dropped with their descendants.
 */
#ifndef RBPROF_FLAMETREE_H
#define RBPROF_FLAMETREE_H

#include "output/frame_text.h"
#include "output/writer.h"

/* A symbol's text, as every flame graph box shows it: cleaned (sbuf_add_clean), unescaped. */
struct flame_sym {
	char *text;	  /* label, and " (file:line)" for a Ruby frame */
	size_t label_len; /* the label's bytes at the start of text: what colours hash */
	enum frame_class cls;
};

/* A box to draw: a node of the merged tree, or a run of narrow siblings folded into one. */
struct flame_box {
	__u32 depth;
	__u32 sym;    /* its text, in flametree.syms; unset when folded */
	__u32 folded; /* 0: a node; N > 1: N adjacent siblings, each too narrow, in one box */
	__u64 x;      /* the samples left of it */
	__u64 value;  /* the samples in it */
};

struct flametree {
	const struct profile *p;
	/* frame ids, then proc ids (from proc_base), then the root (root_sym) */
	struct flame_sym *syms;
	__u32 nsyms, proc_base, root_sym;
	__u32 *rank;	  /* by symbol: equal texts, equal ranks */
	__u32 *order;	  /* stack indexes, sorted by their rank sequences */
	__u32 max_len;	  /* the longest rank sequence: process, frames */
	__u64 total;	  /* the profile's samples */
	double min_value; /* a box narrower than this many samples is not drawn */
};

/*
 * Rank the texts of p and sort its stacks; a box narrower than min_share of all samples will
 * not be drawn. 0, -ENOMEM, or -EINVAL for a stack of a process p does not list.
 */
int flametree_init(struct flametree *t, const struct profile *p, double min_share);
void flametree_free(struct flametree *t);

/*
 * Raise the narrowest box drawn until no more than max_boxes are: the widest are kept (a box is
 * never narrower than its children, so what is left is still a tree). 0, or -ENOMEM.
 */
int flametree_limit(struct flametree *t, __u64 max_boxes);

/* Called with each box, children before their parent. 0 to go on, or -errno to stop. */
typedef int (*flame_box_fn)(void *ctx, const struct flame_box *b);

/* Every box to draw, the root last. 0, -ENOMEM, or what fn returned. */
int flametree_walk(const struct flametree *t, flame_box_fn fn, void *ctx);

#endif /* RBPROF_FLAMETREE_H */
