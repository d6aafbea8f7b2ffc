/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * debuginfod.h - a file's debug file from the debuginfod servers that DEBUGINFOD_URLS names
 * (Debian, Ubuntu and Fedora run public ones), by build id, for a Ruby whose symbols or
 * layout nothing on the host has: through libdebuginfod, within a time limit, into its
 * cache, so that the next run finds it there without the network. Without DEBUGINFOD_URLS
 * nothing is asked.
 */
#ifndef RBPROF_DEBUGINFOD_H
#define RBPROF_DEBUGINFOD_H

#include "discover/debugfile.h"

/*
 * Seconds one download may take before it is given up; after one is given up, no server is
 * asked again in this run (a host with no route to them would otherwise wait this long for
 * every Ruby it finds).
 */
#define DEBUGINFOD_TIME_LIMIT 10
/* Where downloads are kept when DEBUGINFOD_CACHE_PATH does not say (root's, not a user's). */
#define DEBUGINFOD_CACHE_DEFAULT "/var/cache/rbprof-bpf/debuginfod"

/* The debug file of `elf` that has `want`. 0 and *out open, or -ENODATA / -ETIMEDOUT. */
int debuginfod_debugfile(Elf *elf, enum debugfile_want want, struct debugfile *out);

#endif /* RBPROF_DEBUGINFOD_H */
