// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* frame_text.c - a frame's parts, and the UTF-8, XML and JSON escapes. */
#include <stdio.h>
#include <string.h>
#include "common/syscalls.h"
#include "output/folded.h"
#include "output/frame_text.h"

void frame_text(const struct frame_rec *f, struct frame_text *t)
{
	t->file = NULL;
	t->line = 0;
	t->label = t->buf;
	t->buf[0] = 0;
	switch (f->kind) {
	case FRAME_RUBY:
		t->label = iseq_info_display(f->info, f->variant, t->buf, sizeof(t->buf));
		t->file = f->info->path;
		t->line = t->file ? f->line : 0;
		t->cls = t->file ? CLASS_RUBY : CLASS_CFUNC;
		return;
	case FRAME_THREAD:
		if (!f->line)
			snprintf(t->buf, sizeof(t->buf), "thread (others)");
		else if (f->info->label[0])
			snprintf(t->buf, sizeof(t->buf), "thread %s [%d]", f->info->label, f->line);
		else
			snprintf(t->buf, sizeof(t->buf), "thread [%d]", f->line);
		t->cls = CLASS_THREAD;
		return;
	case FRAME_OFFCPU:
		if (!f->line)
			snprintf(t->buf, sizeof(t->buf), "(off-CPU)");
		else if (syscall_name(f->line - 1))
			snprintf(t->buf, sizeof(t->buf), "(off-CPU: %s)",
				 syscall_name(f->line - 1));
		else
			snprintf(t->buf, sizeof(t->buf), "(off-CPU: syscall %d)", f->line - 1);
		t->cls = CLASS_WAIT;
		return;
	case FRAME_GVL_WAIT:
	case FRAME_RUNNABLE:
		t->cls = CLASS_WAIT;
		break;
	case FRAME_GC:
	case FRAME_GC_MARKING:
	case FRAME_GC_SWEEPING:
		t->cls = CLASS_GC;
		break;
	default:
		t->cls = CLASS_OTHER;
	}
	t->label = folded_special(f->kind);
}

/* The length of the valid UTF-8 sequence at s (1-4), or 0 if none starts there. */
static int utf8_seq(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* a NUL ends the string here too */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff)
		return 0;
	return n;
}

/* Append src cleaned; each clean piece goes through `esc` (NULL: as it is). */
static int add_clean(struct sbuf *b, const char *src, const char *(*esc)(unsigned char c))
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	char ctl[5] = {'\\', 'x', 0, 0, 0};
	int err = 0;

	while (*s && !err) {
		int n = utf8_seq(s);
		const char *e;

		if (!n) {
			err = sbuf_adds(b, "\xef\xbf\xbd"); /* U+FFFD */
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			ctl[2] = hex[*s >> 4];
			ctl[3] = hex[*s & 15];
			/* the backslash of "\xNN" is text: the format escapes it if it must */
			err = esc && (e = esc('\\')) ? sbuf_adds(b, e) : sbuf_addn(b, ctl, 1);
			if (!err)
				err = sbuf_addn(b, ctl + 1, 3);
			s++;
		} else if (n == 1 && esc && (e = esc(*s))) {
			err = sbuf_adds(b, e);
			s++;
		} else {
			err = sbuf_addn(b, (const char *)s, (size_t)n);
			s += n;
		}
	}
	return err;
}

static const char *xml_escape(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	}
	return NULL;
}

static const char *json_escape(unsigned char c)
{
	return c == '"' ? "\\\"" : c == '\\' ? "\\\\" : NULL;
}

int sbuf_add_clean(struct sbuf *b, const char *src)
{
	return add_clean(b, src, NULL);
}

int sbuf_add_xml(struct sbuf *b, const char *src)
{
	return add_clean(b, src, xml_escape);
}

int sbuf_add_json(struct sbuf *b, const char *src)
{
	return add_clean(b, src, json_escape);
}
