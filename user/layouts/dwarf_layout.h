/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dwarf_layout.h - a `struct ruby_layout` read from the DWARF of a Ruby build (libruby.so or
 * a ruby with the VM linked in), for a version without a checked table entry. The structs,
 * members and enumerators it reads are those of scripts/ruby-offsets.rb.
 */
#ifndef RBPROF_DWARF_LAYOUT_H
#define RBPROF_DWARF_LAYOUT_H

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include "layouts/layout.h"

struct dwarf_layout {
	struct ruby_layout layout; /* .series and .releases point into this struct */
	char series[16];	   /* "3.3" */
	char releases[48];	   /* "3.3.99-3.3.99" */
	/*
	 * The known layout that the constants which are not in the DWARF (#defines) came from:
	 * the version's series, else the nearest release before it. from_base names them.
	 */
	const struct ruby_layout *base;
	char from_base[128];
	char
	    debug_path[PATH_MAX]; /* the separate debug file read, "" if the DWARF is in the file */
};

/* dwarf_layout_read: the DWARF lacks something the profiler needs (`why` names it). */
#define DWARF_LAYOUT_INCOMPLETE (-ENOMSG)

/* Whether dwarf_layout_read's err says that path could not be opened or read as ELF. */
static inline int dwarf_layout_unopened(int err)
{
	return err && err != -ENODATA && err != DWARF_LAYOUT_INCOMPLETE && err != -ERANGE &&
	       err != -EINVAL && err != -ENOMEM;
}

/*
 * Read the layout of Ruby `version` from the DWARF of `path`, or of its separate debug file
 * (found under `root` from the file's own path `name`: see dwarf_file_open()).
 * 0 on success. -ENODATA: no DWARF. DWARF_LAYOUT_INCOMPLETE: the DWARF lacks something the
 * profiler needs, or has it in a form no layout kind describes (a new Ruby): `why` names it.
 * -ERANGE: no known layout to take #define constants from (older than every one). -EINVAL:
 * not a version. -ENOEXEC: not an ELF file. Else the -errno of opening `path` (why: "cannot
 * open it: ..."), or -ENOMEM.
 */
int dwarf_layout_read(const char *path, const char *root, const char *name, const char *version,
		      struct dwarf_layout *out, char *why, size_t whylen);

/*
 * Compare two layouts member by member: the number of differences, each described in `buf`
 * ("body_label 80 != 72; ..."). Used by the tests that hold DWARF against the table.
 */
int ruby_layout_diff(const struct ruby_layout *a, const struct ruby_layout *b, char *buf,
		     size_t cap);

#endif /* RBPROF_DWARF_LAYOUT_H */
