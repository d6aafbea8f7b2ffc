// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* folded.c - escaping and writing of folded stacks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "folded.h"

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

/* A growable string. */
struct sbuf {
	char *s;
	size_t len, cap;
};

/* Append src, escaped or (for the separators this file writes itself) as it is. */
static int sbuf_add(struct sbuf *b, const char *src, int escape)
{
	size_t need = escape ? folded_escape(NULL, 0, src) : strlen(src);

	if (b->len + need + 1 > b->cap) {
		size_t cap = (b->len + need + 1) * 2;
		char *s = realloc(b->s, cap);

		if (!s)
			return -ENOMEM;
		b->s = s;
		b->cap = cap;
	}
	if (escape)
		folded_escape(b->s + b->len, b->cap - b->len, src);
	else
		memcpy(b->s + b->len, src, need + 1);
	b->len += need;
	return 0;
}

static int sbuf_add_frame(struct sbuf *b, const struct frame_rec *f)
{
	static const char *const special[] = {
	    [FRAME_CFUNC] = "[cfunc]",	       [FRAME_UNKNOWN] = "[unknown]",
	    [FRAME_TRUNCATED] = "(truncated)", [FRAME_GC] = "(garbage collection)",
	    [FRAME_GC_MARKING] = "(marking)",  [FRAME_GC_SWEEPING] = "(sweeping)",
	};
	char line[32], label[2 * RUBY_STR_MAX];
	int err;

	if (f->kind != FRAME_RUBY)
		return sbuf_add(b, special[f->kind], 0);
	if (!f->info->path) /* a C method: no file, no line */
		return sbuf_add(b, f->info->label, 1);
	snprintf(line, sizeof(line), ":%d)", f->line);
	if ((err = sbuf_add(b, iseq_info_display(f->info, label, sizeof(label)), 1)) ||
	    (err = sbuf_add(b, " (", 0)) || (err = sbuf_add(b, f->info->path, 1)) ||
	    (err = sbuf_add(b, line, 0)))
		return err;
	return 0;
}

struct line_rec {
	char *text;
	__u64 count;
};

static int cmp_lines(const void *x, const void *y)
{
	return strcmp(((const struct line_rec *)x)->text, ((const struct line_rec *)y)->text);
}

static char *render_stack(const struct aggregate *a, const struct stack_rec *s,
			  folded_proc_name_fn proc_name, void *ctx)
{
	struct sbuf b = {0};
	char root[128];
	__u32 i;

	proc_name(ctx, s->proc_id, root, sizeof(root));
	if (sbuf_add(&b, root, 1))
		goto fail;
	for (i = 0; i < s->n; i++)
		if (sbuf_add(&b, ";", 0) || sbuf_add_frame(&b, &a->frames[a->pool[s->off + i]]))
			goto fail;
	return b.s;
fail:
	free(b.s);
	return NULL;
}

int folded_write(FILE *out, const struct aggregate *a, folded_proc_name_fn proc_name, void *ctx)
{
	struct line_rec *lines = calloc(a->nstacks ? a->nstacks : 1, sizeof(*lines));
	__u32 i, n = 0;
	int err = 0;

	if (!lines)
		return -ENOMEM;
	for (i = 0; i < a->nstacks; i++) {
		lines[n].text = render_stack(a, &a->stacks[i], proc_name, ctx);
		if (!lines[n].text) {
			err = -ENOMEM;
			goto cleanup;
		}
		lines[n++].count = a->stacks[i].count;
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	for (i = 0; i < n; i++) {
		__u64 count = lines[i].count;

		/* Two process instances with the same pid and comm: one line. */
		while (i + 1 < n && !strcmp(lines[i].text, lines[i + 1].text))
			count += lines[++i].count;
		if (fprintf(out, "%s %llu\n", lines[i].text, (unsigned long long)count) < 0) {
			err = -EIO;
			goto cleanup;
		}
	}
	if (fflush(out))
		err = -errno;
cleanup:
	for (i = 0; i < a->nstacks; i++)
		free(lines[i].text);
	free(lines);
	return err;
}
