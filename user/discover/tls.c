// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tls.c - where each thread's ruby_current_ec is (glibc's TLS layout). */
#include <errno.h>
#include <stdio.h>
#include "discover/tls.h"

/* A module id is small (one per loaded object with TLS); anything larger is garbage. */
#define MAX_TLS_MODID 4096
/* musl's DTV holds a plain pointer per module (pthread_impl.h: uintptr_t *dtv). */
#define MUSL_DTV_ENTRY_SIZE 8

__s64 tls_static_offset(const struct elf_ruby *e, enum libc_kind libc)
{
	__u64 align = e->tls_align ? e->tls_align : 1;
	__u64 off;

	if (libc == LIBC_MUSL) {
		/*
		 * musl (ldso/dynlink.c for a dynamic program, src/env/__init_tls.c
		 * static_init_tls for a static one, both !TLS_ABOVE_TP): the block ends at the
		 * tp, at offset memsz + (-(image + memsz) & (align - 1)), the image being
		 * p_vaddr plus a page-aligned base.
		 */
		off = e->tls_memsz + ((-(e->tls_vaddr + e->tls_memsz)) & (align - 1));
	} else {
		/*
		 * glibc's _dl_determine_tlsoffset for the first module of TLS variant II: the
		 * block sits right below the tp at l_tls_offset = roundup(memsz - firstbyte,
		 * align) + firstbyte, where firstbyte keeps p_vaddr's alignment residue.
		 */
		__u64 firstbyte = (-(e->tls_vaddr & (align - 1))) & (align - 1);
		__u64 size = e->tls_memsz > firstbyte ? e->tls_memsz - firstbyte : 0;

		off = (size + align - 1) / align * align + firstbyte;
	}
	/* A variable is at tp - offset + st_value. */
	return (__s64)e->ec_tls - (__s64)off;
}

int tls_resolve(const struct elf_ruby *e, int is_exe, enum libc_kind libc, __u64 bias,
		struct memread *mem, struct rbprof_proc *p, char *why, size_t whylen)
{
	__u64 modid;

	p->dtv_entry_size = libc == LIBC_MUSL ? MUSL_DTV_ENTRY_SIZE : RBPROF_GLIBC_DTV_ENTRY_SIZE;
	if (!e->has_ec) {
		/* Ruby <= 2.7: one global EC, checked against the sampled thread in the kernel */
		p->tls_kind = RBPROF_EC_GLOBAL;
		p->tls_offset = bias + e->ec_global;
		return 0;
	}
	if (is_exe && e->has_tls) {
		/* A ruby with the VM linked in: its TLS block is the first, at a fixed offset. */
		p->tls_kind = RBPROF_TLS_STATIC;
		p->tls_offset = (__u64)tls_static_offset(e, libc);
		return 0;
	}
	if (!e->dtpmod_slot) {
		snprintf(why, whylen, "no TLS module relocation for ruby_current_ec");
		return -ENOENT;
	}
	if (memread_u64(mem, bias + e->dtpmod_slot, &modid) || !modid || modid > MAX_TLS_MODID) {
		snprintf(why, whylen, "cannot read the TLS module id of libruby");
		return -EFAULT;
	}
	p->tls_kind = RBPROF_TLS_DTV;
	p->tls_modid = modid;
	p->tls_offset = e->ec_tls;
	return 0;
}
