// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fakemem.h"

/* The bytes at [addr, addr + len) if they lie within one region, else NULL. */
static unsigned char *region_bytes(struct fakemem *fm, __u64 addr, size_t len)
{
	int i;

	for (i = 0; i < fm->n; i++)
		if (addr >= fm->r[i].addr && addr - fm->r[i].addr <= fm->r[i].len &&
		    len <= fm->r[i].len - (addr - fm->r[i].addr))
			return fm->r[i].bytes + (addr - fm->r[i].addr);
	return NULL;
}

static int fakemem_read(struct memread *m, __u64 addr, void *buf, size_t len)
{
	struct fakemem *fm = (struct fakemem *)m;
	unsigned char *bytes;

	fm->reads++;
	if (!len)
		return 0;
	if (!(bytes = region_bytes(fm, addr, len)))
		return -EFAULT;
	memcpy(buf, bytes, len);
	return 0;
}

void fakemem_init(struct fakemem *fm)
{
	memset(fm, 0, sizeof(*fm));
	fm->base.read = fakemem_read;
}

void *fakemem_map(struct fakemem *fm, __u64 addr, size_t len)
{
	if (fm->n == FAKEMEM_MAX_REGIONS)
		abort();
	fm->r[fm->n].addr = addr;
	fm->r[fm->n].len = len;
	fm->r[fm->n].bytes = calloc(1, len ? len : 1);
	return fm->r[fm->n++].bytes;
}

void fakemem_write(struct fakemem *fm, __u64 addr, const void *buf, size_t len)
{
	unsigned char *bytes = region_bytes(fm, addr, len);

	if (!bytes)
		abort();
	memcpy(bytes, buf, len);
}

void fakemem_free(struct fakemem *fm)
{
	int i;

	for (i = 0; i < fm->n; i++)
		free(fm->r[i].bytes);
	fm->n = 0;
}

void fakemem_toggle(struct fakemem *fm, __u64 addr)
{
	int i;

	for (i = 0; i < fm->n; i++)
		if ((fm->r[i].addr & ~(1ULL << 63)) == addr)
			fm->r[i].addr ^= 1ULL << 63; /* out of every read's way, and back */
}
