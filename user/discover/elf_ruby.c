// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* elf_ruby.c - read Ruby's symbols, TLS facts and load segments from an ELF file (libelf). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>
#include "discover/elf_ruby.h"

#define PAGE_MASK_4K (~(__u64)0xfff)

static void note_symbol(struct elf_ruby *out, const char *name, const GElf_Sym *sym)
{
	if (sym->st_shndx == SHN_UNDEF)
		return;
	if (!strcmp(name, "ruby_current_vm_ptr") && GELF_ST_TYPE(sym->st_info) == STT_OBJECT) {
		out->has_vm_ptr = 1;
		out->vm_ptr = sym->st_value;
	} else if (!strcmp(name, "ruby_version") && GELF_ST_TYPE(sym->st_info) == STT_OBJECT) {
		out->has_version = 1;
		out->version = sym->st_value;
	} else if (!strcmp(name, "ruby_current_ec") && GELF_ST_TYPE(sym->st_info) == STT_TLS) {
		out->has_ec = 1;
		out->ec_tls = sym->st_value;
	} else if (!strcmp(name, "ruby_current_execution_context_ptr") &&
		   GELF_ST_TYPE(sym->st_info) == STT_OBJECT) {
		out->has_ec_global = 1;
		out->ec_global = sym->st_value;
	} else if (!strcmp(name, "ruby_global_symbols") &&
		   GELF_ST_TYPE(sym->st_info) == STT_OBJECT) {
		out->global_symbols = sym->st_value;
	} else if (!strcmp(name, "rb_sym_immortal_count") &&
		   GELF_ST_TYPE(sym->st_info) == STT_FUNC) {
		out->immortal_count = sym->st_value;
	}
}

static void scan_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct elf_ruby *out)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (name && name[0] == 'r')
			note_symbol(out, name, &sym);
	}
}

/*
 * A R_X86_64_DTPMOD64 relocation's GOT slot receives, at load time, the module id of the
 * object that defines its symbol. Symbol 0 (local-dynamic access, as in source builds) means
 * this object itself, and so does ruby_current_ec, which this object defines.
 */
static void scan_relocs(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct elf_ruby *out)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	GElf_Shdr symsh;
	Elf_Data *symdata = NULL;
	size_t i, n;

	if (!data || !sh->sh_entsize)
		return;
	if (symscn && gelf_getshdr(symscn, &symsh))
		symdata = elf_getdata(symscn, NULL);
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Rela rela;
		GElf_Sym sym;
		size_t symi;
		const char *name;

		if (!gelf_getrela(data, (int)i, &rela))
			break;
		if (GELF_R_TYPE(rela.r_info) != R_X86_64_DTPMOD64)
			continue;
		symi = GELF_R_SYM(rela.r_info);
		if (symi == 0) {
			if (!out->dtpmod_slot)
				out->dtpmod_slot = rela.r_offset;
			continue;
		}
		if (!symdata || !gelf_getsym(symdata, (int)symi, &sym))
			continue;
		name = elf_strptr(elf, symsh.sh_link, sym.st_name);
		if (name && !strcmp(name, "ruby_current_ec")) {
			out->dtpmod_slot = rela.r_offset; /* the precise one wins */
			return;
		}
	}
}

__u64 elf_ruby_decode_rip_load(const unsigned char *code, size_t n, __u64 at)
{
	static const unsigned char endbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
	size_t i = 0;
	__s32 disp;

	if (n >= sizeof(endbr64) && !memcmp(code, endbr64, sizeof(endbr64)))
		i = sizeof(endbr64);
	if (i + 1 < n && code[i] == 0x48) /* REX.W: the 64-bit form */
		i++;
	/* 8b 05: mov disp32(%rip), %eax; then ret (c3) */
	if (i + 7 > n || code[i] != 0x8b || code[i + 1] != 0x05 || code[i + 6] != 0xc3)
		return 0;
	memcpy(&disp, code + i + 2, sizeof(disp));
	return at + i + 6 + (__u64)(__s64)disp;
}

/* The bytes of the function at vaddr `at`, from the section that holds it. */
static __u64 decode_function_load(Elf *elf, __u64 at)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || at < sh.sh_addr ||
		    at - sh.sh_addr >= sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || at - sh.sh_addr >= data->d_size)
			return 0;
		return elf_ruby_decode_rip_load((const unsigned char *)data->d_buf +
						    (at - sh.sh_addr),
						data->d_size - (at - sh.sh_addr), at);
	}
	return 0;
}

static int read_segments(Elf *elf, struct elf_ruby *out)
{
	size_t i, n;

	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return -EINVAL;
		if (ph.p_type == PT_TLS) {
			out->has_tls = 1;
			out->tls_vaddr = ph.p_vaddr;
			out->tls_memsz = ph.p_memsz;
			out->tls_align = ph.p_align ? ph.p_align : 1;
		} else if (ph.p_type == PT_LOAD && out->nloads < ELF_RUBY_MAX_LOADS) {
			out->loads[out->nloads].vaddr = ph.p_vaddr;
			out->loads[out->nloads].offset = ph.p_offset;
			out->nloads++;
		}
	}
	return 0;
}

int elf_ruby_read(const char *path, struct elf_ruby *out)
{
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	Elf *elf = NULL;
	int fd, err = 0;

	memset(out, 0, sizeof(*out));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    eh.e_machine != EM_X86_64) {
		err = -ENOEXEC;
		goto cleanup;
	}
	out->is_exec = eh.e_type == ET_EXEC;
	err = read_segments(elf, out);
	if (err)
		goto cleanup;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM)
			scan_symbols(elf, scn, &sh, out);
		else if (sh.sh_type == SHT_RELA)
			scan_relocs(elf, scn, &sh, out);
	}
	if (!out->global_symbols && out->immortal_count)
		out->global_symbols = decode_function_load(elf, out->immortal_count);
cleanup:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

int elf_ruby_bias(const struct elf_ruby *e, __u64 start, __u64 pgoff, __u64 *bias)
{
	int i;

	if (e->is_exec) {
		*bias = 0;
		return 0;
	}
	for (i = 0; i < e->nloads; i++) {
		if ((e->loads[i].offset & PAGE_MASK_4K) == pgoff) {
			*bias = start - (e->loads[i].vaddr & PAGE_MASK_4K);
			return 0;
		}
	}
	return -ENOENT;
}
