// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* elf_ruby.c - Ruby's symbols, TLS facts and load segments from an ELF file (libelf). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "discover/debugfile.h"
#include "discover/debuginfod.h"
#include "discover/elf_image.h"
#include "discover/elf_ruby.h"
#include "discover/minidebuginfo.h"

#define PAGE_MASK_4K (~(__u64)0xfff)

/*
 * Exported functions whose code says where a variable is, in a build whose symbol table is
 * stripped (Ruby 3.3+ keeps the three variables local, so they are only in .symtab). Each
 * reads the variable first thing; the lines are those of 3.4.9 (the function is the same in
 * every release from 2.7 to 4.0).
 */
struct code_source {
	const char *func;
	const char *source; /* where Ruby defines it */
};

/* GET_EC(): the thread-local ruby_current_ec. */
static const struct code_source ec_readers[ELF_RUBY_MAX_EC_REFS] = {
    {"rb_errinfo", "eval.c:1941 return GET_EC()->errinfo"},
    {"rb_thread_current", "thread.c:2985 return GET_THREAD()->self"},
    {"rb_block_given_p", "eval.c:937 rb_vm_frame_block_handler(GET_EC()->cfp)"},
};
/* GET_VM(): ruby_current_vm_ptr. */
static const struct code_source vm_reader = {"rb_get_coverages",
					     "thread.c:5793 return GET_VM()->coverages"};
/* ruby_global_symbols.last_id (next_id from 4.0), at offset 0 of rb_symbols_t. */
static const struct code_source symbols_reader = {
    "rb_sym_immortal_count", "symbol.c:1058 return (size_t)ruby_global_symbols.last_id"};

/* What a symbol table gives, and the exported functions the code reader may need. */
struct symbols {
	struct elf_ruby *out;
	enum fact_source source; /* of the table being read */
	int ignore_variables;	 /* RBPROF_SYMBOLS_FROM=code */
	__u64 ec_tls;		 /* st_value of ruby_current_ec */
	int has_ec_symbol;
	__u64 ec_readers[ELF_RUBY_MAX_EC_REFS], vm_reader, symbols_reader;
};

static void note_function(struct symbols *s, const char *name, __u64 value)
{
	int i;

	for (i = 0; i < ELF_RUBY_MAX_EC_REFS; i++)
		if (!strcmp(name, ec_readers[i].func))
			s->ec_readers[i] = value;
	if (!strcmp(name, vm_reader.func))
		s->vm_reader = value;
	else if (!strcmp(name, symbols_reader.func))
		s->symbols_reader = value;
}

static void note_symbol(struct symbols *s, const char *name, const GElf_Sym *sym)
{
	struct elf_ruby *out = s->out;
	int type = GELF_ST_TYPE(sym->st_info);

	if (sym->st_shndx == SHN_UNDEF)
		return;
	if (type == STT_FUNC) {
		if (s->source == FROM_SYMTAB) /* the functions are read in this very file */
			note_function(s, name, sym->st_value);
	} else if (!strcmp(name, "ruby_version") && type == STT_OBJECT) {
		out->has_version = 1;
		out->version = sym->st_value;
	} else if (!strcmp(name, "ruby_current_execution_context_ptr") && type == STT_OBJECT) {
		out->has_ec_global = 1;
		out->ec_global = sym->st_value;
	} else if (s->ignore_variables) {
		return;
	} else if (!strcmp(name, "ruby_current_vm_ptr") && type == STT_OBJECT && !out->has_vm_ptr) {
		out->has_vm_ptr = 1;
		out->vm_ptr = sym->st_value;
		out->vm_ptr_from = s->source;
	} else if (!strcmp(name, "ruby_current_ec") && type == STT_TLS && !s->has_ec_symbol) {
		s->has_ec_symbol = 1;
		s->ec_tls = sym->st_value;
		out->ec_from = s->source;
	} else if (!strcmp(name, "ruby_global_symbols") && type == STT_OBJECT &&
		   !out->global_symbols) {
		out->global_symbols = sym->st_value;
		out->symbols_from = s->source;
	}
}

