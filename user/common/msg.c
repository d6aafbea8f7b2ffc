// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* msg.c - one-line messages on stderr. */
#include <stdio.h>
#include "common/msg.h"

/* The longest line: a path (PATH_MAX) and a layout notice with room to spare. */
#define MSG_MAX 8192

void vmsg(const char *fmt, va_list ap)
{
	char line[MSG_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* one write: a line never interleaves with another process's output */
	fprintf(stderr, MSG_PREFIX "%s\n", line);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}
