// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pprof.c - PLACEHOLDER until written. */
#include <errno.h>
#include "output/writer.h"

static int write_profile(FILE *out, const struct profile *p)
{
	return -ENOTSUP;
}

const struct writer pprof_writer = {.name = "pprof", .write = write_profile};