static void scan_table(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct symbols *s)
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
			note_symbol(s, name, &sym);
	}
}

/* Every symbol table of `elf` (.symtab, .dynsym), as source `from`. */
static void scan_symbols(Elf *elf, enum fact_source from, struct symbols *s)
{
	Elf_Scn *scn = NULL;

	s->source = from;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) &&
		    (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM))
			scan_table(elf, scn, &sh, s);
	}
}

/* Whether the symbol tables read so far gave every variable (more are looked for if not). */
static int have_variables(const struct symbols *s)
{
	const struct elf_ruby *e = s->out;

	return e->has_vm_ptr && (s->has_ec_symbol || e->has_ec_global) && e->global_symbols;
}

/*
 * The symbols the file's own tables lack, from the tables it was stripped of: its debug file
 * on disk, then its MiniDebugInfo. Either holds only symbols (no code): what it gives is
 * about this very file, whose code and relocations stay the ones read.
 */
static void scan_stripped_symbols(Elf *elf, const char *root, const char *name, struct symbols *s)
{
	struct minidebuginfo mini;
	struct debugfile d;

	if (!have_variables(s) && !debugfile_find(elf, root, name, DEBUGFILE_SYMTAB, &d)) {
		scan_symbols(d.elf, FROM_DEBUG_FILE, s);
		debugfile_close(&d);
	}
	if (!have_variables(s) && !minidebuginfo_open(elf, &mini)) {
		scan_symbols(mini.elf, FROM_MINIDEBUGINFO, s);
		minidebuginfo_close(&mini);
	}
}

/*
 * The GOT slot of this file's TLS module id for ruby_current_ec found by symbol: a
 * R_X86_64_DTPMOD64 relocation's slot receives, at load time, the module id of the object
 * that defines its symbol; symbol 0 (a local variable's access) means this object itself.
 * One naming ruby_current_ec wins over one of symbol 0.
 */
static __u64 dtpmod_slot(const struct elf_image *img)
{
	__u64 slot = 0;
	size_t i;

	for (i = 0; i < img->nrelocs; i++) {
		const struct elf_reloc *r = &img->relocs[i];

		if (r->type != R_X86_64_DTPMOD64)
			continue;
		if (!r->sym) {
			if (!slot)
				slot = r->offset;
		} else if (r->sym_name && !strcmp(r->sym_name, "ruby_current_ec")) {
			return r->offset; /* the precise one wins */
		}
	}
	return slot;
}

/* The TLS segment: where ruby_current_ec's block is laid out. */
static int read_tls_segment(Elf *elf, struct elf_ruby *out)
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
		}
	}
	return 0;
}

/* ruby_current_ec as a symbol table gave it: the one place, no candidates. */
static void symbol_ec_ref(const struct elf_image *img, struct symbols *s)
{
	struct elf_ruby *out = s->out;

	out->ec_refs[0] = (struct tls_ref){.kind = TLS_REF_SYMBOL,
					   .slot = dtpmod_slot(img),
					   .offset = (__s64)s->ec_tls,
					   .via = fact_source_name(out->ec_from)};
	out->nec_refs = 1;
	out->has_ec = 1;
}

static void note_missing(struct elf_ruby *out, const char *what)
{
	size_t len = strlen(out->missing);

	snprintf(out->missing + len, sizeof(out->missing) - len, "%s%s", len ? "; " : "", what);
}

