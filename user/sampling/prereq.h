/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * prereq.h - whether BPF sampling can work here, checked before anything is loaded so that
 * the user gets one line that names what is missing: the privileges (BPF, perf events,
 * reading other processes' memory) and the kernel's BTF.
 */
#ifndef RBPROF_PREREQ_H
#define RBPROF_PREREQ_H

/* One line naming what is missing, or NULL if BPF profiling can work here. */
const char *sampling_missing_prerequisite(void);

#endif /* RBPROF_PREREQ_H */
