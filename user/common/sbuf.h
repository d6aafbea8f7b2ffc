/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sbuf.h - a growable string: the writers render a label or a line into one before they
 * escape or write it. Always NUL-terminated once anything was added.
 */
#ifndef RBPROF_SBUF_H
#define RBPROF_SBUF_H

#include <stddef.h>

struct sbuf {
	char *s;
	size_t len, cap;
};

/* Room for `need` more bytes and a NUL. 0 or -ENOMEM. */
int sbuf_reserve(struct sbuf *b, size_t need);
/* Append n bytes of src. 0 or -ENOMEM. */
int sbuf_addn(struct sbuf *b, const char *src, size_t n);
/* Append the NUL-terminated src. 0 or -ENOMEM. */
int sbuf_adds(struct sbuf *b, const char *src);
/* Append printf output. 0 or -ENOMEM. */
__attribute__((format(printf, 2, 3))) int sbuf_addf(struct sbuf *b, const char *fmt, ...);
/* Empty it, keeping its memory. */
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);

#endif /* RBPROF_SBUF_H */
