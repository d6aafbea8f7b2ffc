// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The expected layout of the LOOKALIKE_NEW (Ruby 4.0-like) look-alike. */
#define LOOKALIKE_NEW
#include "fixtures/dwarf_lookalike.h"
#define LOOKALIKE_OBJSPACE gc.objspace
#include "lookalike_fill.h"

void lookalike_new_layout(struct ruby_layout *L, const struct ruby_layout *base)
{
	lookalike_fill(L, base);
}
