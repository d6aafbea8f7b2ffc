// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* debugfile.c - a file's separate debug file on disk (libelf, libdw's dwelf). */
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "discover/debugfile.h"

/* A build id is a SHA-1 (20 bytes) by default; 64 leaves room for any --build-id style. */
#define MAX_BUILD_ID 64

static int has_section(Elf *elf, const char *want, const char *want_compressed)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && (!strcmp(name, want) || !strcmp(name, want_compressed)))
			return 1;
	}
	return 0;
}

int debugfile_has(Elf *elf, enum debugfile_want want)
{
	if (want == DEBUGFILE_DWARF)
		return has_section(elf, ".debug_info", ".zdebug_info");
	return has_section(elf, ".symtab", ".symtab");
}

Elf *elf_open_path(const char *path, int *fd)
{
	Elf *elf;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(*fd);
		*fd = -1;
		errno = ENOEXEC;
		return NULL;
	}
	return elf;
}

/* The .gnu_debuglink CRC: zlib's crc32 over the whole debug file. */
static int file_crc(int fd, GElf_Word *crc)
{
	unsigned char buf[65536];
	uLong c = crc32(0, NULL, 0);
	off_t at = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), at)) > 0) {
		c = crc32(c, buf, (uInt)n);
		at += n;
	}
	*crc = (GElf_Word)c;
	return n < 0 ? -errno : 0;
}

/* A candidate search: what is wanted of the debug file, and where it goes. */
struct search {
	Elf *elf; /* the file whose debug file is looked for */
	enum debugfile_want want;
	struct debugfile *out;
};

/* Use `path` as the debug file if it has what is wanted and belongs to the file. 0, -ENOENT. */
static int try_debug_file(struct search *q, const char *path, const void *id, ssize_t idlen,
			  int check_crc, GElf_Word crc)
{
	const void *cand_id;
	GElf_Word cand_crc;
	int fd, ok;
	Elf *elf = elf_open_path(path, &fd);

	if (!elf)
		return -ENOENT;
	ok = debugfile_has(elf, q->want);
	if (ok && idlen > 0)
		ok = dwelf_elf_gnu_build_id(elf, &cand_id) == idlen && !memcmp(cand_id, id, idlen);
	else if (ok && check_crc)
		ok = !file_crc(fd, &cand_crc) && cand_crc == crc;
	if (!ok) {
		elf_end(elf);
		close(fd);
		return -ENOENT;
	}
	q->out->elf = elf;
	q->out->fd = fd;
	snprintf(q->out->path, sizeof(q->out->path), "%s", path);
	return 0;
}

/*
 * A .gnu_debuglink name is looked for where GDB looks: beside the file, in its .debug/, and
 * under /usr/lib/debug plus the file's directory. Without a build id, the CRC must match.
 */
static int find_by_debuglink(struct search *q, const char *root, const char *name, const void *id,
			     ssize_t idlen)
{
	char path[PATH_MAX];
	GElf_Word crc = 0;
	const char *link = dwelf_elf_gnu_debuglink(q->elf, &crc);
	const char *slash = name ? strrchr(name, '/') : NULL;
	int dir, k, n;

	if (!link || !*link || strchr(link, '/') || !slash)
		return -ENODATA;
	dir = (int)(slash - name);
	for (k = 0; k < 3; k++) {
		if (k == 0)
			n = snprintf(path, sizeof(path), "%s%.*s/%s", root, dir, name, link);
		else if (k == 1)
			n = snprintf(path, sizeof(path), "%s%.*s/.debug/%s", root, dir, name, link);
		else
			n = snprintf(path, sizeof(path), "%s/usr/lib/debug%.*s/%s", root, dir, name,
				     link);
		if (n > 0 && n < (int)sizeof(path) && !try_debug_file(q, path, id, idlen, 1, crc))
			return 0;
	}
	return -ENODATA;
}

int debugfile_find(Elf *elf, const char *root, const char *name, enum debugfile_want want,
		   struct debugfile *out)
{
	struct search q = {.elf = elf, .want = want, .out = out};
	char path[PATH_MAX], hex[2 * MAX_BUILD_ID + 1];
	const unsigned char *id = NULL;
	ssize_t idlen, i;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	root = root ? root : "";
	idlen = dwelf_elf_gnu_build_id(elf, (const void **)&id);
	if (idlen <= 1 || idlen > MAX_BUILD_ID)
		return find_by_debuglink(&q, root, name, NULL, 0);
	for (i = 0; i < idlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	if (snprintf(path, sizeof(path), "%s/usr/lib/debug/.build-id/%.2s/%s.debug", root, hex,
		     hex + 2) < (int)sizeof(path) &&
	    !try_debug_file(&q, path, id, idlen, 0, 0))
		return 0;
	return find_by_debuglink(&q, root, name, id, idlen);
}

void debugfile_close(struct debugfile *d)
{
	if (d->elf)
		elf_end(d->elf);
	if (d->fd >= 0)
		close(d->fd);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
}
