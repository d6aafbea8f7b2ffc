// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * speedscope.c - the speedscope writer (-f speedscope, -o FILE.json): speedscope's own file
 * format (https://www.speedscope.app/file-format-schema.json). Its frames are shared, one per
 * distinct (label, file, line); each process is a "sampled" profile of root-first stacks
 * (with -t each of its threads is), weighed in nanoseconds of CPU so that speedscope shows
 * CPU time (--wall: of the threads' wall-clock time). Written piece by piece: the file is never
 * held whole.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/frame_table.h"
#include "output/writer.h"

/* The schema the file follows: speedscope checks nothing, editors and validators do. */
#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"
/* Bytes gathered before a write: a few stdio buffers, so memory stays flat however deep. */
#define SPEEDSCOPE_CHUNK (64 * 1024)

struct speedscope {
	FILE *out;
	const struct profile *p;
	const struct aggregate *a;
	struct frame_table ft;
	__u32 *order;  /* stack indices, by (process, thread): one profile is one run */
	struct sbuf b; /* text not yet written */
	__u64 period;  /* ns of CPU a sample stands for */
};

/* Write what b holds once it is past a chunk (force: whatever it holds). 0 or -EIO. */
static int flush(struct speedscope *w, int force)
{
	if (!force && w->b.len < SPEEDSCOPE_CHUNK)
		return 0;
	if (w->b.len && fwrite(w->b.s, 1, w->b.len, w->out) != w->b.len)
		return -EIO;
	sbuf_reset(&w->b);
	return 0;
}

/* Decimal v; snprintf costs more than the rest of a sample. 0 or -ENOMEM. */
static int add_u64(struct sbuf *b, __u64 v)
{
	char digits[20]; /* 2^64 - 1 has 20 */
	int n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return sbuf_addn(b, digits + sizeof(digits) - n, (size_t)n);
}

/* A JSON string of the bytes s, cleaned and escaped. 0 or -ENOMEM. */
static int add_string(struct sbuf *b, const char *s)
{
	if (sbuf_adds(b, "\"") || sbuf_add_json(b, s) || sbuf_adds(b, "\""))
		return -ENOMEM;
	return 0;
}

/*
 * A JSON string of the frame table's text s, clean already: as it is unless it has a quote or
 * backslash to escape (the frames are most of the file: escaping them byte by byte is slow).
 */
static int add_clean_string(struct sbuf *b, const char *s)
{
	if (strpbrk(s, "\"\\"))
		return add_string(b, s);
	if (sbuf_adds(b, "\"") || sbuf_adds(b, s) || sbuf_adds(b, "\""))
		return -ENOMEM;
	return 0;
}

static int add_frame(struct sbuf *b, const struct frame_table *t, __u32 k)
{
	const char *file = frame_table_file(t, k);

	if (sbuf_adds(b, "{\"name\":") || add_clean_string(b, frame_table_label(t, k)))
		return -ENOMEM;
	if (file && (sbuf_adds(b, ",\"file\":") || add_clean_string(b, file) ||
		     sbuf_adds(b, ",\"line\":") || add_u64(b, (__u64)t->entries[k].line)))
		return -ENOMEM;
	return sbuf_adds(b, "}");
}

static int write_frames(struct speedscope *w)
{
	__u32 k;
	int err;

	if (sbuf_adds(&w->b, "\"shared\":{\"frames\":[\n"))
		return -ENOMEM;
	for (k = 0; k < w->ft.n; k++) {
		if ((k && sbuf_adds(&w->b, ",\n")) || add_frame(&w->b, &w->ft, k))
			return -ENOMEM;
		if ((err = flush(w, 0)))
			return err;
	}
	return sbuf_adds(&w->b, "]},\n");
}

/* The frame id of stack s's thread when threads are profiles (-t), else FRAME_TABLE_NONE. */
static __u32 thread_of(const struct speedscope *w, const struct stack_rec *s)
{
	return w->p->thread_frames && stack_has_thread(w->a, s) ? w->a->pool[s->off]
								: FRAME_TABLE_NONE;
}

/* Stacks i and j by the profile they belong to: process, then thread (-t). */
static int cmp_profile(const struct speedscope *w, __u32 i, __u32 j)
{
	const struct stack_rec *s = &w->a->stacks[i], *t = &w->a->stacks[j];
	__u32 ts = thread_of(w, s), tt = thread_of(w, t);

	if (s->proc_id != t->proc_id)
		return s->proc_id < t->proc_id ? -1 : 1;
	return (ts > tt) - (ts < tt);
}

static int cmp_stacks(const void *x, const void *y, void *ctx)
{
	__u32 i = *(const __u32 *)x, j = *(const __u32 *)y;
	int d = cmp_profile(ctx, i, j);

	return d ? d : (i > j) - (i < j); /* the aggregate's order within a profile */
}

/* "COMM [PID]", and " thread NAME [TID]" for a thread's own profile. */
static int add_profile_name(struct speedscope *w, const struct stack_rec *s)
{
	char label[PROFILE_PROC_LABEL_MAX];
	__u32 thread = thread_of(w, s);
	struct frame_text ft;

	profile_proc_label(&w->p->procs[s->proc_id], label, sizeof(label));
	if (sbuf_adds(&w->b, "\"name\":\"") || sbuf_add_json(&w->b, label))
		return -ENOMEM;
	if (thread != FRAME_TABLE_NONE) {
		frame_text(&w->a->frames[thread], &ft);
		if (sbuf_adds(&w->b, " ") || sbuf_add_json(&w->b, ft.label))
			return -ENOMEM;
	}
	return sbuf_adds(&w->b, "\"");
}

/* Stack s as a sample: its entries root first, its thread frame left out. */
static int add_sample(struct speedscope *w, const struct stack_rec *s)
{
	__u32 i, n = 0;

	if (sbuf_adds(&w->b, "["))
		return -ENOMEM;
	for (i = stack_has_thread(w->a, s) ? 1 : 0; i < s->n; i++) {
		__u32 k = w->ft.index[w->a->pool[s->off + i]];

		if (k == FRAME_TABLE_NONE)
			continue;
		if ((n++ && sbuf_adds(&w->b, ",")) || add_u64(&w->b, k))
			return -ENOMEM;
	}
	return sbuf_adds(&w->b, "]");
}

/* The samples, then the weights, of the stacks order[from .. to). */
static int add_samples(struct speedscope *w, __u32 from, __u32 to, int weights)
{
	__u32 i;
	int err;

	if (sbuf_adds(&w->b, weights ? ",\"weights\":[" : ",\"samples\":["))
		return -ENOMEM;
	for (i = from; i < to; i++) {
		const struct stack_rec *s = &w->a->stacks[w->order[i]];

		if (i > from && sbuf_adds(&w->b, ","))
			return -ENOMEM;
		err = weights ? add_u64(&w->b, s->count * w->period) : add_sample(w, s);
		if (err || (err = flush(w, 0)))
			return err;
	}
	return sbuf_adds(&w->b, "]");
}

/* One sampled profile: the stacks order[from .. to), of one process (or thread). */
static int write_one_profile(struct speedscope *w, __u32 from, __u32 to)
{
	const struct stack_rec *first = &w->a->stacks[w->order[from]];
	__u64 total = 0;
	__u32 i;
	int err;

	for (i = from; i < to; i++)
		total += w->a->stacks[w->order[i]].count * w->period;
	if (sbuf_adds(&w->b, from ? ",\n{" : "{") || sbuf_adds(&w->b, "\"type\":\"sampled\",") ||
	    add_profile_name(w, first) ||
	    sbuf_adds(&w->b, ",\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":") ||
	    add_u64(&w->b, total))
		return -ENOMEM;
	if ((err = add_samples(w, from, to, 0)) || (err = add_samples(w, from, to, 1)))
		return err;
	return sbuf_adds(&w->b, "}");
}

static int write_profiles(struct speedscope *w)
{
	__u32 i, j, n = w->a->nstacks;
	int err;

	for (i = 0; i < n; i++)
		w->order[i] = i;
	qsort_r(w->order, n, sizeof(*w->order), cmp_stacks, w);
	if (sbuf_adds(&w->b, "\"profiles\":[\n"))
		return -ENOMEM;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !cmp_profile(w, w->order[i], w->order[j]); j++)
			;
		if ((err = write_one_profile(w, i, j)))
			return err;
	}
	return sbuf_adds(&w->b, "]}\n");
}

/* The top level before the frames: what made it and what it is of. */
static int write_head(struct speedscope *w)
{
	const char *command = w->p->command ? w->p->command : "rbprof-bpf";
	struct sbuf name = {0};
	int err = 0;

	/* the name speedscope titles the page with: the command, and the rate it sampled at */
	if (sbuf_adds(&name, command) || (w->p->clock && sbuf_addf(&name, " (%s)", w->p->clock)) ||
	    sbuf_adds(&w->b, "{\"$schema\":\"" SPEEDSCOPE_SCHEMA "\",\n\"exporter\":\"rbprof-bpf\","
			     "\"name\":") ||
	    add_string(&w->b, name.s) || sbuf_adds(&w->b, ",\"activeProfileIndex\":0,\n"))
		err = -ENOMEM;
	sbuf_free(&name);
	return err;
}

static int write_profile(FILE *out, const struct profile *p)
{
	struct speedscope w = {.out = out, .p = p, .a = p->agg, .period = p->period_ns};
	int err;

	if (!w.period)
		return -EINVAL;
	w.order = calloc(p->agg->nstacks ? p->agg->nstacks : 1, sizeof(*w.order));
	err = frame_table_build(&w.ft, p->agg, 0);
	if (!w.order && !err)
		err = -ENOMEM;
	if (err || (err = write_head(&w)) || (err = write_frames(&w)) ||
	    (err = write_profiles(&w)) || (err = flush(&w, 1)))
		goto cleanup;
	if (fflush(out))
		err = -EIO;
cleanup:
	frame_table_free(&w.ft);
	free(w.order);
	sbuf_free(&w.b);
	return err;
}

const struct writer speedscope_writer = {.name = "speedscope", .write = write_profile};
