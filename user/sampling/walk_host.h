/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * walk_host.h - the kernel's walker (bpf/ruby_walk.h) compiled for user space, reading
 * through walk_mem: a live process (fixture capture), recorded memory (fixture replay) or
 * made-up memory (unit tests) run the very code the BPF program runs.
 */
#ifndef RBPROF_WALK_HOST_H
#define RBPROF_WALK_HOST_H

#include <linux/types.h>
#include "rubyvm/memread.h"

extern struct memread *walk_mem;

/* bpf_probe_read_user's contract: 0 or -errno, and dst zeroed on failure. */
int walk_read_user(void *dst, __u32 size, __u64 src);

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define RBPROF_READ_USER(dst, size, src) walk_read_user(dst, size, (__u64)(src))
#include "ruby_walk.h"

#endif /* RBPROF_WALK_HOST_H */
