/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rotate.h - -o DIR --rotate SECS: one complete profile file per interval in DIR, named by
 * the interval's start time (UTC, so that names sort by time: rbprof-20261203T154437Z.svg),
 * written atomically (a temporary file renamed into place, as -o FILE is) and owned by the
 * user who ran sudo.
 */
#ifndef RBPROF_ROTATE_H
#define RBPROF_ROTATE_H

#include "output/writer.h"

/* Room for a file name of rotate_name: "rbprof-", the time, ".", an extension. */
#define ROTATE_NAME_MAX 48

/*
 * DIR is a directory we can write to, made (0755, the sudo user's) if missing. 0 or -errno:
 * -ELOOP if DIR is a symbolic link another user made (root does not follow it).
 */
int rotate_dir_ready(const char *dir);

/* The name of the file of an interval that started at start_unix_ns. */
void rotate_name(char *buf, size_t cap, __u64 start_unix_ns, const struct writer *w);

/*
 * Write profile `prof` (an interval from prof->start_unix_ns) with w into DIR. The file's
 * path into path (PATH_MAX). 0 or -errno (nothing left behind).
 */
int rotate_write(const char *dir, const struct writer *w, const struct profile *prof, char *path,
		 size_t cap);

#endif /* RBPROF_ROTATE_H */
