/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * memrecord.h - process memory as a set of recorded regions. Recording wraps a live reader
 * and keeps every successful read; replay serves reads from what was kept. A fixture file
 * (zlib-compressed) holds the regions of one capture, so that the walker and symbolizer can
 * be run, in unit tests, on the memory of a Ruby that is not installed.
 */
#ifndef RBPROF_MEMRECORD_H
#define RBPROF_MEMRECORD_H

#include <stdio.h>
#include "rubyvm/memread.h"

/* A fixture is a capture of one process; regions and bytes are bounded when loaded. */
#define MEMRECORD_MAX_REGIONS (1U << 20)
#define MEMRECORD_MAX_BYTES   (64U << 20)

struct memregion {
	__u64 addr;
	__u32 len;
	unsigned char *bytes;
};

struct memrecord {
	struct memread base;
	struct memread *inner; /* recording: the live process; replay: NULL */
	struct memregion *r;
	size_t n, cap;
	int sorted;
};

void memrecord_init(struct memrecord *m, struct memread *inner);
void memrecord_free(struct memrecord *m);
/* Keep len bytes at addr (a copy). 0 or -ENOMEM. */
int memrecord_add(struct memrecord *m, __u64 addr, const void *bytes, size_t len);

/* Regions as "regions N" then N x (u64 addr, u32 len, bytes), after the caller's header. */
int memrecord_write(const struct memrecord *m, void *gz);
int memrecord_read(struct memrecord *m, void *gz);

#endif /* RBPROF_MEMRECORD_H */
