/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * object.h - reading Ruby objects (String, Array, iseq) out of another process's memory.
 * Everything read is untrusted: types are checked, lengths and counts bounded.
 */
#ifndef RBPROF_OBJECT_H
#define RBPROF_OBJECT_H

#include "rubyvm/line_table.h"
#include "rubyvm/memread.h"
#include "layouts/layout.h"

/* Longest label or path kept (bytes); longer ones are cut there. */
#define RUBY_STR_MAX 4096
/* Largest iseq accepted (VALUEs): a million words of bytecode is far past real methods. */
#define RUBY_ISEQ_MAX_SIZE (1U << 20)

/* include/ruby/internal/value_type.h */
#define RUBY_T_MASK   0x1f
#define RUBY_T_STRING 0x05
#define RUBY_T_ARRAY  0x07
#define RUBY_T_IMEMO  0x1a
/* internal/imemo.h: imemo type in flags bits 12..15; imemo_iseq = 7 */
#define RUBY_IMEMO_SHIFT 12
#define RUBY_IMEMO_MASK	 0x0f
#define RUBY_IMEMO_ISEQ	 7

/*
 * Whether a word read from the process can be followed: an object on the Ruby heap, an env
 * on a VM stack or a malloc'd struct is 8-aligned and never in the first page; special
 * constants (nil, true, Fixnums, static Symbols, flonums) are neither.
 */
static inline int ruby_is_pointer(__u64 v)
{
	return v >= 4096 && !(v & 7);
}

/* vm_core.h: enum iseq_type */
enum ruby_iseq_type {
	ISEQ_TYPE_TOP,
	ISEQ_TYPE_METHOD,
	ISEQ_TYPE_BLOCK,
	ISEQ_TYPE_CLASS,
	ISEQ_TYPE_RESCUE,
	ISEQ_TYPE_ENSURE,
	ISEQ_TYPE_EVAL,
	ISEQ_TYPE_MAIN,
	ISEQ_TYPE_PLAIN,
};

/* What the symbolizer keeps of one iseq (or, with no path, of one C method). */
struct iseq_info {
	char *label;
	char *path;
	int first_lineno;
	int type;	   /* enum ruby_iseq_type */
	__u64 local_iseq;  /* a block's method (or top-level) iseq */
	__u64 parent_iseq; /* the iseq a block is written in */
	__u64 iseq_encoded;
	struct line_table lines;
	/*
	 * Class-qualified label ("Foo#bar", "Foo.bar") of a method iseq once its owner is known,
	 * and, for a block, rescue or ensure iseq, the iseq_info of its method.
	 */
	char *qualified;
	const struct iseq_info *method;
	/* a block inside a define_method block: that block, and how many levels up it is */
	const struct iseq_info *bmethod;
	int bmethod_levels;
	int qualify_tries;   /* owner lookups that failed; they stop at a bound */
	__u64 qualify_epoch; /* the symbolizer epoch of the last try */
};

/*
 * Copy String `addr` into buf (NUL-terminated, at most cap-1 bytes kept). Returns the length
 * kept, or -errno (-EINVAL: not a String).
 */
int ruby_string_read(struct memread *m, const struct ruby_layout *L, __u64 addr, char *buf,
		     size_t cap);

/* Element `idx` of Array `addr` into *val. 0 or -errno. */
int ruby_array_get(struct memread *m, const struct ruby_layout *L, __u64 addr, __u32 idx,
		   __u64 *val);

/* The path of an iseq's pathobj (a String, or an Array [path, realpath]). */
int ruby_pathobj_read(struct memread *m, const struct ruby_layout *L, __u64 pathobj, char *buf,
		      size_t cap);

/* Read iseq `addr`: label, path, first line and line table. 0 or -errno. */
int iseq_info_read(struct memread *m, const struct ruby_layout *L, __u64 addr,
		   struct iseq_info *out);

/* Line executing at `pc` (calc_pos() in vm_backtrace.c), or first_lineno if pc is off. */
int iseq_info_line(const struct iseq_info *info, __u64 pc);

/*
 * The label as Ruby 3.4's backtraces write it: "Foo#bar", "block in Foo#bar",
 * "block (2 levels) in Foo.bar"; the plain label while the owner is not known, and for
 * <main>, <top (required)>, <class:Foo>. Returns buf or the label itself.
 */
const char *iseq_info_display(const struct iseq_info *info, char *buf, size_t cap);

void iseq_info_free(struct iseq_info *info);

#endif /* RBPROF_OBJECT_H */
