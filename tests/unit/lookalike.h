/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lookalike.h - the layouts that the DWARF of the stand-in libruby builds
 * (fixtures/dwarf_lookalike.h) must give, from the compiler's own view of those structs:
 * offsetof, sizeof, bitfields set in memory, enum values.
 */
#ifndef RBPROF_LOOKALIKE_H
#define RBPROF_LOOKALIKE_H

#include "layouts/layout.h"

/* The default (Ruby 2.7-like) shape. */
void lookalike_old_layout(struct ruby_layout *L);
/* The LOOKALIKE_NEW (4.0-like) shape; its #define constants are `base`'s. */
void lookalike_new_layout(struct ruby_layout *L, const struct ruby_layout *base);
/* The LOOKALIKE_SHAPES (3.2-like) shape; its #define constants are `base`'s. */
void lookalike_shapes_layout(struct ruby_layout *L, const struct ruby_layout *base);

#endif
