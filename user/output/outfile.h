/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * outfile.h - where the profile goes: stdout, or with -o a temporary file beside FILE,
 * opened before profiling (a bad path fails at once, not after the profile was taken) and
 * renamed into place when complete, so that a reader never sees half a profile. Under sudo
 * the file belongs to the user who ran sudo (SUDO_UID, SUDO_GID). A device or a FIFO
 * (/dev/null, a pipe) is written to as it is. A symbolic link is followed only if root or the
 * sudo user made it (/dev/stdout); one another user planted (in /tmp) is replaced by the
 * file, never followed: root writes nowhere a link of theirs points.
 */
#ifndef RBPROF_OUTFILE_H
#define RBPROF_OUTFILE_H

#include <limits.h>
#include <stdio.h>

struct outfile {
	FILE *f;		 /* what the writers write to */
	const char *path;	 /* -o FILE; NULL: stdout */
	char target[PATH_MAX];	 /* what is replaced: path, or what a trusted link resolves to */
	char tmp[PATH_MAX + 16]; /* the temporary file beside it */
	int direct;		 /* path is a device or a FIFO: written as it is, no rename */
};

/* Open the output: `path`, or stdout if NULL. 0, or -errno (nothing created). */
int outfile_open(struct outfile *o, const char *path);

/*
 * Finish the output after writing it: `err` is the writers' result. On success the file is
 * renamed into place; on any failure the temporary file is removed. 0 or -errno.
 */
int outfile_commit(struct outfile *o, int err);

/* Give up: remove the temporary file. */
void outfile_abandon(struct outfile *o);

#endif /* RBPROF_OUTFILE_H */
