/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * elf_ruby.h - what an ELF file (ruby executable or libruby.so) tells about the Ruby VM in it:
 * the symbols the profiler needs, the TLS segment and the relocation that carries the module
 * id of `ruby_current_ec`, and the load segments for turning addresses into a process's.
 */
#ifndef RBPROF_ELF_RUBY_H
#define RBPROF_ELF_RUBY_H

#include <linux/types.h>

/* PT_LOAD segments kept per file: a linker emits 4 (R, RX, R, RW), 8 leaves room. */
#define ELF_RUBY_MAX_LOADS 8

struct elf_ruby {
	int is_exec;	      /* ET_EXEC: st_values are absolute addresses */
	int has_vm_ptr;	      /* exports/defines ruby_current_vm_ptr */
	int has_version;      /* ruby_version */
	int has_ec;	      /* TLS symbol ruby_current_ec */
	int has_ec_global;    /* Ruby <= 2.7: ruby_current_execution_context_ptr */
	__u64 ec_global;      /* its st_value */
	__u64 vm_ptr;	      /* st_value of ruby_current_vm_ptr */
	__u64 version;	      /* st_value of ruby_version (a NUL-terminated "X.Y.Z") */
	__u64 ec_tls;	      /* st_value of ruby_current_ec: offset in this file's TLS block */
	__u64 global_symbols; /* vaddr of ruby_global_symbols (the ID table), 0: not found */
	__u64 immortal_count; /* vaddr of rb_sym_immortal_count(), which reads it */
	__u64 dtpmod_slot;    /* vaddr of a GOT slot holding this file's TLS module id, 0: none */
	int has_tls;	      /* has a PT_TLS segment */
	__u64 tls_vaddr, tls_memsz, tls_align;
	int nloads;
	struct {
		__u64 vaddr, offset;
	} loads[ELF_RUBY_MAX_LOADS];
};

/*
 * Read `path`. 0 on success (even if it has no Ruby symbols), -errno otherwise.
 * ruby_global_symbols is local or stripped in many builds (Debian's); then it is found in the
 * code of the exported rb_sym_immortal_count(), see elf_ruby_decode_rip_load().
 */
int elf_ruby_read(const char *path, struct elf_ruby *out);

/* A Ruby VM lives in this file: the symbols the sampler and symbolizer need are there. */
static inline int elf_ruby_is_ruby(const struct elf_ruby *e)
{
	return e->has_vm_ptr && e->has_version && (e->has_ec || e->has_ec_global);
}

/*
 * If `code` (n bytes at vaddr `at`) starts with a function that only returns a RIP-relative
 * load ([endbr64] mov disp32(%rip), %eax|%rax; ret), the vaddr it loads from; else 0.
 */
__u64 elf_ruby_decode_rip_load(const unsigned char *code, size_t n, __u64 at);

/*
 * Load bias of a mapping of this file at `start` with file offset `pgoff`, as
 * /proc/PID/maps shows it. 0 and *bias set, or -ENOENT if no PT_LOAD maps that offset.
 */
int elf_ruby_bias(const struct elf_ruby *e, __u64 start, __u64 pgoff, __u64 *bias);

#endif /* RBPROF_ELF_RUBY_H */
