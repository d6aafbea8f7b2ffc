/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * methods.h - the profile by method, for the summary and --top: a method's self samples (the
 * stacks it is the innermost frame of) and total samples (the stacks it is anywhere on,
 * counted once per stack). A method is its label and file ("Foo#bar (/app/foo.rb)", lines
 * merged), a C method its label; optionally one row per process.
 */
#ifndef RBPROF_METHODS_H
#define RBPROF_METHODS_H

#include "aggregate/aggregate.h"

struct method {
	const char *name; /* escaped as the folded output escapes a label; the table's */
	__u32 proc_id;	  /* per_proc: its process; else the first process seen */
	__u64 self, total;
	__u64 last_stack; /* the stack that counted it last, + 1: once per stack */
};

struct method_table {
	/* every frame id's name, kept from one build to the next: frame ids only grow */
	char **names;
	__u32 nnames;
	__u32 *group; /* frame id -> the first frame id of its name */
	struct method *m;
	__u32 n, cap;
	__u64 samples; /* every stack's count, whether or not it has a method */
};

/*
 * (Re)build t from a: `skip_root` frames at the root of every stack are not methods (the
 * thread's, with --threads); `per_proc`: one row per (process, method). 0 or -ENOMEM.
 */
int methods_build(struct method_table *t, const struct aggregate *a, __u32 skip_root, int per_proc);

/* Sort t->m, hottest first, by self (by_self) or total samples, then by name. */
void methods_sort(struct method_table *t, int by_self);

void methods_free(struct method_table *t);

#endif /* RBPROF_METHODS_H */
