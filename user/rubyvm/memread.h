/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * memread.h - reading another process's memory, behind one function pointer so that the
 * symbolizer runs unchanged on a live process (process_vm_readv) and on memory that a unit
 * test builds or recorded.
 */
#ifndef RBPROF_MEMREAD_H
#define RBPROF_MEMREAD_H

#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

struct memread {
	/* Read exactly len bytes at addr into buf: 0, or -errno (a partial read is -EFAULT). */
	int (*read)(struct memread *m, __u64 addr, void *buf, size_t len);
};

/* A word at byte offset off of a struct read in one go (unaligned-safe). */
static inline __u64 memread_u64_at(const void *buf, __u32 off)
{
	__u64 v;

	__builtin_memcpy(&v, (const char *)buf + off, sizeof(v));
	return v;
}

static inline __u32 memread_u32_at(const void *buf, __u32 off)
{
	__u32 v;

	__builtin_memcpy(&v, (const char *)buf + off, sizeof(v));
	return v;
}

/* A live process. */
struct procmem {
	struct memread base;
	pid_t pid;
};

void procmem_init(struct procmem *pm, pid_t pid);

/* One range of memread_batch. */
struct memread_range {
	__u64 addr;
	void *buf;
	size_t len;
	int ok; /* set: read whole */
};

/*
 * Read n ranges at once, each's ok saying whether it was read whole: a live process
 * (procmem) in one process_vm_readv, any other reader one range at a time.
 */
void memread_batch(struct memread *m, struct memread_range *r, int n);

static inline int memread_u64(struct memread *m, __u64 addr, __u64 *v)
{
	return m->read(m, addr, v, sizeof(*v));
}

#endif /* RBPROF_MEMREAD_H */
