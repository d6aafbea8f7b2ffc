// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sbuf.c - a growable string. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/sbuf.h"

int sbuf_reserve(struct sbuf *b, size_t need)
{
	size_t cap;
	char *s;

	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = (b->len + need + 1) * 2;
	if (cap < 64)
		cap = 64;
	s = realloc(b->s, cap);
	if (!s)
		return -ENOMEM;
	b->s = s;
	b->cap = cap;
	return 0;
}

int sbuf_addn(struct sbuf *b, const char *src, size_t n)
{
	if (sbuf_reserve(b, n))
		return -ENOMEM;
	memcpy(b->s + b->len, src, n);
	b->len += n;
	b->s[b->len] = 0;
	return 0;
}

int sbuf_adds(struct sbuf *b, const char *src)
{
	return sbuf_addn(b, src, strlen(src));
}

int sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || sbuf_reserve(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}
