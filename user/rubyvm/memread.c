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
