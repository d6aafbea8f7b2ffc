// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dwarf_index.c - named types, variables, enumerators and member offsets from DWARF (libdw). */
#include <dwarf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "discover/debugfile.h"
#include "discover/debuginfod.h"
#include "layouts/dwarf_index.h"

/* Typedef and qualifier chains are a few links long; a longer one is a loop in bad DWARF. */
#define MAX_TYPE_CHAIN 32
/* Member paths are at most 5 deep ("block.as.captured.code.iseq"); nesting of unnamed
 * struct/union members is 1-2 deep in practice. */
#define MAX_ANON_DEPTH 8

int dwarf_file_open(struct dwarf_file *f, const char *path, const char *root, const char *name)
{
	int err;

	memset(f, 0, sizeof(*f));
	f->fd = f->debug_fd = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	f->elf = elf_open_path(path, &f->fd);
	if (!f->elf)
		return errno ? -errno : -ENOEXEC; /* the open's reason, or not an ELF file */
	if (!debugfile_has(f->elf, DEBUGFILE_DWARF)) {
		struct debugfile d;

		/* on disk, else from a debuginfod server (DEBUGINFOD_URLS) */
		err = debugfile_find(f->elf, root, name, DEBUGFILE_DWARF, &d);
		if (err)
			err = debuginfod_debugfile(f->elf, DEBUGFILE_DWARF, &d) ? -ENODATA : 0;
		if (err)
			goto fail;
		f->debug_elf = d.elf;
		f->debug_fd = d.fd;
		snprintf(f->debug_path, sizeof(f->debug_path), "%s", d.path);
	}
	f->dw = dwarf_begin_elf(f->debug_elf ? f->debug_elf : f->elf, DWARF_C_READ, NULL);
	if (!f->dw) {
		err = -ENODATA;
		goto fail;
	}
	return 0;
fail:
	dwarf_file_close(f);
	return err;
}

void dwarf_file_close(struct dwarf_file *f)
{
	if (f->dw)
		dwarf_end(f->dw);
	if (f->debug_elf)
		elf_end(f->debug_elf);
	if (f->debug_fd >= 0)
		close(f->debug_fd);
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = f->debug_fd = -1;
}

/* The DIE that attribute `at` of `die` refers to. 0, or -ENOENT. */
static int ref_die(Dwarf_Die *die, int at, Dwarf_Die *out)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, at, &attr) && dwarf_formref_die(&attr, out) ? 0 : -ENOENT;
}

/* A struct, union, enum or array type with a definition, or a base or pointer type. */
static int is_complete(Dwarf_Die *type)
{
	Dwarf_Die peeled;

	if (dwarf_peel_type(type, &peeled))
		return 0;
	return !dwarf_hasattr(&peeled, DW_AT_declaration);
}

static int const_value(Dwarf_Die *die, __s64 *value)
{
	Dwarf_Attribute attr;
	Dwarf_Sword s;
	Dwarf_Word u;

	if (!dwarf_attr(die, DW_AT_const_value, &attr))
		return -ENOENT;
	if (dwarf_whatform(&attr) == DW_FORM_sdata ||
	    dwarf_whatform(&attr) == DW_FORM_implicit_const) {
		if (dwarf_formsdata(&attr, &s))
			return -EINVAL;
		*value = s;
		return 0;
	}
	if (dwarf_formudata(&attr, &u))
		return -EINVAL;
	*value = (__s64)u;
	return 0;
}

static void note(struct dwarf_name *w, Dwarf_Die *die, Dwarf_Die *type, __s64 value)
{
	w->found = 1;
	w->die = *die;
	w->type = *type;
	w->value = value;
}

