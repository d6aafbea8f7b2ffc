/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * msg.h - what rbprof-bpf tells the user on stderr: one line each, "rbprof-bpf: " first, so
 * that its lines stand apart from the profiled programs' and from libbpf's.
 */
#ifndef RBPROF_MSG_H
#define RBPROF_MSG_H

#include <stdarg.h>

#define MSG_PREFIX "rbprof-bpf: "

/* One line on stderr: MSG_PREFIX, the formatted text, a newline. */
__attribute__((format(printf, 1, 2))) void msg(const char *fmt, ...);
__attribute__((format(printf, 1, 0))) void vmsg(const char *fmt, va_list ap);

#endif /* RBPROF_MSG_H */
