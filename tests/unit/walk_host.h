/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* walk_host.h - the kernel walker (bpf/ruby_walk.h) compiled for the host, reading walk_mem. */
#ifndef RBPROF_WALK_HOST_H
#define RBPROF_WALK_HOST_H

#include <linux/types.h>
#include "fakemem.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define RBPROF_READ_USER(dst, size, src) walk_read_user(dst, size, (__u64)(src))
#include "ruby_walk.h"

#endif