/* Match one top-level DIE against the names still missing; the number newly found. */
static size_t visit(Dwarf_Die *die, struct dwarf_name *names, size_t n)
{
	int tag = dwarf_tag(die);
	const char *name;
	Dwarf_Die child, type;
	size_t i, found = 0;
	__s64 v;

	if (tag == DW_TAG_enumeration_type) {
		if (dwarf_child(die, &child))
			return 0;
		do {
			name = dwarf_diename(&child);
			for (i = 0; name && i < n; i++)
				if (!names[i].found && names[i].kind == DWARF_ENUMERATOR &&
				    !strcmp(names[i].name, name) && !const_value(&child, &v)) {
					note(&names[i], &child, &child, v);
					found++;
				}
		} while (dwarf_siblingof(&child, &child) == 0);
		return found;
	}
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_typedef &&
	    tag != DW_TAG_variable)
		return 0;
	name = dwarf_diename(die);
	if (!name || dwarf_hasattr(die, DW_AT_declaration))
		return 0;
	for (i = 0; i < n; i++) {
		struct dwarf_name *w = &names[i];

		if (w->found || strcmp(w->name, name))
			continue;
		if ((tag == DW_TAG_structure_type && w->kind == DWARF_STRUCT) ||
		    (tag == DW_TAG_union_type && w->kind == DWARF_UNION) ||
		    (tag == DW_TAG_typedef && w->kind == DWARF_TYPEDEF && is_complete(die)) ||
		    (tag == DW_TAG_variable && w->kind == DWARF_VARIABLE &&
		     !ref_die(die, DW_AT_type, &type) && is_complete(&type)) ||
		    (tag == DW_TAG_variable && w->kind == DWARF_ENUMERATOR &&
		     !const_value(die, &v))) {
			note(w, die, w->kind == DWARF_VARIABLE ? &type : die,
			     w->kind == DWARF_ENUMERATOR ? v : 0);
			found++;
		}
	}
	return found;
}

int dwarf_find_names(struct dwarf_file *f, struct dwarf_name *names, size_t n)
{
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Die cudie, die;
	Dwarf_Half version;
	uint8_t unit_type;
	size_t i, missing = n;
	int r = 0;

	for (i = 0; i < n; i++)
		names[i].found = 0;
	while (missing &&
	       (r = dwarf_get_units(f->dw, cu, &next, &version, &unit_type, &cudie, NULL)) == 0) {
		cu = next;
		if (dwarf_child(&cudie, &die))
			continue;
		do
			missing -= visit(&die, names, n);
		while (missing && dwarf_siblingof(&die, &die) == 0);
	}
	return missing && r < 0 ? -EINVAL : 0;
}

/* DW_AT_data_member_location in bytes: a constant, or DW_OP_plus_uconst (DWARF 2). */
static int member_location(Dwarf_Die *m, __u64 *bytes)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t nops;
	Dwarf_Word u;

	*bytes = 0;
	if (!dwarf_attr(m, DW_AT_data_member_location, &attr))
		return 0; /* a union member */
	if (!dwarf_formudata(&attr, &u)) {
		*bytes = u;
		return 0;
	}
	if (dwarf_getlocation(&attr, &ops, &nops) || nops != 1 || ops[0].atom != DW_OP_plus_uconst)
		return -EINVAL;
	*bytes = ops[0].number;
	return 0;
}

/* Bit offset of member m from its struct's start, and its bit size if a bitfield. */
static int member_bits(Dwarf_Die *m, __u64 *bit_offset, __u32 *bit_size)
{
	Dwarf_Attribute attr;
	Dwarf_Word size = 0, v, bytes;
	__u64 loc;

	*bit_size = 0;
	if (dwarf_attr(m, DW_AT_bit_size, &attr) && dwarf_formudata(&attr, &size))
		return -EINVAL;
	if (size > 64)
		return -EINVAL;
	*bit_size = (__u32)size;
	if (dwarf_attr(m, DW_AT_data_bit_offset, &attr)) {
		if (dwarf_formudata(&attr, &v))
			return -EINVAL;
		*bit_offset = v;
		return 0;
	}
	if (member_location(m, &loc))
		return -EINVAL;
	*bit_offset = loc * 8;
	if (size && dwarf_attr(m, DW_AT_bit_offset, &attr)) {
		/* DWARF 2/3: counted from the most significant bit of a DW_AT_byte_size unit,
		 * which on a little-endian machine is the unit's last byte. */
		if (dwarf_formudata(&attr, &v) || !dwarf_hasattr(m, DW_AT_byte_size))
			return -EINVAL;
		bytes = (Dwarf_Word)dwarf_bytesize(m);
		if (v + size > bytes * 8)
			return -EINVAL;
		*bit_offset += bytes * 8 - v - size;
	}
	return 0;
}

