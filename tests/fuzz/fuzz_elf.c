// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The readers of the files a process maps, on mutated copies of real ones (the tests'
 * stand-in libruby builds, with symbols, stripped, with DWARF, MiniDebugInfo): the ELF reader
 * (symbols, PT_TLS, relocations, .gnu_debugdata through liblzma), the code reader of stripped
 * Rubies (Capstone) on whatever the file's code is, and the DWARF layout reader (libdw). A
 * file in a container can be anything; reading it must end in an answer or an error.
 *
 * Input: the file's bytes, read through a memfd as /proc/self/fd/N, as the loader reads a
 * mapped file through /proc/PID/map_files.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "discover/elf_ruby.h"
#include "layouts/dwarf_layout.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct dwarf_layout dl;
	struct elf_ruby e;
	char path[64], why[256];
	int fd = memfd_create("fuzz-elf", MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	elf_ruby_read(path, NULL, NULL, &e);
	dwarf_layout_read(path, "", NULL, "4.1.0", &dl, why, sizeof(why));
	close(fd);
	return 0;
}
