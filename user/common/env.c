// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* env.c - numbers from the environment. */
#include <errno.h>
#include <stdlib.h>
#include "common/env.h"

long env_number(const char *name, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v < 0 || v > max ? -1 : v;
}
