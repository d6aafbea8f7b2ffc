/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fakemem.h - a made-up process address space for tests: regions of bytes at chosen
 * addresses, read through the same struct memread the symbolizer uses on live processes.
 * A read that is not wholly inside one region fails, as process_vm_readv would.
 */
#ifndef RBPROF_FAKEMEM_H
#define RBPROF_FAKEMEM_H

#include "rubyvm/memread.h"

#define FAKEMEM_MAX_REGIONS 64

struct fakemem {
	struct memread base;
	int n;
	struct {
		__u64 addr;
		size_t len;
		unsigned char *bytes;
	} r[FAKEMEM_MAX_REGIONS];
	int reads; /* how many reads were made */
};

void fakemem_init(struct fakemem *fm);
/* Map len zeroed bytes at addr and return them for the test to fill. */
void *fakemem_map(struct fakemem *fm, __u64 addr, size_t len);
/* Overwrite len bytes at addr, which must lie within one mapped region (else abort). */
void fakemem_write(struct fakemem *fm, __u64 addr, const void *buf, size_t len);
void fakemem_free(struct fakemem *fm);
/* Unmap (or map again) the region that starts at addr: a toggle, to simulate torn reads. */
void fakemem_toggle(struct fakemem *fm, __u64 addr);

#endif /* RBPROF_FAKEMEM_H */
