/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * minidebuginfo.h - MiniDebugInfo: the .gnu_debugdata section that Fedora and RHEL leave in
 * the binaries they strip, an xz-compressed ELF file holding a symbol table (of functions,
 * in their builds; whatever its creator kept, in general). Decompressed with liblzma into
 * memory and opened with libelf, it is read like any other symbol table.
 */
#ifndef RBPROF_MINIDEBUGINFO_H
#define RBPROF_MINIDEBUGINFO_H

#include <gelf.h>

struct minidebuginfo {
	Elf *elf; /* the embedded ELF file, in `bytes` */
	unsigned char *bytes;
};

/* The MiniDebugInfo of `elf`. 0 and *out open, or -ENODATA (none, or not decodable). */
int minidebuginfo_open(Elf *elf, struct minidebuginfo *out);
void minidebuginfo_close(struct minidebuginfo *m);

#endif /* RBPROF_MINIDEBUGINFO_H */
