// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* choose.c - a process's layout: forced, table, DWARF or series; and the notice. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "layouts/choose.h"

int layout_from_table(const char *version, const char *force, const struct ruby_layout **L,
		      struct layout_origin *o)
{
	int exact;

	memset(o, 0, sizeof(*o));
	if (force) {
		/* the user's word: no notice, no DWARF */
		*L = ruby_layout_find(force, &exact);
		o->source = LAYOUT_FORCED;
		return 1;
	}
	*L = ruby_layout_find(version, &exact);
	o->source = LAYOUT_TABLE;
	return *L && exact;
}

static void note_append(struct layout_origin *o, const char *s)
{
	size_t len = strlen(o->note);

	snprintf(o->note + len, sizeof(o->note) - len, "%s", s);
}

const struct ruby_layout *layout_from_dwarf(const char *version, const struct dwarf_layout *dl,
					    int dwarf_read_err, const char *why,
					    struct layout_origin *o)
{
	int exact;

	memset(o, 0, sizeof(*o));
	if (dl) {
		o->source = LAYOUT_DWARF;
		note_append(o, "offsets from its DWARF");
		if (dl->debug_path[0]) {
			note_append(o, " in ");
			note_append(o, dl->debug_path);
		}
		if (dl->from_base[0]) {
			note_append(o, "; ");
			note_append(o, dl->from_base);
			note_append(o, " (not in DWARF) from the ");
			note_append(o, dl->base->series);
			note_append(o, " layout");
		}
		return &dl->layout;
	}
	o->source = LAYOUT_SERIES;
	if (dwarf_read_err == -ENODATA)
		snprintf(o->note, sizeof(o->note), "no DWARF to read offsets from");
	else if (dwarf_read_err == DWARF_LAYOUT_INCOMPLETE)
		snprintf(o->note, sizeof(o->note), "its DWARF is incomplete: %s", why);
	else
		snprintf(o->note, sizeof(o->note), "%s", why);
	return ruby_layout_find(version, &exact);
}
