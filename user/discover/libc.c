// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libc.c - glibc or musl, from the program's ELF headers (libelf). */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "discover/debugfile.h"
#include "discover/libc.h"

/* Longest interpreter path looked at ("/lib/ld-musl-x86_64.so.1" is 24 bytes). */
#define INTERP_MAX 256

/* Whether the PT_NOTE segment `ph` holds glibc's ABI tag ("GNU", NT_GNU_ABI_TAG). */
static int has_gnu_abi_tag(Elf *elf, const GElf_Phdr *ph)
{
	Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0)
		if (nh.n_type == NT_GNU_ABI_TAG && nh.n_namesz == 4 &&
		    !memcmp((const char *)data->d_buf + name_off, "GNU", 4))
			return 1;
	return 0;
}

/* musl if the interpreter's file name is musl's; glibc otherwise. */
static enum libc_kind libc_of_interp(Elf *elf, const GElf_Phdr *ph)
{
	size_t len = ph->p_filesz < INTERP_MAX ? ph->p_filesz : INTERP_MAX;
	Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)ph->p_offset, len, ELF_T_BYTE);
	char interp[INTERP_MAX + 1] = {0};
	const char *base;

	if (!data || !data->d_buf)
		return LIBC_GLIBC;
	memcpy(interp, data->d_buf, data->d_size < INTERP_MAX ? data->d_size : INTERP_MAX);
	base = strrchr(interp, '/');
	base = base ? base + 1 : interp;
	return !strncmp(base, "ld-musl-", 8) ? LIBC_MUSL : LIBC_GLIBC;
}

static enum libc_kind libc_of_elf(Elf *elf)
{
	int tagged = 0;
	size_t i, n;

	if (elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &n))
		return LIBC_GLIBC;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			break;
		if (ph.p_type == PT_INTERP)
			return libc_of_interp(elf, &ph);
		if (ph.p_type == PT_NOTE && !tagged)
			tagged = has_gnu_abi_tag(elf, &ph);
	}
	/* A static program: glibc's leaves its ABI tag, musl's none. */
	return tagged ? LIBC_GLIBC : LIBC_MUSL;
}

enum libc_kind libc_of_process(pid_t pid)
{
	enum libc_kind k = LIBC_GLIBC;
	char path[64];
	Elf *elf;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (elf_version(EV_CURRENT) == EV_NONE || !(elf = elf_open_path(path, &fd)))
		return k;
	k = libc_of_elf(elf);
	elf_end(elf);
	close(fd);
	return k;
}

const char *libc_name(enum libc_kind k)
{
	return k == LIBC_MUSL ? "musl" : "glibc";
}
