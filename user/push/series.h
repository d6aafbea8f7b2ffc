/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * series.h - one interval's profile as Pyroscope series: a pprof per process, named
 * APP{hostname=...,pid=...,comm=...,container_id=...} (APP: --app-name, or the process's
 * command), from the interval's start to its end, handed to the uploader (push/push.h).
 */
#ifndef RBPROF_SERIES_H
#define RBPROF_SERIES_H

#include "output/writer.h"
#include "push/push.h"

/* Room for a series name: an app name, four labels, their values (a hostname is 64). */
#define SERIES_NAME_MAX 512

/* The series name of process `proc` (output/writer.h), app_name NULL: its command. */
void series_name(char *buf, size_t cap, const struct profile_proc *proc, const char *app_name);

/*
 * Queue the profile `prof` (an interval: prof->start_unix_ns, prof->duration_ns) for upload,
 * a pprof for each of its processes that has samples. 0 or -ENOMEM.
 */
int push_series_submit(struct push *push, const struct profile *prof, const char *app_name);

#endif /* RBPROF_SERIES_H */
