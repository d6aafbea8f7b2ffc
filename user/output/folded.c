// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* folded.c - escaping and writing of folded stacks. */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "output/folded.h"
#include "output/frame_text.h"
#include "output/writer.h"

size_t folded_escape(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0;
	char esc[5];

	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		const char *piece = esc;
		size_t plen, i;

		if (c == '\\') {
			piece = "\\\\";
			plen = 2;
		} else if (c == ';' || c < 0x20 || c == 0x7f) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			plen = 4;
		} else {
			esc[0] = (char)c;
			plen = 1;
		}
		for (i = 0; i < plen; i++, len++)
			if (len + 1 < cap)
				dst[len] = piece[i];
	}
	if (cap)
		dst[len < cap ? len : cap - 1] = 0;
	return len;
}

/* Append src, escaped or (for the separators this file writes itself) as it is. */
static int sbuf_add(struct sbuf *b, const char *src, int escape)
{
	size_t need = escape ? folded_escape(NULL, 0, src) : strlen(src);

	if (sbuf_reserve(b, need))
		return -ENOMEM;
	if (escape)
		folded_escape(b->s + b->len, b->cap - b->len, src);
	else
		memcpy(b->s + b->len, src, need + 1);
	b->len += need;
	return 0;
}

const char *folded_special(int kind)
{
	static const char *const special[] = {
	    [FRAME_CFUNC] = "[cfunc]",
	    [FRAME_UNKNOWN] = "[unknown]",
	    [FRAME_TRUNCATED] = "(truncated)",
	    [FRAME_GC] = "(garbage collection)",
	    [FRAME_GC_MARKING] = "(marking)",
	    [FRAME_GC_SWEEPING] = "(sweeping)",
	    [FRAME_GVL_WAIT] = "(GVL wait)",
	    [FRAME_RUNNABLE] = "(runnable)",
	    [FRAME_OVERFLOW] = "(more stacks than a profile keeps)",
	};

	return kind >= 0 && kind < FRAME_RUBY ? special[kind] : "?";
}

static int sbuf_add_frame(struct sbuf *b, const struct frame_rec *f)
{
	struct frame_text t;
	char line[32];
	int err;

	frame_text(f, &t);
	if (!t.file) /* a C method, a thread, a special frame: no file, no line */
		return sbuf_add(b, t.label, 1);
	snprintf(line, sizeof(line), ":%d)", t.line);
	if ((err = sbuf_add(b, t.label, 1)) || (err = sbuf_add(b, " (", 0)) ||
	    (err = sbuf_add(b, t.file, 1)) || (err = sbuf_add(b, line, 0)))
		return err;
	return 0;
}

/*
 * The output's pieces, rendered once: the text of each interned frame and each process's
 * root. Lines are compared and written from these, never rendered whole: a profile of deep
 * stacks would otherwise hold all of its output in memory at exit (1000 frames of ~80 bytes a
 * line, times every distinct stack: tens of MiB).
 */
struct pieces {
	const struct aggregate *a;
	char **frame;	  /* by frame id */
	__u32 *frame_len; /* its length: lines are written with fwrite, no strlen */
	char **root;	  /* by proc id */
	__u32 nroots;
};

/* A position in a line's text: root, then ";" and a frame's text for each frame. */
struct cursor {
	const struct pieces *p;
	const struct stack_rec *s;
	const char *c; /* in the current piece */
	__u32 next;    /* the frame whose piece comes next */
};

static void cursor_at(struct cursor *k, const struct pieces *p, const struct stack_rec *s,
		      const char *c, __u32 next)
{
	k->p = p;
	k->s = s;
	k->c = c;
	k->next = next;
}

/* The next byte of the line, as strcmp sees it (unsigned), or -1 at its end. */
static int cursor_next(struct cursor *k)
{
	if (!*k->c) {
		if (k->next >= k->s->n)
			return -1;
		k->c = k->p->frame[k->p->a->pool[k->s->off + k->next++]];
		return ';';
	}
	return (unsigned char)*k->c++;
}

