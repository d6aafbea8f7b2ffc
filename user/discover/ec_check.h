/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ec_check.h - whether a place found for `ruby_current_ec` in the code of a stripped build
 * is the right one, checked against the live process before it is used: through one of its
 * threads, it must lead to an execution context of that process, whose VM stack is mapped,
 * whose innermost control frame lies in that stack a whole number of frames below its top,
 * and whose thread points back to it.
 */
#ifndef RBPROF_EC_CHECK_H
#define RBPROF_EC_CHECK_H

#include <stddef.h>
#include "layouts/layout.h"
#include "rbprof.h"
#include "rubyvm/memread.h"

/*
 * Check the EC that `p` (tls_* filled in) finds for the thread whose thread pointer is `tp`,
 * reading memory through `mem`. 0, or -EINVAL with `why` saying what is wrong.
 */
int ec_check(const struct rbprof_proc *p, const struct ruby_layout *L, struct memread *mem,
	     __u64 tp, char *why, size_t whylen);

#endif /* RBPROF_EC_CHECK_H */
