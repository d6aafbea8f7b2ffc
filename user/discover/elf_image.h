/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * elf_image.h - an ELF file as the code reader needs it: its bytes by virtual address (code
 * and initialised data, as the loader would map them) and its dynamic relocations by the
 * address they patch. Everything in it comes from a file another user may have written:
 * every address is checked against the segments, every count against the file's size.
 */
#ifndef RBPROF_ELF_IMAGE_H
#define RBPROF_ELF_IMAGE_H

#include <gelf.h>
#include <stddef.h>
#include <linux/types.h>

/* PT_LOAD segments kept per file: a linker emits 4 (R, RX, R, RW), 8 leaves room. */
#define ELF_IMAGE_MAX_LOADS 8

/* One relocation, with what its symbol is (if it has one). */
struct elf_reloc {
	__u64 offset; /* the address it patches */
	__u32 type;   /* R_X86_64_* */
	__u32 sym;    /* symbol index, 0: none */
	int sym_defined;
	const char *sym_name; /* in the ELF's string table: valid while it is open */
	__u64 sym_value;      /* the symbol's st_value, if defined here */
	__s64 addend;
};

struct elf_image {
	const unsigned char *bytes; /* the whole file, mapped by libelf while the Elf is open */
	size_t size;
	int nloads;
	struct {
		__u64 vaddr, offset, filesz;
	} loads[ELF_IMAGE_MAX_LOADS];
	struct elf_reloc *relocs; /* sorted by offset */
	size_t nrelocs;
};

/* Index `elf` (which must stay open while the image is used). 0 or -errno. */
int elf_image_init(struct elf_image *img, Elf *elf);
void elf_image_free(struct elf_image *img);

/* The `len` bytes at `vaddr`, if the file holds all of them; else NULL. */
const unsigned char *elf_image_at(const struct elf_image *img, __u64 vaddr, size_t len);

/* The relocation that patches `vaddr`, or NULL. */
const struct elf_reloc *elf_image_reloc(const struct elf_image *img, __u64 vaddr);

#endif /* RBPROF_ELF_IMAGE_H */
