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
/*
 * Most line-table entries kept for one iseq (12 bytes each in the process, 4-8 here): one per
 * line change, and a long method has a few hundred; the largest compiled template of a Rails
 * app, a few thousand. Past it (hostile, or a generated monster) the iseq keeps its name and
 * first line only: 1M entries would cost 8 MiB per iseq.
 */
#define RUBY_LINE_ENTRIES_MAX (1U << 16)

/* include/ruby/internal/value_type.h (RUBY_T_MASK and RUBY_T_IMEMO: rbprof.h) */
#define RUBY_T_STRING 0x05
#define RUBY_T_ARRAY  0x07
/* internal/imemo.h: imemo_iseq (the imemo type bits: rbprof.h) */
#define RUBY_IMEMO_ISEQ 7

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

/* Labels one iseq's frames are shown with, one per owner seen (rubyvm/owner.c); more share one. */
#define ISEQ_VARIANTS_MAX 16

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
	/* A label that no owner changes: the template of an ActionView compiled method. */
	char *fixed_label;
	/* a block's, rescue's or ensure's method (local_iseq), once read */
	const struct iseq_info *method;
	/*
	 * The labels its frames have had by owner ("Foo#bar", "block in Foo.bar"): a frame's
	 * variant v > 0 is variants[v - 1]. Variant 0 is a frame whose owner is not known.
	 */
	char *variants[ISEQ_VARIANTS_MAX];
	int nvariants;
	/*
	 * Every frame of this iseq has the label of variant settled_variant (0: the plain
	 * label), whatever its owner: the kernel no longer captures their owners.
	 */
	int settled;
	int settled_variant;
	/*
	 * A settled module_function method (or a block of one), whose iseq has two owners: the
	 * module (here) and its singleton class. Its frames whose self is the module have
	 * variant module_variant, the others settled_variant.
	 */
	__u64 twin_module;
	int module_variant;
	int owner_tries;   /* owner lookups after the fact that failed; they stop at a bound */
	__u64 owner_epoch; /* the symbolizer epoch of the last one */
	/*
	 * What it was read from, to tell cheaply that the iseq at its address is still the one
	 * read (rubyvm/symcache.c): its body, and the body's label and pathobj objects. Code
	 * freed and made anew at the same address (eval, ERB, reloaded code) has others.
	 */
	__u64 body_addr, label_obj, path_obj;
	/* The cache's bookkeeping (rubyvm/symbolize.c, rubyvm/symcache.c). */
	__u64 used;	/* the symbolizer epoch it was last used in */
	int unreadable; /* a failure kept: the frame could not be read */
	int in_agg;	/* the current profile's aggregate has a frame of it: it must stay */
	int evict;	/* chosen to leave the cache */
	size_t charged; /* the bytes the budget counts for it (iseq_info_bytes when charged) */
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
 * The label of a frame of `info` with label variant `variant` (above). A frame whose owner is
 * not known gets the label of its iseq if it has only one (settled, or one owner seen so
 * far), or that of its method's for a block, or the plain one. Returns buf or a label.
 */
const char *iseq_info_display(const struct iseq_info *info, int variant, char *buf, size_t cap);

/*
 * "block in Foo#bar" into out from `label` ("block in bar"), the label of a block, rescue or
 * ensure written in method `mlabel` ("bar"), and q, the method's label with its owner. 0, or
 * -ENOENT if label does not end in " in " mlabel.
 */
int iseq_in_label(const char *label, const char *mlabel, const char *q, char *out, size_t cap);

/* The bytes `info` holds, itself included: what the cache's budget counts. */
size_t iseq_info_bytes(const struct iseq_info *info);

void iseq_info_free(struct iseq_info *info);

/* iseq_info_free(), then free the struct itself (malloc'ed): a hashmap_free_values callback. */
void iseq_info_destroy(void *info);

#endif /* RBPROF_OBJECT_H */
