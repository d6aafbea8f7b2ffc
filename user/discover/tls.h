/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tls.h - how a thread of a Ruby process reaches its own `ruby_current_ec`: through the DTV
 * of a libruby.so in dynamic TLS (its module id read from the live process), at a fixed
 * offset from the thread pointer in static TLS (a `ruby` with the VM linked in, or what an
 * initial-exec or TLSDESC access resolves to), or, in Ruby <= 2.7, through the
 * process-global EC. What is found goes to the sampler (rbprof_proc.tls_*).
 */
#ifndef RBPROF_TLS_H
#define RBPROF_TLS_H

#include <stddef.h>
#include "discover/elf_ruby.h"
#include "discover/libc.h"
#include "rbprof.h"
#include "rubyvm/memread.h"

/*
 * Fill p->tls_kind, tls_modid, tls_offset and dtv_entry_size for `ref`, one of the places
 * where the VM file `e` keeps ruby_current_ec (NULL: Ruby <= 2.7's global EC), in a process
 * on `libc` that maps the file at `bias` (is_exe: as its executable). What the dynamic
 * linker filled in (module ids, TLSDESC and initial-exec slots) is read from the process.
 * 0, or -errno with `why` set.
 */
int tls_resolve(const struct elf_ruby *e, const struct tls_ref *ref, int is_exe,
		enum libc_kind libc, __u64 bias, struct memread *mem, struct rbprof_proc *p,
		char *why, size_t whylen);

/*
 * Offset from the thread pointer of the variable at `offset` in the TLS block of `e`, the
 * main executable, whose block is static (x86_64 TLS variant II, module 1: the block ends
 * at the tp), as `libc` places it.
 */
__s64 tls_static_offset(const struct elf_ruby *e, __s64 offset, enum libc_kind libc);

#endif /* RBPROF_TLS_H */
