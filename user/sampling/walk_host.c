// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* walk_host.c - the memory the host-compiled walker reads. */
#include <string.h>
#include "sampling/walk_host.h"

struct memread *walk_mem;

int walk_read_user(void *dst, __u32 size, __u64 src)
{
	int err = walk_mem->read(walk_mem, src, dst, size);

	if (err)
		memset(dst, 0, size);
	return err;
}
