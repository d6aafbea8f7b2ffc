// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The readers of the files a process maps, on mutated copies of real ones (the tests'
 * stand-in libruby builds, with symbols, stripped, with DWARF, MiniDebugInfo): the ELF reader
 * (symbols, PT_TLS, relocations, .gnu_debugdata through liblzma), the code reader of stripped
 * Rubies (Capstone) on whatever the file's code is, and the DWARF layout reader (libdw). A
 * file in a container can be anything; reading it must end in an answer or an error. Then
 * the TLS resolution (discover/tls.c) of each place the file keeps its EC, against process
 * memory that answers every read with bytes of the file itself (GOT slots, module ids and
 * TLS descriptors a hostile process could hold), for both libcs, as a library and as an
 * executable.
 *
 * Input: the file's bytes, read through a memfd as /proc/self/fd/N, as the loader reads a
 * mapped file through /proc/PID/map_files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "discover/elf_ruby.h"
#include "discover/tls.h"
#include "layouts/dwarf_layout.h"

/* Process memory made of the input: a read at addr gets the input's bytes from addr on. */
struct input_mem {
	struct memread base;
	const unsigned char *data;
	size_t size;
};

static int input_read(struct memread *m, __u64 addr, void *buf, size_t len)
{
	const struct input_mem *im = (const struct input_mem *)m;
	size_t i;

	if (!im->size || len > 1 << 20)
		return -EFAULT;
	for (i = 0; i < len; i++)
		((unsigned char *)buf)[i] = im->data[(addr + i) % im->size];
	return 0;
}

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
	if (!elf_ruby_read(path, NULL, NULL, &e)) {
		struct input_mem mem = {{input_read}, data, size};
		struct rbprof_proc p;
		int i;

		for (i = 0; i <= e.nec_refs && i <= ELF_RUBY_MAX_EC_REFS; i++) {
			const struct tls_ref *ref = i < e.nec_refs ? &e.ec_refs[i] : NULL;

			memset(&p, 0, sizeof(p));
			tls_resolve(&e, ref, i & 1, (i & 2) ? LIBC_MUSL : LIBC_GLIBC,
				    0x7f0000000000ULL, &mem.base, &p, why, sizeof(why));
		}
	}
	dwarf_layout_read(path, "", NULL, "4.1.0", &dl, why, sizeof(why));
	close(fd);
	return 0;
}
