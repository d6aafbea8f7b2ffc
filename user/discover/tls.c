// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tls.c - where each thread's ruby_current_ec is (glibc's and musl's TLS layouts). */
#include <errno.h>
#include <stdio.h>
#include "discover/tls.h"

/* A module id is small (one per loaded object with TLS); anything larger is garbage. */
#define MAX_TLS_MODID 4096
/* musl's DTV holds a plain pointer per module (pthread_impl.h: uintptr_t *dtv). */
#define MUSL_DTV_ENTRY_SIZE 8
/*
 * Static TLS lies within this much below the thread pointer (the walker's bound, rbprof.h's
 * RBPROF_STATIC_TLS_MAX, is the same): a TLSDESC argument farther off is a pointer.
 */
#define STATIC_TLS_MAX (64LL << 10)

__s64 tls_static_offset(const struct elf_ruby *e, __s64 offset, enum libc_kind libc)
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
	return offset - (__s64)off;
}

/* The module id the dynamic linker wrote in the GOT slot at `slot` (a file address). */
static int read_modid(struct memread *mem, __u64 at, __u64 *modid, char *why, size_t whylen)
{
	if (memread_u64(mem, at, modid) || !*modid || *modid > MAX_TLS_MODID) {
		snprintf(why, whylen, "cannot read the TLS module id of libruby");
		return -EFAULT;
	}
	return 0;
}

/*
 * A TLSDESC descriptor {resolver, argument}: for a block in static TLS the argument is the
 * variable's offset from the tp (glibc's _dl_tlsdesc_return, musl's __tlsdesc_static); for
 * a block allocated apart it points to {module id, offset} (_dl_tlsdesc_dynamic,
 * __tlsdesc_dynamic).
 */
static int resolve_desc(struct memread *mem, __u64 at, struct rbprof_proc *p, char *why,
			size_t whylen)
{
	__u64 desc[2], arg[2];

	if (mem->read(mem, at, desc, sizeof(desc))) {
		snprintf(why, whylen, "cannot read the TLSDESC descriptor of ruby_current_ec");
		return -EFAULT;
	}
	if ((__s64)desc[1] < 0 && (__s64)desc[1] >= -STATIC_TLS_MAX) {
		p->tls_kind = RBPROF_TLS_STATIC;
		p->tls_offset = desc[1];
		return 0;
	}
	if (mem->read(mem, desc[1], arg, sizeof(arg)) || !arg[0] || arg[0] > MAX_TLS_MODID) {
		snprintf(why, whylen, "cannot read the TLSDESC argument of ruby_current_ec");
		return -EFAULT;
	}
	p->tls_kind = RBPROF_TLS_DTV;
	p->tls_modid = arg[0];
	p->tls_offset = arg[1];
	return 0;
}

int tls_resolve(const struct elf_ruby *e, const struct tls_ref *ref, int is_exe,
		enum libc_kind libc, __u64 bias, struct memread *mem, struct rbprof_proc *p,
		char *why, size_t whylen)
{
	__u64 v;

	p->dtv_entry_size = libc == LIBC_MUSL ? MUSL_DTV_ENTRY_SIZE : RBPROF_GLIBC_DTV_ENTRY_SIZE;
	if (!ref) {
		/* Ruby <= 2.7: one global EC, checked against the sampled thread in the kernel */
		p->tls_kind = RBPROF_EC_GLOBAL;
		p->tls_offset = bias + e->ec_global;
		return 0;
	}
	switch (ref->kind) {
	case TLS_REF_SYMBOL:
		if (is_exe && e->has_tls) {
			/* A ruby with the VM linked in: its block is the first, at a fixed offset.
			 */
			p->tls_kind = RBPROF_TLS_STATIC;
			p->tls_offset = (__u64)tls_static_offset(e, ref->offset, libc);
			return 0;
		}
		if (!ref->slot) {
			snprintf(why, whylen, "no TLS module relocation for ruby_current_ec");
			return -ENOENT;
		}
		/* the module's block through the DTV */
		/* fall through */
	case TLS_REF_DTV:
		if (read_modid(mem, bias + ref->slot, &v, why, whylen))
			return -EFAULT;
		p->tls_kind = RBPROF_TLS_DTV;
		p->tls_modid = v;
		p->tls_offset = (__u64)ref->offset;
		return 0;
	case TLS_REF_DESC:
		return resolve_desc(mem, bias + ref->slot, p, why, whylen);
	case TLS_REF_GOT_TPOFF:
		if (memread_u64(mem, bias + ref->slot, &v) || (__s64)v >= 0) {
			snprintf(why, whylen, "cannot read the TLS offset of ruby_current_ec");
			return -EFAULT;
		}
		p->tls_kind = RBPROF_TLS_STATIC;
		p->tls_offset = v;
		return 0;
	case TLS_REF_TPOFF:
		if (!is_exe) { /* local exec is the executable's own TLS only */
			snprintf(why, whylen, "a local-exec TLS access in a library");
			return -EINVAL;
		}
		p->tls_kind = RBPROF_TLS_STATIC;
		p->tls_offset = (__u64)ref->offset;
		return 0;
	default:
		snprintf(why, whylen, "no way to ruby_current_ec");
		return -ENOENT;
	}
}
