// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* syscalls.c - system call names, generated from <asm/unistd.h> (Makefile: syscall_names.h). */
#include <asm/unistd.h>
#include <stddef.h>
#include "common/syscalls.h"

_Static_assert(__NR_futex == RBPROF_NR_FUTEX, "futex's number is not x86_64's");

static const char *const names[] = {
#include "syscall_names.h"
};

const char *syscall_name(int nr)
{
	if (nr < 0 || (size_t)nr >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[nr];
}
