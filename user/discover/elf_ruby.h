/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * elf_ruby.h - what an ELF file (a ruby executable or a libruby.so) tells about the Ruby VM
 * in it: where `ruby_version`, `ruby_current_vm_ptr`, the thread-local `ruby_current_ec` and
 * `ruby_global_symbols` are, the TLS segment, and the load segments for turning addresses
 * into a process's. Each fact is taken from the first source that has it: the file's symbol
 * tables, its separate debug file on disk, its MiniDebugInfo, then the code of exported
 * functions that use the variable (a stripped build with no debug information at all).
 */
#ifndef RBPROF_ELF_RUBY_H
#define RBPROF_ELF_RUBY_H

#include <linux/types.h>
#include "discover/code_reader.h"
#include "discover/elf_image.h"

/*
 * Where ruby_current_ec may be: one place from a symbol table, or one per function read in
 * a stripped build (rb_errinfo, rb_thread_current, rb_block_given_p), each checked against
 * the live process before it is used.
 */
#define ELF_RUBY_MAX_EC_REFS 3

/* Where a fact about the file came from. */
enum fact_source {
	FROM_NONE,
	FROM_SYMTAB,	    /* its own .symtab or .dynsym */
	FROM_DEBUG_FILE,    /* the .symtab of its separate debug file on disk */
	FROM_MINIDEBUGINFO, /* the symbol table in its .gnu_debugdata */
	FROM_CODE,	    /* the code of an exported function that uses the variable */
	FROM_DEBUGINFOD,    /* the .symtab of its debug file from a debuginfod server */
};

struct elf_ruby {
	int is_exec;	      /* ET_EXEC: st_values are absolute addresses */
	int has_vm_ptr;	      /* knows where ruby_current_vm_ptr is */
	int has_version;      /* ruby_version (exported by every Ruby) */
	int has_ec;	      /* knows where ruby_current_ec may be: nec_refs > 0 */
	int has_ec_global;    /* Ruby <= 2.7: ruby_current_execution_context_ptr */
	__u64 ec_global;      /* its st_value */
	__u64 vm_ptr;	      /* vaddr of ruby_current_vm_ptr */
	__u64 version;	      /* vaddr of ruby_version (a NUL-terminated "X.Y.Z") */
	__u64 global_symbols; /* vaddr ruby_global_symbols' last_id or next_id, 0: not found */
	struct tls_ref ec_refs[ELF_RUBY_MAX_EC_REFS];
	int nec_refs;
	enum fact_source vm_ptr_from, ec_from, symbols_from;
	int has_tls; /* has a PT_TLS segment */
	__u64 tls_vaddr, tls_memsz, tls_align;
	int nloads;
	struct {
		__u64 vaddr, offset;
	} loads[ELF_IMAGE_MAX_LOADS]; /* the image's (elf_image.c), kept for the load bias */
	char missing[160]; /* a Ruby whose facts are incomplete: what is missing, and why */
};

/*
 * Read `path`, the file `name` in the root `root` of the process that maps it (where its
 * debug file is looked for: see debugfile_find; NULL, NULL for none). 0 on success (even if
 * it has no Ruby symbols), -errno otherwise. RBPROF_SYMBOLS_FROM=code in the environment
 * reads the variables from code only (tests: the code path on a build with the symbols).
 */
int elf_ruby_read(const char *path, const char *root, const char *name, struct elf_ruby *out);

/* A Ruby VM lives in this file: it exports ruby_version. */
static inline int elf_ruby_is_ruby(const struct elf_ruby *e)
{
	return e->has_version;
}

/* ... and every fact the sampler and symbolizer need was found (else e->missing says). */
static inline int elf_ruby_is_complete(const struct elf_ruby *e)
{
	return e->has_version && e->has_vm_ptr && (e->has_ec || e->has_ec_global);
}

/*
 * Load bias of a mapping of this file at `start` with file offset `pgoff`, as
 * /proc/PID/maps shows it. 0 and *bias set, or -ENOENT if no PT_LOAD maps that offset.
 */
int elf_ruby_bias(const struct elf_ruby *e, __u64 start, __u64 pgoff, __u64 *bias);

const char *fact_source_name(enum fact_source s);

#endif /* RBPROF_ELF_RUBY_H */