/* strcmp() of two stacks' lines, without the lines: a shared prefix of frames is skipped. */
static int cmp_stacks(const void *x, const void *y, void *ctx)
{
	const struct pieces *p = ctx;
	const struct stack_rec *s = &p->a->stacks[*(const __u32 *)x];
	const struct stack_rec *t = &p->a->stacks[*(const __u32 *)y];
	struct cursor a, b;
	__u32 i = 0;
	int ca, cb;

	if (s->proc_id == t->proc_id) {
		while (i < s->n && i < t->n && p->a->pool[s->off + i] == p->a->pool[t->off + i])
			i++;
		cursor_at(&a, p, s, "", i);
		cursor_at(&b, p, t, "", i);
	} else {
		cursor_at(&a, p, s, p->root[s->proc_id], 0);
		cursor_at(&b, p, t, p->root[t->proc_id], 0);
	}
	do {
		ca = cursor_next(&a);
		cb = cursor_next(&b);
	} while (ca == cb && ca >= 0);
	return ca - cb;
}

static void pieces_free(struct pieces *p)
{
	__u32 i;

	for (i = 0; p->frame && i < p->a->nframes; i++)
		free(p->frame[i]);
	for (i = 0; p->root && i < p->nroots; i++)
		free(p->root[i]);
	free(p->frame);
	free(p->frame_len);
	free(p->root);
}

static int pieces_init(struct pieces *p, const struct aggregate *a, folded_proc_name_fn proc_name,
		       void *ctx)
{
	char name[128];
	__u32 i;

	memset(p, 0, sizeof(*p));
	p->a = a;
	for (i = 0; i < a->nstacks; i++)
		if (a->stacks[i].proc_id >= p->nroots)
			p->nroots = a->stacks[i].proc_id + 1;
	p->frame = calloc(a->nframes ? a->nframes : 1, sizeof(*p->frame));
	p->frame_len = calloc(a->nframes ? a->nframes : 1, sizeof(*p->frame_len));
	p->root = calloc(p->nroots ? p->nroots : 1, sizeof(*p->root));
	if (!p->frame || !p->frame_len || !p->root)
		return -ENOMEM;
	for (i = 0; i < a->nframes; i++) {
		struct sbuf b = {0};

		if (sbuf_add(&b, "", 0) || sbuf_add_frame(&b, &a->frames[i])) {
			free(b.s);
			return -ENOMEM;
		}
		p->frame[i] = b.s;
		p->frame_len[i] = (__u32)b.len;
	}
	for (i = 0; i < a->nstacks; i++) {
		__u32 id = a->stacks[i].proc_id;
		struct sbuf b = {0};

		if (p->root[id])
			continue;
		proc_name(ctx, id, name, sizeof(name));
		if (sbuf_add(&b, name, 1))
			return -ENOMEM;
		p->root[id] = b.s;
	}
	return 0;
}

/* One line; the caller checks the stream's error flag (unlocked: one thread writes). */
static void write_line(FILE *out, const struct pieces *p, const struct stack_rec *s, __u64 count)
{
	__u32 i;

	fputs_unlocked(p->root[s->proc_id], out);
	for (i = 0; i < s->n; i++) {
		__u32 id = p->a->pool[s->off + i];

		putc_unlocked(';', out);
		fwrite_unlocked(p->frame[id], 1, p->frame_len[id], out);
	}
	fprintf(out, " %llu\n", (unsigned long long)count);
}

int folded_write(FILE *out, const struct aggregate *a, folded_proc_name_fn proc_name, void *ctx)
{
	__u32 *order = calloc(a->nstacks ? a->nstacks : 1, sizeof(*order));
	struct pieces p;
	__u32 i;
	int err;

	err = pieces_init(&p, a, proc_name, ctx);
	if (err || !order) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < a->nstacks; i++)
		order[i] = i;
	qsort_r(order, a->nstacks, sizeof(*order), cmp_stacks, &p);
	for (i = 0; i < a->nstacks; i++) {
		__u64 count = a->stacks[order[i]].count;

		/* Two process instances with the same pid and comm: one line. */
		while (i + 1 < a->nstacks && !cmp_stacks(&order[i], &order[i + 1], &p))
			count += a->stacks[order[++i]].count;
		write_line(out, &p, &a->stacks[order[i]], count);
		if (ferror_unlocked(out)) {
			err = -EIO;
			goto cleanup;
		}
	}
	if (fflush(out))
		err = -errno;
cleanup:
	pieces_free(&p);
	free(order);
	return err;
}

static void profile_proc_name(void *ctx, __u32 id, char *buf, size_t cap)
{
	const struct profile *p = ctx;

	profile_proc_label(&p->procs[id], buf, cap);
}

static int write_profile(FILE *out, const struct profile *p)
{
	return folded_write(out, p->agg, profile_proc_name, (void *)p);
}

const struct writer folded_writer = {.name = "folded", .write = write_profile};
