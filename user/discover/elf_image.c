// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* elf_image.c - an ELF file's bytes by address, its relocations by target (libelf). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "discover/elf_image.h"

/*
 * Relocations kept: a libruby has ~20k (most R_X86_64_RELATIVE); past this, a file is not a
 * Ruby build anyone ships, and what follows is not indexed.
 */
#define ELF_IMAGE_MAX_RELOCS (1U << 20)

static int cmp_reloc(const void *a, const void *b)
{
	const struct elf_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int add_relocs(struct elf_image *img, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
		      size_t *cap)
{
	Elf_Data *data = elf_getdata(scn, NULL), *symdata = NULL;
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	GElf_Shdr symsh;
	size_t i, n;

	if (!data || !sh->sh_entsize)
		return 0;
	if (symscn && gelf_getshdr(symscn, &symsh))
		symdata = elf_getdata(symscn, NULL);
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n && img->nrelocs < ELF_IMAGE_MAX_RELOCS; i++) {
		struct elf_reloc *r;
		GElf_Rela rela;
		GElf_Sym sym;

		if (!gelf_getrela(data, (int)i, &rela))
			break;
		if (img->nrelocs == *cap) {
			size_t ncap = *cap ? *cap * 2 : 1024;
			struct elf_reloc *p = realloc(img->relocs, ncap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			img->relocs = p;
			*cap = ncap;
		}
		r = &img->relocs[img->nrelocs++];
		memset(r, 0, sizeof(*r));
		r->offset = rela.r_offset;
		r->type = (__u32)GELF_R_TYPE(rela.r_info);
		r->sym = (__u32)GELF_R_SYM(rela.r_info);
		r->addend = rela.r_addend;
		if (r->sym && symdata && gelf_getsym(symdata, (int)r->sym, &sym)) {
			r->sym_name = elf_strptr(elf, symsh.sh_link, sym.st_name);
			r->sym_defined = sym.st_shndx != SHN_UNDEF;
			r->sym_value = r->sym_defined ? sym.st_value : 0;
		}
	}
	return 0;
}

int elf_image_init(struct elf_image *img, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t i, n, cap = 0;
	int err;

	memset(img, 0, sizeof(*img));
	img->bytes = (const unsigned char *)elf_rawfile(elf, &img->size);
	if (!img->bytes || elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			return -EINVAL;
		if (ph.p_type != PT_LOAD || img->nloads == ELF_IMAGE_MAX_LOADS)
			continue;
		if (ph.p_offset > img->size || ph.p_filesz > img->size - ph.p_offset)
			continue; /* a segment past the end of the file: nothing of it is read */
		img->loads[img->nloads].vaddr = ph.p_vaddr;
		img->loads[img->nloads].offset = ph.p_offset;
		img->loads[img->nloads].filesz = ph.p_filesz;
		img->nloads++;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA)
			continue;
		err = add_relocs(img, elf, scn, &sh, &cap);
		if (err) {
			elf_image_free(img);
			return err;
		}
	}
	if (img->nrelocs)
		qsort(img->relocs, img->nrelocs, sizeof(*img->relocs), cmp_reloc);
	return 0;
}

void elf_image_free(struct elf_image *img)
{
	free(img->relocs);
	memset(img, 0, sizeof(*img));
}

const unsigned char *elf_image_at(const struct elf_image *img, __u64 vaddr, size_t len)
{
	int i;

	for (i = 0; i < img->nloads; i++) {
		__u64 off = vaddr - img->loads[i].vaddr;

		if (vaddr >= img->loads[i].vaddr && off < img->loads[i].filesz &&
		    len <= img->loads[i].filesz - off)
			return img->bytes + img->loads[i].offset + off;
	}
	return NULL;
}

const struct elf_reloc *elf_image_reloc(const struct elf_image *img, __u64 vaddr)
{
	size_t lo = 0, hi = img->nrelocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (img->relocs[mid].offset < vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < img->nrelocs && img->relocs[lo].offset == vaddr ? &img->relocs[lo] : NULL;
}
