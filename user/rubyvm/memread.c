// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memread.c - process_vm_readv-backed reads of a live process. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/uio.h>
#include "rubyvm/memread.h"

static int procmem_read(struct memread *m, __u64 addr, void *buf, size_t len)
{
	struct procmem *pm = (struct procmem *)m;
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(unsigned long)addr, .iov_len = len};
	ssize_t n;

	if (!len)
		return 0;
	if (!addr || addr + len < addr)
		return -EFAULT;
	n = process_vm_readv(pm->pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

void procmem_init(struct procmem *pm, pid_t pid)
{
	pm->base.read = procmem_read;
	pm->pid = pid;
}

/* Ranges of one batch at most (process_vm_readv takes up to IOV_MAX). */
#define BATCH_MAX 16

void memread_batch(struct memread *m, struct memread_range *r, int n)
{
	struct iovec local[BATCH_MAX], remote[BATCH_MAX];
	size_t done;
	ssize_t got;
	int i;

	if (n <= 0)
		return;
	if (m->read != procmem_read || n > BATCH_MAX) {
		for (i = 0; i < n; i++)
			r[i].ok = !m->read(m, r[i].addr, r[i].buf, r[i].len);
		return;
	}
	for (i = 0; i < n; i++) {
		r[i].ok = 0;
		local[i] = (struct iovec){.iov_base = r[i].buf, .iov_len = r[i].len};
		remote[i] = (struct iovec){.iov_base = (void *)(unsigned long)r[i].addr,
					   .iov_len = r[i].len};
	}
	got = process_vm_readv(((struct procmem *)m)->pid, local, (unsigned long)n, remote,
			       (unsigned long)n, 0);
	/* a transfer stops at the first range it cannot read: those before it are whole */
	for (i = 0, done = 0; got > 0 && i < n && done + r[i].len <= (size_t)got; i++) {
		r[i].ok = 1;
		done += r[i].len;
	}
}