static int is_aggregate(Dwarf_Die *t)
{
	return dwarf_tag(t) == DW_TAG_structure_type || dwarf_tag(t) == DW_TAG_union_type;
}

/* Member `name` (len bytes) of peeled aggregate `type`, through unnamed members. */
static int find_member(Dwarf_Die *type, const char *name, size_t len, struct dwarf_member *out,
		       int depth)
{
	Dwarf_Die m, decl, mtype;
	const char *mname;

	if (depth > MAX_ANON_DEPTH || !is_aggregate(type) || dwarf_child(type, &m))
		return -ENOENT;
	do {
		__u64 bits;
		__u32 bit_size;

		if (dwarf_tag(&m) != DW_TAG_member || member_bits(&m, &bits, &bit_size) ||
		    ref_die(&m, DW_AT_type, &decl) || dwarf_peel_type(&decl, &mtype))
			continue;
		mname = dwarf_diename(&m);
		if (!mname) {
			if (!find_member(&mtype, name, len, out, depth + 1)) {
				out->bit_offset += bits;
				return 0;
			}
			continue;
		}
		if (strlen(mname) != len || memcmp(mname, name, len))
			continue;
		out->bit_offset = bits;
		out->bit_size = bit_size;
		out->die = m;
		out->decl = decl;
		out->type = mtype;
		return 0;
	} while (dwarf_siblingof(&m, &m) == 0);
	return -ENOENT;
}

int dwarf_member(Dwarf_Die *type, const char *path, struct dwarf_member *out)
{
	Dwarf_Die cur;
	__u64 base = 0;

	if (dwarf_peel_type(type, &cur))
		return -ENOENT;
	for (;;) {
		size_t len = strcspn(path, ".");

		if (find_member(&cur, path, len, out, 0))
			return -ENOENT;
		out->bit_offset += base;
		if (!path[len])
			return 0;
		if (out->bit_size)
			return -ENOENT; /* a bitfield has no members */
		base = out->bit_offset;
		cur = out->type;
		path += len + 1;
	}
}

int dwarf_sizeof(Dwarf_Die *type, __u64 *size)
{
	Dwarf_Die peeled;
	Dwarf_Word s;

	if (dwarf_peel_type(type, &peeled) || dwarf_hasattr(&peeled, DW_AT_declaration) ||
	    dwarf_aggregate_size(&peeled, &s))
		return -ENOENT;
	*size = s;
	return 0;
}

int dwarf_is_typedef_of(Dwarf_Die *type, const char *name)
{
	Dwarf_Die cur = *type;
	int i;

	for (i = 0; i < MAX_TYPE_CHAIN; i++) {
		int tag = dwarf_tag(&cur);
		const char *n;

		if (tag == DW_TAG_typedef) {
			n = dwarf_diename(&cur);
			if (n && !strcmp(n, name))
				return 1;
		} else if (tag != DW_TAG_const_type && tag != DW_TAG_volatile_type) {
			return 0;
		}
		if (ref_die(&cur, DW_AT_type, &cur))
			return 0;
	}
	return 0;
}

int dwarf_is_signed_int(Dwarf_Die *type, __u64 size)
{
	Dwarf_Attribute attr;
	Dwarf_Die peeled;
	Dwarf_Word enc;

	if (dwarf_peel_type(type, &peeled) || dwarf_tag(&peeled) != DW_TAG_base_type ||
	    !dwarf_attr(&peeled, DW_AT_encoding, &attr) || dwarf_formudata(&attr, &enc))
		return 0;
	return enc == DW_ATE_signed && dwarf_bytesize(&peeled) == (int)size;
}