/* The facts the symbol tables lacked, from the code of the functions that use them. */
static void read_code(const struct elf_image *img, const struct symbols *s, struct elf_ruby *out)
{
	int i;

	if (!out->has_ec && !out->has_ec_global) {
		for (i = 0; i < ELF_RUBY_MAX_EC_REFS; i++) {
			struct tls_ref *r = &out->ec_refs[out->nec_refs];

			if (s->ec_readers[i] && !code_tls_ref(img, s->ec_readers[i], r)) {
				r->via = ec_readers[i].func;
				out->nec_refs++;
			}
		}
		out->has_ec = out->nec_refs > 0;
		out->ec_from = out->has_ec ? FROM_CODE : FROM_NONE;
		if (!out->has_ec && !code_reader_available())
			note_missing(out, "no symbol ruby_current_ec, and its code cannot be read: "
					  "Capstone (" CODE_READER_LIBRARY ") is not installed");
		else if (!out->has_ec)
			note_missing(out, "no symbol ruby_current_ec, and no TLS access known in "
					  "rb_errinfo, rb_thread_current or rb_block_given_p");
	}
	if (!out->has_vm_ptr) {
		if (s->vm_reader && !code_global_ref(img, s->vm_reader, &out->vm_ptr)) {
			out->has_vm_ptr = 1;
			out->vm_ptr_from = FROM_CODE;
		} else {
			note_missing(out,
				     "no symbol ruby_current_vm_ptr, and rb_get_coverages does "
				     "not read it in a form known");
		}
	}
	if (!out->global_symbols && s->symbols_reader &&
	    !code_global_ref(img, s->symbols_reader, &out->global_symbols))
		out->symbols_from = FROM_CODE;
}

/*
 * Last, what neither the file, its debug files nor its code gave: the debug file of its
 * build id from a debuginfod server (DEBUGINFOD_URLS). Its symbols replace what is missing
 * (a place from a symbol table wins over places from code, which are only candidates).
 */
static void ask_debuginfod(Elf *elf, const struct elf_image *img, struct symbols *s)
{
	struct elf_ruby *out = s->out;
	struct debugfile d;

	if (debuginfod_debugfile(elf, DEBUGFILE_SYMTAB, &d))
		return;
	scan_symbols(d.elf, FROM_DEBUGINFOD, s);
	debugfile_close(&d);
	if (s->has_ec_symbol && out->ec_from == FROM_DEBUGINFOD)
		symbol_ec_ref(img, s);
	out->missing[0] = 0; /* said again below if still so */
	if (!out->has_ec && !out->has_ec_global)
		note_missing(out,
			     "no ruby_current_ec in its symbols, code or debuginfod's debug file");
	if (!out->has_vm_ptr)
		note_missing(out,
			     "no ruby_current_vm_ptr in its symbols, code or debuginfod's debug "
			     "file");
}

int elf_ruby_read(const char *path, const char *root, const char *name, struct elf_ruby *out)
{
	const char *from = getenv("RBPROF_SYMBOLS_FROM");
	struct symbols s = {.out = out, .ignore_variables = from && !strcmp(from, "code")};
	struct elf_image img = {0};
	GElf_Ehdr eh;
	Elf *elf = NULL;
	int fd, err = 0, i;

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
	err = read_tls_segment(elf, out);
	if (err)
		goto cleanup;
	scan_symbols(elf, FROM_SYMTAB, &s);
	if (!out->has_version)
		goto cleanup; /* not a Ruby: nothing more to read */
	if (!s.ignore_variables)
		scan_stripped_symbols(elf, root, name, &s);
	err = elf_image_init(&img, elf);
	if (err)
		goto cleanup;
	for (i = 0; i < img.nloads; i++) {
		out->loads[i].vaddr = img.loads[i].vaddr;
		out->loads[i].offset = img.loads[i].offset;
	}
	out->nloads = img.nloads;
	if (s.has_ec_symbol)
		symbol_ec_ref(&img, &s);
	read_code(&img, &s, out);
	if (!elf_ruby_is_complete(out) && !s.ignore_variables)
		ask_debuginfod(elf, &img, &s);
cleanup:
	elf_image_free(&img);
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

const char *fact_source_name(enum fact_source s)
{
	switch (s) {
	case FROM_SYMTAB:
		return "symbol table";
	case FROM_DEBUG_FILE:
		return "debug file";
	case FROM_MINIDEBUGINFO:
		return "MiniDebugInfo";
	case FROM_DEBUGINFOD:
		return "debuginfod's debug file";
	case FROM_CODE:
		return "code";
	default:
		return "none";
	}
}
