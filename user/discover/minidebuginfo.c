// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* minidebuginfo.c - the xz-compressed symbol table in .gnu_debugdata (liblzma). */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include "discover/minidebuginfo.h"

/*
 * The largest decompressed MiniDebugInfo taken: Fedora's libruby carries ~100 KiB of it;
 * a file another user wrote cannot make us allocate more than this.
 */
#define MINIDEBUGINFO_MAX (64U << 20)
/* What liblzma may use to decode it (xz's default dictionary is 8 MiB). */
#define MINIDEBUGINFO_MEMLIMIT (128U << 20)

static Elf_Data *debugdata(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".gnu_debugdata"))
			return elf_rawdata(scn, NULL);
	}
	return NULL;
}

/* xz-decompress in[0..n) into a new buffer. Its length, or 0. */
static size_t unxz(const unsigned char *in, size_t n, unsigned char **out)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = n * 4 > 4096 ? n * 4 : 4096, len = 0;
	unsigned char *buf = NULL;
	lzma_ret r = LZMA_OK;

	if (lzma_stream_decoder(&s, MINIDEBUGINFO_MEMLIMIT, 0) != LZMA_OK)
		return 0;
	s.next_in = in;
	s.avail_in = n;
	while (r == LZMA_OK) {
		unsigned char *p;

		if (cap > MINIDEBUGINFO_MAX)
			cap = MINIDEBUGINFO_MAX;
		p = len < cap ? realloc(buf, cap) : NULL;
		if (!p)
			break;
		buf = p;
		s.next_out = buf + len;
		s.avail_out = cap - len;
		r = lzma_code(&s, LZMA_FINISH);
		len = cap - s.avail_out;
		cap *= 2;
	}
	lzma_end(&s);
	if (r != LZMA_STREAM_END) {
		free(buf);
		return 0;
	}
	*out = buf;
	return len;
}

int minidebuginfo_open(Elf *elf, struct minidebuginfo *out)
{
	Elf_Data *data = debugdata(elf);
	size_t len;

	memset(out, 0, sizeof(*out));
	if (!data || !data->d_buf || !data->d_size)
		return -ENODATA;
	len = unxz(data->d_buf, data->d_size, &out->bytes);
	if (!len)
		return -ENODATA;
	out->elf = elf_memory((char *)out->bytes, len);
	if (!out->elf || elf_kind(out->elf) != ELF_K_ELF) {
		minidebuginfo_close(out);
		return -ENODATA;
	}
	return 0;
}

void minidebuginfo_close(struct minidebuginfo *m)
{
	if (m->elf)
		elf_end(m->elf);
	free(m->bytes);
	memset(m, 0, sizeof(*m));
}
