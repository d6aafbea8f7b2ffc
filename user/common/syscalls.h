/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* syscalls.h - a system call's name from its number (this architecture's, x86_64). */
#ifndef RBPROF_SYSCALLS_H
#define RBPROF_SYSCALLS_H

/* __NR_futex on x86_64 (asm/unistd_64.h): where a thread waiting for the GVL blocks. */
#define RBPROF_NR_FUTEX 202

/* The name of system call nr ("read"), or NULL if it has none. */
const char *syscall_name(int nr);

#endif /* RBPROF_SYSCALLS_H */
