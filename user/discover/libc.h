/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * libc.h - which C library a process runs on: its threads' TLS is laid out by it (glibc's
 * DTV entries are two words, musl's one; their static TLS blocks sit at other offsets), so
 * the sampler must know. Told by the program's interpreter (PT_INTERP: /lib/ld-musl-*.so.1
 * or glibc's ld-linux-*.so.2), or for a static program by glibc's ABI tag note, which its
 * crt1.o puts in every program and musl's does not.
 */
#ifndef RBPROF_LIBC_H
#define RBPROF_LIBC_H

#include <sys/types.h>

enum libc_kind {
	LIBC_GLIBC,
	LIBC_MUSL, /* Alpine's, and what musl-gcc builds */
};

/* The libc of process `pid`, from its executable (glibc if it cannot be read). */
enum libc_kind libc_of_process(pid_t pid);

const char *libc_name(enum libc_kind k);

#endif /* RBPROF_LIBC_H */
