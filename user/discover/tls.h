/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tls.h - how a thread of a Ruby process reaches its own `ruby_current_ec`: through the DTV
 * of a libruby.so in dynamic TLS (its module id read from the live process), at a fixed
 * offset from the thread pointer in a `ruby` with the VM linked in (static TLS), or, in Ruby
 * <= 2.7, through the process-global EC. What is found goes to the sampler (rbprof_proc.tls_*).
 */
#ifndef RBPROF_TLS_H
#define RBPROF_TLS_H

#include <stddef.h>
#include "discover/elf_ruby.h"
#include "discover/libc.h"
#include "rbprof.h"
#include "rubyvm/memread.h"

/*
 * Fill p->tls_kind, tls_modid, tls_offset and dtv_entry_size for the VM file `e` of a process
 * on `libc`, mapped at `bias` (is_exe: it is the process's executable). 0, or -errno with
 * `why` set.
 */
int tls_resolve(const struct elf_ruby *e, int is_exe, enum libc_kind libc, __u64 bias,
		struct memread *mem, struct rbprof_proc *p, char *why, size_t whylen);

/*
 * Offset of ruby_current_ec from the thread pointer when `e` is the main executable, whose
 * TLS block is static (x86_64 TLS variant II, module 1: the block ends at the tp), as `libc`
 * places it.
 */
__s64 tls_static_offset(const struct elf_ruby *e, enum libc_kind libc);

#endif /* RBPROF_TLS_H */
