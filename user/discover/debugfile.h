/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * debugfile.h - the separate debug file of an ELF file, where distributions put what they
 * strip (Debian's -dbgsym, Fedora's -debuginfo packages): by build id under
 * /usr/lib/debug/.build-id/, then by the .gnu_debuglink name beside the file, in its .debug/
 * and under /usr/lib/debug, all looked up in the process's own root. A candidate must carry
 * the same build id (or, without one, the debuglink's CRC) and what the caller wants of it:
 * DWARF (for a layout) or a symbol table (for where the VM's variables are).
 */
#ifndef RBPROF_DEBUGFILE_H
#define RBPROF_DEBUGFILE_H

#include <gelf.h>
#include <limits.h>
#include <stddef.h>

enum debugfile_want {
	DEBUGFILE_DWARF,  /* a .debug_info section */
	DEBUGFILE_SYMTAB, /* a .symtab */
};

struct debugfile {
	int fd;
	Elf *elf;
	char path[PATH_MAX];
};

/* Open `path` as an ELF file: the Elf, or NULL (*fd -1) with errno: open's, or ENOEXEC. */
Elf *elf_open_path(const char *path, int *fd);

/* Whether `elf` has what `want` names. */
int debugfile_has(Elf *elf, enum debugfile_want want);

/*
 * The debug file of `elf`, the file `name` in `root` (a directory standing for "/": "" for
 * the host, "/proc/PID/root" for a process's view), that has `want`. 0 and *out open, or
 * -ENODATA.
 */
int debugfile_find(Elf *elf, const char *root, const char *name, enum debugfile_want want,
		   struct debugfile *out);

void debugfile_close(struct debugfile *d);

#endif /* RBPROF_DEBUGFILE_H */
