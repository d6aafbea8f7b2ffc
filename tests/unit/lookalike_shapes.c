// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The expected layout of the LOOKALIKE_SHAPES (Ruby 3.2-like) look-alike. */
#define LOOKALIKE_NEW
#define LOOKALIKE_SHAPES
#include "fixtures/dwarf_lookalike.h"
#define LOOKALIKE_OBJSPACE gc.objspace
#include "lookalike_fill.h"

void lookalike_shapes_layout(struct ruby_layout *L, const struct ruby_layout *base)
{
	lookalike_fill(L, base);
}
