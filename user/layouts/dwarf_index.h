/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dwarf_index.h - the DWARF of an ELF file (libdw): open it (from the file itself or from its
 * separate debug file), find named types, variables and enumerators in one pass over the
 * units, and the offsets of members, nested ones included, in those types.
 */
#ifndef RBPROF_DWARF_INDEX_H
#define RBPROF_DWARF_INDEX_H

#include <elfutils/libdw.h>
#include <limits.h>
#include <linux/types.h>

struct dwarf_file {
	int fd, debug_fd; /* the ELF file, and its separate debug file (-1: none) */
	Elf *elf, *debug_elf;
	Dwarf *dw;
	char debug_path[PATH_MAX]; /* which separate debug file, "" if the DWARF is in the file */
};

/*
 * Open the DWARF of `path`. When the file has no .debug_info, look for its separate debug
 * file under `root` (a directory standing for "/": "" for the host, "/proc/PID/root" for a
 * process's view): /usr/lib/debug/.build-id/xx/yyyy.debug by build id, then the
 * .gnu_debuglink name beside `name` (the file's path within `root`), in its .debug/ and under
 * /usr/lib/debug. A candidate must carry the same build id, or without one, the debuglink CRC.
 * 0, or -ENODATA (no DWARF found) / -errno.
 */
int dwarf_file_open(struct dwarf_file *f, const char *path, const char *root, const char *name);
void dwarf_file_close(struct dwarf_file *f);

enum dwarf_name_kind {
	DWARF_STRUCT,	  /* `struct NAME` with a complete definition */
	DWARF_UNION,	  /* `union NAME` ... */
	DWARF_TYPEDEF,	  /* typedef NAME, of a complete type */
	DWARF_VARIABLE,	  /* a global or file-static variable NAME of a complete type */
	DWARF_ENUMERATOR, /* enumerator NAME of an enum, or a `static const` integer NAME */
};

/* One name to look for; `found` and `die` (or `value`) are the answer. */
struct dwarf_name {
	enum dwarf_name_kind kind;
	const char *name;
	int found;
	Dwarf_Die die;	/* the type (typedefs kept), the variable, or the enumerator */
	Dwarf_Die type; /* the type, or the variable's type: what member paths start from */
	__s64 value;	/* DWARF_ENUMERATOR */
};

/*
 * Fill in every entry of `names` that the file defines: the first complete definition, in
 * unit order, wins. Only the top-level entries of each unit are looked at (where C puts file
 * scope declarations), so this is one quick pass. 0 or -EINVAL (unreadable DWARF).
 */
int dwarf_find_names(struct dwarf_file *f, struct dwarf_name *names, size_t n);

/* Where a member lies in the type it was looked up in. */
struct dwarf_member {
	__u64 bit_offset; /* from the start of that type */
	__u32 bit_size;	  /* 0 unless a bitfield */
	Dwarf_Die die;	  /* the member */
	Dwarf_Die decl;	  /* its type as declared (typedefs kept) */
	Dwarf_Die type;	  /* that type with typedefs and qualifiers peeled */
};

/*
 * Member `path` ("location.pathobj", dots for nested members) of type `type` (typedefs are
 * followed); unnamed struct/union members are searched through as C11 does. 0, or -ENOENT.
 */
int dwarf_member(Dwarf_Die *type, const char *path, struct dwarf_member *out);

/* sizeof(type). 0, or -ENOENT when the type has no size (incomplete). */
int dwarf_sizeof(Dwarf_Die *type, __u64 *size);

/* Whether `type` is, or is a chain of typedefs through, a typedef named `name`. */
int dwarf_is_typedef_of(Dwarf_Die *type, const char *name);

/* Whether `type` (after typedefs and qualifiers) is a signed integer of `size` bytes. */
int dwarf_is_signed_int(Dwarf_Die *type, __u64 size);

#endif /* RBPROF_DWARF_INDEX_H */
