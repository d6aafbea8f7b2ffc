/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * code_reader.h - where a variable is, read from the machine code of a function that uses
 * it, for Ruby builds whose symbol table is stripped: the thread-local `ruby_current_ec`
 * from a function that reads the current EC, a global (`ruby_current_vm_ptr`,
 * `ruby_global_symbols`) from one that loads it. x86_64 code, disassembled with Capstone;
 * the TLS forms a compiler emits (general and local dynamic, TLSDESC, initial and local
 * exec) are told apart by the instructions and by the relocations of the slots they use.
 */
#ifndef RBPROF_CODE_READER_H
#define RBPROF_CODE_READER_H

#include <linux/types.h>
#include "discover/elf_image.h"

/* How a thread reaches a TLS variable. */
enum tls_ref_kind {
	TLS_REF_NONE,
	/* From a symbol table: `offset` in this file's TLS block (module id in the DTPMOD64
	 * slot `slot`, for a shared library). */
	TLS_REF_SYMBOL,
	/* General or local dynamic (__tls_get_addr): the GOT pair at `slot` holds the module
	 * id (a DTPMOD64 relocation); the variable is at `offset` in the module's block. */
	TLS_REF_DTV,
	/* TLSDESC (-mtls-dialect=gnu2): the descriptor at `slot`, which the dynamic linker fills
	 * at load time; `offset` is the variable's in the module's block. Read live. */
	TLS_REF_DESC,
	/* Initial exec: the GOT slot `slot` holds the variable's offset from the thread pointer
	 * (a TPOFF64 relocation, filled at load time). Read live. */
	TLS_REF_GOT_TPOFF,
	/* Local exec (the executable's own TLS): the variable is at `offset` from the tp. */
	TLS_REF_TPOFF,
};

struct tls_ref {
	enum tls_ref_kind kind;
	__u64 slot;
	__s64 offset;
	const char *via; /* the function it was read from, or "its symbol table" */
};

/*
 * The first TLS variable that the function at `func` reads, within its first instructions.
 * 0 and *out set, or -ENOENT (no TLS access recognised: code of another shape).
 */
int code_tls_ref(const struct elf_image *img, __u64 func, struct tls_ref *out);

/*
 * The address of the first global that the function at `func` reads (its own address, not
 * a GOT slot's: a load through the GOT is followed to the slot's relocation). 0 and *addr
 * set, or -ENOENT.
 */
int code_global_ref(const struct elf_image *img, __u64 func, __u64 *addr);

/* Whether Capstone could be loaded (libcapstone of the version built against). */
int code_reader_available(void);
#define CODE_READER_LIBRARY "libcapstone.so.4"

#endif /* RBPROF_CODE_READER_H */
