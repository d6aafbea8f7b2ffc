/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * choose.h - which layout a Ruby process is read with, and a notice that says why when it
 * is not simply its release's table entry: --force-version's entry, else the table's entry
 * for the release, else the layout the VM file's DWARF gives, else its series' newest entry.
 */
#ifndef RBPROF_CHOOSE_H
#define RBPROF_CHOOSE_H

#include "layouts/dwarf_layout.h"
#include "layouts/layout.h"

/* Where a process's layout came from. */
enum layout_source {
	LAYOUT_TABLE,  /* the table's entry for its release */
	LAYOUT_FORCED, /* --force-version's entry */
	LAYOUT_DWARF,  /* its DWARF (a release the table lacks, built with -g) */
	LAYOUT_SERIES, /* its series' entry: no table entry, no (complete) DWARF */
};

struct layout_origin {
	enum layout_source source;
	char note[512]; /* LAYOUT_DWARF, LAYOUT_SERIES (and unsupported): a notice for the user */
};

/*
 * What the table says for Ruby `version`: with `force` (--force-version) that version's
 * entry; else the entry whose release range holds `version`. 1 if that settles it (*L set;
 * NULL for a forced version without an entry), 0 if the VM file's DWARF is to be read and
 * layout_from_dwarf() decides.
 */
int layout_from_table(const char *version, const char *force, const struct ruby_layout **L,
		      struct layout_origin *o);

/*
 * A release without a table entry: the layout its DWARF gave (`dl`), else its series' entry,
 * with the reason the DWARF was not used (dwarf_read_err, what dwarf_layout_read returned, and
 * its `why`); NULL when the series has no entry either (o->note says why).
 */
const struct ruby_layout *layout_from_dwarf(const char *version, const struct dwarf_layout *dl,
					    int dwarf_read_err, const char *why,
					    struct layout_origin *o);

#endif /* RBPROF_CHOOSE_H */
