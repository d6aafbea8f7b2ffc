/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * folded.h - write the aggregated profile as folded stacks ("a;b;c 42"), the input of
 * flamegraph.pl, speedscope and inferno: one line per distinct stack, sorted.
 */
#ifndef RBPROF_FOLDED_H
#define RBPROF_FOLDED_H

#include <stdio.h>
#include "aggregate/aggregate.h"

/*
 * Append `src` to the buffer, escaped so that it cannot break the format: ';' (frame
 * separator), '\\' (the escape itself) and every byte below 0x20 or 0x7f (newline, CR, ...)
 * become "\xNN" ("\\" for a backslash). Returns the escaped length (excluding NUL); output is
 * cut to fit `cap` like snprintf.
 */
size_t folded_escape(char *dst, size_t cap, const char *src);

/* The text of a special frame (enum frame_kind below FRAME_RUBY): "[cfunc]", "(sweeping)"... */
const char *folded_special(int kind);

/* The "COMM [PID]" root frame of a process id in the aggregate. */
typedef void (*folded_proc_name_fn)(void *ctx, __u32 proc_id, char *buf, size_t cap);

/* Write every stack of `a`, sorted, identical lines merged. 0 or -errno. */
int folded_write(FILE *out, const struct aggregate *a, folded_proc_name_fn proc_name, void *ctx);

#endif /* RBPROF_FOLDED_H */
