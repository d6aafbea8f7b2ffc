// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * check_reads.c - a layout's fields against the structs the symbolizer reads in one go: an
 * offset past the buffer would read our own stack. A table layout is right by construction;
 * one read from DWARF takes any offset the file says (up to 64 KiB), so a future Ruby whose
 * iseq body grew, or a crafted debug file, must be refused here, not read past the buffer.
 */
#include <errno.h>
#include <stdio.h>
#include "layouts/layout.h"

/* A field: its offset and width inside a struct of `size` bytes. */
struct field_read {
	const char *name;
	__u32 off, width;
};

#define FR(field, w) {#field, L->field, w}

static int fields_inside(const struct field_read *f, int n, __u32 size, const char *what,
			 char *why, size_t cap)
{
	int i;

	for (i = 0; i < n; i++) {
		if ((__u64)f[i].off + f[i].width > size) {
			snprintf(why, cap, "%s at offset %u is past the %u bytes read of %s",
				 f[i].name, f[i].off, size, what);
			return -EINVAL;
		}
	}
	return 0;
}

int ruby_layout_check_reads(const struct ruby_layout *L, char *why, size_t cap)
{
	const struct field_read body[] = {
		FR(body_iseq_size, 4),
		FR(body_iseq_encoded, 8),
		FR(body_pathobj, 8),
		FR(body_label, 8),
		FR(body_type, 4),
		FR(body_local_iseq, 8),
		FR(body_parent_iseq, 8),
		FR(body_first_lineno, L->first_lineno_fixnum ? 8 : 4),
		FR(body_insns_body, 8),
		FR(body_insns_positions, 8),
		FR(body_insns_size, 4),
		FR(body_succ_table, 8),
	};
	const struct field_read insn[] = {FR(insn_info_line_no, 4)};
	const struct field_read shape[] = {
		FR(shape_edge_name, 8),
		FR(shape_next_iv_index, 4),
		FR(shape_type, 1),
		FR(shape_parent_id, 4),
	};
	int err;

	err = fields_inside(body, sizeof(body) / sizeof(body[0]), RUBY_ISEQ_BODY_READ,
			    "rb_iseq_constant_body", why, cap);
	if (!err)
		err = fields_inside(insn, 1, L->insn_info_size, "iseq_insn_info_entry", why, cap);
	if (err || L->class_path != CLASS_PATH_SHAPE_IVARS)
		return err;
	if (L->shape_size > RUBY_SHAPE_SIZE_MAX) {
		snprintf(why, cap, "rb_shape_t is %u bytes, more than the %d read", L->shape_size,
			 RUBY_SHAPE_SIZE_MAX);
		return -EINVAL;
	}
	return fields_inside(shape, sizeof(shape) / sizeof(shape[0]), L->shape_size, "rb_shape_t",
			     why, cap);
}
