/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* child.h - test programs run as child processes whose stdout the test reads. */
#ifndef RBPROF_TEST_CHILD_H
#define RBPROF_TEST_CHILD_H

#include <stdio.h>
#include <sys/types.h>

/*
 * Run `prog` (with one argument `arg`, or none if NULL), its stdout a pipe read through
 * *out. The pid, or -1. *out stays open until child_stop(): the program may write more.
 */
pid_t child_spawn(const char *prog, const char *arg, FILE **out);
/* Kill and reap it, close *out. */
void child_stop(pid_t pid, FILE *out);

#endif
