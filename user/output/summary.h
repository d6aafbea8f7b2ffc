/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * summary.h - the hottest methods of the profile on stderr at the end, as rbspy's summary
 * shows them: by self share (the samples a method was the innermost frame of) and by total
 * share (the samples it was anywhere on the stack of, counted once per stack).
 */
#ifndef RBPROF_SUMMARY_H
#define RBPROF_SUMMARY_H

#include "aggregate/aggregate.h"

/* Methods listed in each of the two tables. */
#define SUMMARY_TOP 10

/*
 * Print the two tables through msg(). A method is its label and file ("Foo#bar
 * (/app/foo.rb)", lines merged), a C method its label. `skip_root`: frames at the root of
 * every stack that are no methods (1 with --threads: the thread's). 0 or -ENOMEM.
 */
int summary_write(const struct aggregate *a, __u32 skip_root);

#endif /* RBPROF_SUMMARY_H */
