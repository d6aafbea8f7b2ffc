// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The expected layout of the default (Ruby 2.7-like) look-alike. */
#include "fixtures/dwarf_lookalike.h"
#define LOOKALIKE_OBJSPACE objspace
#include "lookalike_fill.h"

void lookalike_old_layout(struct ruby_layout *L)
{
	lookalike_fill(L, NULL);
}
