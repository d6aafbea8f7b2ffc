/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * frame_table.h - the distinct frames of a profile by their text, for the formats that list
 * frames once and refer to them by index (speedscope's shared frames, pprof's locations and
 * functions). Interned frames that read alike (one method seen under two iseqs, labels that
 * clean to the same text) become one entry: the frame ids are sorted by (label, file, line)
 * once, never rendered per stack.
 */
#ifndef RBPROF_FRAME_TABLE_H
#define RBPROF_FRAME_TABLE_H

#include "aggregate/aggregate.h"
#include "output/frame_text.h"

/* A frame id with no entry: a frame no stack has, or a thread frame of a table without them. */
#define FRAME_TABLE_NONE 0xffffffffU

/* One distinct frame, its text cleaned (sbuf_add_clean): valid UTF-8, no control bytes. */
struct frame_entry {
	size_t label; /* offsets in frame_table.text */
	size_t file;  /* "" if none (a C method, a special frame, a thread) */
	int line;     /* 0: none */
	enum frame_class cls;
	__u32 func; /* its distinct (label, file): entries of one function are adjacent */
};

struct frame_table {
	struct sbuf text;	     /* every label and file, each NUL-terminated */
	__u32 *index;		     /* by frame id: its entry, or FRAME_TABLE_NONE */
	struct frame_entry *entries; /* by (label, file) (by their hash), then line */
	__u32 n, nfuncs;
};

/*
 * The table of a's frames; with `threads` the thread frames have entries too. 0 or -ENOMEM
 * (the table is then empty, safe to free).
 */
int frame_table_build(struct frame_table *t, const struct aggregate *a, int threads);
void frame_table_free(struct frame_table *t);

static inline const char *frame_table_label(const struct frame_table *t, __u32 entry)
{
	return t->text.s + t->entries[entry].label;
}

/* Its file, or NULL if it has none. */
static inline const char *frame_table_file(const struct frame_table *t, __u32 entry)
{
	const char *file = t->text.s + t->entries[entry].file;

	return *file ? file : NULL;
}

/*
 * Whether stack s starts with its thread's frame (profile.thread_roots), which a writer
 * shows otherwise than as a frame, or not at all.
 */
static inline int stack_has_thread(const struct aggregate *a, const struct stack_rec *s)
{
	return s->n && a->frames[a->pool[s->off]].kind == FRAME_THREAD;
}

#endif /* RBPROF_FRAME_TABLE_H */
