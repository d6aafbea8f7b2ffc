// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dwarf_layout.c - fill a struct ruby_layout from a Ruby build's DWARF.
 *
 * What comes from where is scripts/ruby-offsets.rb's table (OFFSETS, CONSTANTS there), so a
 * DWARF-read layout equals the table entry that script produced for the same build. Struct
 * members and sizes, bitfield masks and enumerators are in the DWARF of every -g build;
 * #define constants are not (macro info is only in -g3 builds): those are taken from the
 * nearest known layout and named in from_base. Which kind of RString, class path, line number
 * and symbol table a build has is decided from which members exist and their types.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "layouts/dwarf_index.h"
#include "layouts/dwarf_layout.h"

/*
 * RUBY_FL_USHIFT of every known layout: their flag constants (FL_USER(n)) assume it, so one
 * taken from a known layout is only right for a build with the same shift.
 */
#define KNOWN_FL_USHIFT 12
/*
 * Bounds on what a Ruby struct member offset or size can be (rb_vm_t, the largest struct
 * read, is ~1.3 KiB): a larger number is corrupt DWARF, not a Ruby.
 */
#define MAX_OFFSET (1u << 16)
/* IDs: serials per chunk (512 in every release), scope bits (4), operator IDs (~170). */
#define MAX_ID_ENTRY_UNIT  (1 << 16)
#define MAX_ID_SCOPE_SHIFT 16
#define MAX_LAST_OP_ID	   (1 << 16)

/* Everything looked up by name in one pass over the DWARF. */
enum name_id {
	N_EC,
	N_CFP,
	N_ISEQ,
	N_BODY,
	N_INSN_INFO,
	N_ME,
	N_DEF,
	N_TYPEDDATA,
	N_PROC,
	N_RCLASS,
	N_CLASSEXT,
	N_CLASS_AND_EXT,
	N_ST,
	N_VM,
	N_OBJSPACE,
	N_RSTRING,
	N_RARRAY,
	N_THREAD,
	N_RACTOR,    /* 3.0+ */
	N_SYMBOLS,   /* the variable ruby_global_symbols: members of its type */
	N_GLOBAL_EC, /* present only in Ruby <= 2.7 */
	N_FL_USHIFT,
	N_FL_SINGLETON,
	N_ID_SCOPE_SHIFT,
	N_LAST_OP_ID,
	N_ID_ENTRY_UNIT,
	N_RSTRING_NOEMBED,
	N_RSTRING_EMBED_LEN_MASK,
	N_RSTRING_EMBED_LEN_SHIFT,
	N_RARRAY_EMBED_FLAG,
	N_RARRAY_EMBED_LEN_MASK,
	N_RARRAY_EMBED_LEN_SHIFT,
	N_SHAPE, /* 3.2+ object shapes: class paths of 3.2 */
	N_SHAPE_ID,
	N_SHAPE_IVAR,
	N_NAMES,
	N_NONE = N_NAMES,
};

static const struct {
	enum dwarf_name_kind kind;
	const char *name;
} NAMES[N_NAMES] = {
    [N_EC] = {DWARF_TYPEDEF, "rb_execution_context_t"},
    [N_CFP] = {DWARF_TYPEDEF, "rb_control_frame_t"},
    [N_ISEQ] = {DWARF_STRUCT, "rb_iseq_struct"},
    [N_BODY] = {DWARF_STRUCT, "rb_iseq_constant_body"},
    [N_INSN_INFO] = {DWARF_STRUCT, "iseq_insn_info_entry"},
    [N_ME] = {DWARF_TYPEDEF, "rb_method_entry_t"},
    [N_DEF] = {DWARF_TYPEDEF, "rb_method_definition_t"},
    [N_TYPEDDATA] = {DWARF_STRUCT, "RTypedData"},
    [N_PROC] = {DWARF_TYPEDEF, "rb_proc_t"},
    [N_RCLASS] = {DWARF_STRUCT, "RClass"},
    [N_CLASSEXT] = {DWARF_STRUCT, "rb_classext_struct"},
    [N_CLASS_AND_EXT] = {DWARF_STRUCT, "RClass_and_rb_classext_t"},
    [N_ST] = {DWARF_STRUCT, "st_table"},
    [N_VM] = {DWARF_TYPEDEF, "rb_vm_t"},
    [N_OBJSPACE] = {DWARF_STRUCT, "rb_objspace"},
    [N_RSTRING] = {DWARF_STRUCT, "RString"},
    [N_RARRAY] = {DWARF_STRUCT, "RArray"},
    [N_THREAD] = {DWARF_TYPEDEF, "rb_thread_t"},
    [N_RACTOR] = {DWARF_STRUCT, "rb_ractor_struct"},
    [N_SYMBOLS] = {DWARF_VARIABLE, "ruby_global_symbols"},
    [N_GLOBAL_EC] = {DWARF_VARIABLE, "ruby_current_execution_context_ptr"},
    [N_FL_USHIFT] = {DWARF_ENUMERATOR, "RUBY_FL_USHIFT"},
    [N_FL_SINGLETON] = {DWARF_ENUMERATOR, "RUBY_FL_SINGLETON"},
    [N_ID_SCOPE_SHIFT] = {DWARF_ENUMERATOR, "RUBY_ID_SCOPE_SHIFT"},
    [N_LAST_OP_ID] = {DWARF_ENUMERATOR, "tLAST_OP_ID"},
    [N_ID_ENTRY_UNIT] = {DWARF_ENUMERATOR, "ID_ENTRY_UNIT"},
    [N_RSTRING_NOEMBED] = {DWARF_ENUMERATOR, "RSTRING_NOEMBED"},
    [N_RSTRING_EMBED_LEN_MASK] = {DWARF_ENUMERATOR, "RSTRING_EMBED_LEN_MASK"},
    [N_RSTRING_EMBED_LEN_SHIFT] = {DWARF_ENUMERATOR, "RSTRING_EMBED_LEN_SHIFT"},
    [N_RARRAY_EMBED_FLAG] = {DWARF_ENUMERATOR, "RARRAY_EMBED_FLAG"},
    [N_RARRAY_EMBED_LEN_MASK] = {DWARF_ENUMERATOR, "RARRAY_EMBED_LEN_MASK"},
    [N_RARRAY_EMBED_LEN_SHIFT] = {DWARF_ENUMERATOR, "RARRAY_EMBED_LEN_SHIFT"},
    [N_SHAPE] = {DWARF_TYPEDEF, "rb_shape_t"},
    [N_SHAPE_ID] = {DWARF_TYPEDEF, "shape_id_t"},
    [N_SHAPE_IVAR] = {DWARF_ENUMERATOR, "SHAPE_IVAR"},
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A member of struct ruby_layout: where it is and how wide (__u64 in .vm, __u32 else). */
#define LF(f) offsetof(struct ruby_layout, f), sizeof(((struct ruby_layout *)0)->f), #f

/* An offset every layout has: member `paths` of `type`, alternatives split by '|'. */
struct offset_spec {
	size_t field, size;
	const char *field_name;
	enum name_id type;
	const char *paths;
};

static const struct offset_spec OFFSETS[] = {
    {LF(vm.ec_vm_stack), N_EC, "vm_stack"},
    {LF(vm.ec_vm_stack_size), N_EC, "vm_stack_size"},
    {LF(vm.ec_cfp), N_EC, "cfp"},
    {LF(ec_thread_ptr), N_EC, "thread_ptr"},
    {LF(thread_ec), N_THREAD, "ec"},
    {LF(vm.cfp_pc), N_CFP, "pc"},
    {LF(vm.cfp_iseq), N_CFP, "iseq"},
    {LF(vm.cfp_ep), N_CFP, "ep"},
    {LF(iseq_body), N_ISEQ, "body"},
    {LF(body_iseq_size), N_BODY, "iseq_size"},
    {LF(body_iseq_encoded), N_BODY, "iseq_encoded"},
    {LF(body_pathobj), N_BODY, "location.pathobj"},
    {LF(body_label), N_BODY, "location.label"},
    {LF(body_type), N_BODY, "type"},
    {LF(body_local_iseq), N_BODY, "local_iseq"},
    {LF(body_parent_iseq), N_BODY, "parent_iseq"},
    {LF(body_first_lineno), N_BODY, "location.first_lineno"},
    {LF(body_insns_body), N_BODY, "insns_info.body"},
    {LF(body_insns_positions), N_BODY, "insns_info.positions"},
    {LF(body_insns_size), N_BODY, "insns_info.size"},
    {LF(body_succ_table), N_BODY, "insns_info.succ_index_table"},
    {LF(insn_info_line_no), N_INSN_INFO, "line_no"},
    {LF(me_def), N_ME, "def"},
    {LF(def_iseqptr), N_DEF, "body.iseq.iseqptr"},
    {LF(def_bmethod_proc), N_DEF, "body.bmethod.proc"},
    {LF(typeddata_data), N_TYPEDDATA, "data"},
    {LF(proc_block_iseq), N_PROC, "block.as.captured.code.iseq"},
    {LF(me_owner), N_ME, "owner"},
    {LF(def_original_id), N_DEF, "original_id"},
    {LF(symbols_ids), N_SYMBOLS, "ids"},
    {LF(st_entries_start), N_ST, "entries_start"},
    {LF(st_entries_bound), N_ST, "entries_bound"},
    {LF(st_entries), N_ST, "entries"},
    {LF(vm_objspace), N_VM, "objspace|gc.objspace"}, /* gc.objspace from 3.4 */
    {LF(objspace_flags), N_OBJSPACE, "flags"},
    {LF(rstring_embed), N_RSTRING, "as.embed.ary|as.ary"}, /* as.ary up to 3.0 */
    {LF(rstring_heap_ptr), N_RSTRING, "as.heap.ptr"},
    {LF(rarray_embed_ary), N_RARRAY, "as.ary"},
    {LF(rarray_heap_len), N_RARRAY, "as.heap.len"},
    {LF(rarray_heap_ptr), N_RARRAY, "as.heap.ptr"},
};

/* A constant: enumerator `name`, shifted down by the enumerator `shift` if there is one. */
struct const_spec {
	size_t field, size;
	const char *field_name;
	enum name_id name, shift;
};

static const struct const_spec CONSTANTS[] = {
    {LF(fl_singleton), N_FL_SINGLETON, N_NONE},
    {LF(id_scope_shift), N_ID_SCOPE_SHIFT, N_NONE},
    {LF(last_op_id), N_LAST_OP_ID, N_NONE},
    {LF(id_entry_unit), N_ID_ENTRY_UNIT, N_NONE}, /* a static const int in symbol.c */
    {LF(rstring_noembed), N_RSTRING_NOEMBED, N_NONE},
    {LF(rarray_embed), N_RARRAY_EMBED_FLAG, N_NONE},
    {LF(rarray_embed_len_shift), N_RARRAY_EMBED_LEN_SHIFT, N_NONE},
    {LF(rarray_embed_len_mask), N_RARRAY_EMBED_LEN_MASK, N_RARRAY_EMBED_LEN_SHIFT},
};

/* RSTRING_LEN_IN_FLAGS only: the embedded length in the flags. */
static const struct const_spec RSTRING_FLAG_CONSTANTS[] = {
    {LF(rstring_embed_len_shift), N_RSTRING_EMBED_LEN_SHIFT, N_NONE},
    {LF(rstring_embed_len_mask), N_RSTRING_EMBED_LEN_MASK, N_RSTRING_EMBED_LEN_SHIFT},
};

struct reader {
	struct dwarf_name names[N_NAMES];
	struct dwarf_layout *out;
	char *why;
	size_t whylen;
};

/* Say what is missing; returns -ENOENT for `return missing(...)`. */
__attribute__((format(printf, 2, 3))) static int missing(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, r->whylen, fmt, ap);
	va_end(ap);
	return -ENOENT;
}

/* Members are __u64, __u32 (or a 4-byte enum) and __u8. */
static void set_field(struct ruby_layout *L, size_t field, size_t size, __u64 v)
{
	char *p = (char *)L + field;
	__u32 w = (__u32)v;
	__u8 b = (__u8)v;

	if (size == sizeof(v))
		memcpy(p, &v, sizeof(v));
	else if (size == sizeof(w))
		memcpy(p, &w, sizeof(w));
	else
		memcpy(p, &b, sizeof(b));
}

static __u64 get_field(const struct ruby_layout *L, size_t field, size_t size)
{
	const char *p = (const char *)L + field;
	__u64 v;
	__u32 w;
	__u8 b;

	if (size == sizeof(v)) {
		memcpy(&v, p, sizeof(v));
		return v;
	}
	if (size == sizeof(w)) {
		memcpy(&w, p, sizeof(w));
		return w;
	}
	memcpy(&b, p, sizeof(b));
	return b;
}

/* Member `path` (one alternative) of named type t: 0, or -ENOENT. */
static int member(struct reader *r, enum name_id t, const char *path, struct dwarf_member *m)
{
	if (!r->names[t].found)
		return -ENOENT;
	return dwarf_member(&r->names[t].type, path, m);
}

/* A whole-byte member's offset, or -ENOENT with `why` naming it. */
static int offset_of(struct reader *r, enum name_id t, const char *path, __u64 *off)
{
	struct dwarf_member m;

	if (!r->names[t].found)
		return missing(r, "no %s", NAMES[t].name);
	if (member(r, t, path, &m))
		return missing(r, "no %s.%s", NAMES[t].name, path);
	if (m.bit_size || m.bit_offset % 8 || m.bit_offset / 8 >= MAX_OFFSET)
		return missing(r, "%s.%s is not a plain member", NAMES[t].name, path);
	*off = m.bit_offset / 8;
	return 0;
}

static int has_member(struct reader *r, enum name_id t, const char *path)
{
	struct dwarf_member m;

	return !member(r, t, path, &m);
}

static int read_offsets(struct reader *r)
{
	char alt[64]; /* one alternative path: the longest is 27 characters */
	size_t i;
	__u64 off;

	for (i = 0; i < NELEMS(OFFSETS); i++) {
		const struct offset_spec *s = &OFFSETS[i];
		const char *p = s->paths;
		int err = -ENOENT;

		/* The first alternative that exists; `why` names the first one. */
		while (err && *p) {
			size_t len = strcspn(p, "|");

			snprintf(alt, sizeof(alt), "%.*s", (int)len, p);
			if (p == s->paths || has_member(r, s->type, alt))
				err = offset_of(r, s->type, alt, &off);
			p += len + (p[len] == '|');
		}
		if (err)
			return err;
		set_field(&r->out->layout, s->field, s->size, off);
	}
	return 0;
}

static int size_of(struct reader *r, enum name_id t, __u64 *size)
{
	if (!r->names[t].found)
		return missing(r, "no %s", NAMES[t].name);
	if (dwarf_sizeof(&r->names[t].type, size) || !*size || *size >= MAX_OFFSET)
		return missing(r, "no size of %s", NAMES[t].name);
	return 0;
}

/* Width of the members the walker reads: pointers and size_t. */
#define WORD 8

/* What the kernel walker reads at once must hold the members it uses. */
static int check_walker_bounds(struct reader *r)
{
	const struct rbprof_vm_offsets *o = &r->out->layout.vm;
	__u64 size;
	int err;

	if ((err = size_of(r, N_CFP, &size)))
		return err;
	if (size > RBPROF_CFP_MAX_SIZE)
		return missing(r, "sizeof(rb_control_frame_t) is %llu, the walker reads %d",
			       (unsigned long long)size, RBPROF_CFP_MAX_SIZE);
	r->out->layout.vm.cfp_size = size;
	/* jit_return (3.1+, YJIT's): optional, 0 where a version has none. */
	if (has_member(r, N_CFP, "jit_return") &&
	    (err = offset_of(r, N_CFP, "jit_return", &r->out->layout.vm.cfp_jit_return)))
		return err;
	if (o->cfp_pc + WORD > size || o->cfp_iseq + WORD > size || o->cfp_ep + WORD > size ||
	    o->cfp_jit_return + WORD > size)
		return missing(r, "rb_control_frame_t members past its size");
	if (o->cfp_pc != RBPROF_CFP_PC || o->cfp_iseq != RBPROF_CFP_ISEQ ||
	    o->cfp_ep != RBPROF_CFP_EP)
		return missing(r, "rb_control_frame_t does not begin {pc, sp, iseq, self, ep}");
	if (o->ec_vm_stack + WORD > RBPROF_EC_READ_BYTES ||
	    o->ec_vm_stack_size + WORD > RBPROF_EC_READ_BYTES ||
	    o->ec_cfp + WORD > RBPROF_EC_READ_BYTES)
		return missing(r,
			       "rb_execution_context_t members past the %d bytes the walker reads",
			       RBPROF_EC_READ_BYTES);
	if ((err = size_of(r, N_INSN_INFO, &size)))
		return err;
	if (size < r->out->layout.insn_info_line_no + sizeof(int))
		return missing(r, "iseq_insn_info_entry.line_no past its size");
	r->out->layout.insn_info_size = (__u32)size;
	return 0;
}

/* location.first_lineno: a tagged Fixnum VALUE up to 3.1, an int from 3.2. */
static int read_first_lineno(struct reader *r)
{
	struct dwarf_member m;

	if (member(r, N_BODY, "location.first_lineno", &m))
		return missing(r, "no rb_iseq_constant_body.location.first_lineno");
	if (dwarf_is_typedef_of(&m.decl, "VALUE"))
		r->out->layout.first_lineno_fixnum = 1;
	else if (!dwarf_is_signed_int(&m.decl, 4))
		return missing(r, "location.first_lineno is neither VALUE nor int");
	return 0;
}

/* rb_symbols_t: last_id (the last serial), or next_id (one past it, 4.0). Both uint32. */
static int read_symbols(struct reader *r)
{
	struct ruby_layout *L = &r->out->layout;
	struct dwarf_member m;
	__u64 size;

	if (!r->names[N_SYMBOLS].found)
		return missing(r, "no ruby_global_symbols");
	if (!member(r, N_SYMBOLS, "last_id", &m)) {
		L->symbols_next_id = 0;
	} else if (!member(r, N_SYMBOLS, "next_id", &m)) {
		L->symbols_next_id = 1;
	} else {
		return missing(r, "ruby_global_symbols has neither last_id nor next_id");
	}
	if (m.bit_size || m.bit_offset % 8 || dwarf_sizeof(&m.type, &size) || size != 4)
		return missing(r, "ruby_global_symbols.%s is not a 32-bit member",
			       L->symbols_next_id ? "next_id" : "last_id");
	L->symbols_last_id = (__u32)(m.bit_offset / 8);
	return 0;
}

static void note_from_base(struct dwarf_layout *out, const char *name)
{
	size_t len = strlen(out->from_base);

	snprintf(out->from_base + len, sizeof(out->from_base) - len, "%s%s", len ? ", " : "", name);
}

/*
 * 3.2: a class's ivars are values in the rb_classext_t right after struct RClass (RVARGC),
 * in the order of its object shape; shapes are rb_vm_t.shape_list[shape id]. The two
 * #defines (SHAPE_FLAG_SHIFT, SHAPE_BITMAP_SIZE) can only come from a base that has shapes.
 */
static int read_class_shapes(struct reader *r)
{
	struct ruby_layout *L = &r->out->layout;
	const struct ruby_layout *base = r->out->base;
	__u64 rclass, ivptr, list, size, name, next, type, parent, id_size;

	if (size_of(r, N_RCLASS, &rclass) || offset_of(r, N_CLASSEXT, "iv_ptr", &ivptr) ||
	    offset_of(r, N_VM, "shape_list", &list) || size_of(r, N_SHAPE, &size) ||
	    offset_of(r, N_SHAPE, "edge_name", &name) ||
	    offset_of(r, N_SHAPE, "next_iv_index", &next) || offset_of(r, N_SHAPE, "type", &type) ||
	    offset_of(r, N_SHAPE, "parent_id", &parent))
		return -ENOENT;
	/* The symbolizer reads the shape id and parent_id as 32 bits. */
	if (size_of(r, N_SHAPE_ID, &id_size) || id_size != 4)
		return missing(r, "shape_id_t is not 32 bits");
	if (!r->names[N_SHAPE_IVAR].found || r->names[N_SHAPE_IVAR].value < 0 ||
	    r->names[N_SHAPE_IVAR].value > 0xff)
		return missing(r, "no enumerator SHAPE_IVAR");
	if (base->class_path != CLASS_PATH_SHAPE_IVARS)
		return missing(r, "SHAPE_FLAG_SHIFT/SHAPE_BITMAP_SIZE: no known layout with shapes "
				  "near this version");
	if (name + WORD > size || next + 4 > size || type + 1 > size || parent + 4 > size)
		return missing(r, "rb_shape_t members past its size");
	L->class_path = CLASS_PATH_SHAPE_IVARS;
	L->class_ivptr = (__u32)(rclass + ivptr);
	L->vm_shape_list = (__u32)list;
	L->shape_size = (__u32)size;
	L->shape_edge_name = (__u32)name;
	L->shape_next_iv_index = (__u32)next;
	L->shape_type = (__u32)type;
	L->shape_parent_id = (__u32)parent;
	L->shape_ivar_type = (__u8)r->names[N_SHAPE_IVAR].value;
	L->shape_id_shift = base->shape_id_shift;
	L->shape_list_len = base->shape_list_len;
	note_from_base(r->out, "SHAPE_FLAG_SHIFT");
	note_from_base(r->out, "SHAPE_BITMAP_SIZE");
	return 0;
}

/* Where a class's path is: ivars behind RClass.ptr (<= 3.1), shape-ordered ivar values (3.2),
 * fields of the embedded rb_classext_t (3.3+). */
static int read_class_path(struct reader *r)
{
	struct ruby_layout *L = &r->out->layout;
	__u64 a, b;

	if (has_member(r, N_RCLASS, "ptr") && has_member(r, N_CLASSEXT, "iv_tbl")) {
		if (offset_of(r, N_RCLASS, "ptr", &a) || offset_of(r, N_CLASSEXT, "iv_tbl", &b))
			return -ENOENT;
		L->class_path = CLASS_PATH_IVARS;
		L->class_ext = (__u32)a;
		L->classext_iv_tbl = (__u32)b;
		return 0;
	}
	if (has_member(r, N_CLASS_AND_EXT, "classext.classpath")) {
		if (offset_of(r, N_CLASS_AND_EXT, "classext.classpath", &a) ||
		    offset_of(r, N_CLASS_AND_EXT, "classext.as.singleton_class.attached_object",
			      &b))
			return -ENOENT;
		L->class_path = CLASS_PATH_FIELDS;
		L->class_classpath = (__u32)a;
		L->class_attached = (__u32)b;
		return 0;
	}
	if (!has_member(r, N_RCLASS, "ptr") && has_member(r, N_CLASSEXT, "iv_ptr") &&
	    has_member(r, N_VM, "shape_list"))
		return read_class_shapes(r);
	return missing(r, "class paths: neither RClass.ptr->iv_tbl, "
			  "RClass_and_rb_classext_t.classext.classpath nor shapes");
}

/* RString: a top-level len (3.3+), as.embed.len at as.heap.len's place (3.2), or the
 * embedded length in the flags (<= 3.1, no length member but as.heap.len). */
static int read_rstring(struct reader *r)
{
	struct ruby_layout *L = &r->out->layout;
	__u64 len, heap_len = 0;

	if (has_member(r, N_RSTRING, "as.heap.len") &&
	    offset_of(r, N_RSTRING, "as.heap.len", &heap_len))
		return -ENOENT;
	if (has_member(r, N_RSTRING, "len")) {
		if (offset_of(r, N_RSTRING, "len", &len))
			return -ENOENT;
	} else if (has_member(r, N_RSTRING, "as.embed.len")) {
		if (offset_of(r, N_RSTRING, "as.embed.len", &len))
			return -ENOENT;
		if (len != heap_len)
			return missing(r, "RString.as.embed.len and as.heap.len differ");
	} else {
		if (!heap_len)
			return missing(r, "RString has no length member at all");
		L->rstring = RSTRING_LEN_IN_FLAGS;
		L->rstring_heap_len = (__u32)heap_len; /* only this kind reads it */
		return 0;
	}
	L->rstring = RSTRING_LEN_FIELD;
	L->rstring_len = (__u32)len;
	return 0;
}

/* Ruby <= 2.7: the global EC's thread, and that thread's pthread id. */
static int read_global_ec(struct reader *r)
{
	__u64 b;

	if (!r->names[N_GLOBAL_EC].found)
		return 0;
	if (offset_of(r, N_THREAD, "thread_id", &b))
		return -ENOENT;
	r->out->layout.thread_id = (__u32)b;
	return 0;
}

/*
 * rb_thread_t.status, BITFIELD(enum rb_thread_status, status, 2): its byte and its lowest bit
 * there (`b`). A plain enum member, were BITFIELD one, is read at its first byte (shift 0),
 * where a little-endian enum keeps the values 0-3.
 */
static int thread_status(struct reader *r, __u64 *off, __u64 *b)
{
	struct dwarf_member m;

	if (member(r, N_THREAD, "status", &m))
		return missing(r, "no rb_thread_t.status");
	if (m.bit_offset / 8 >= MAX_OFFSET || (m.bit_size && m.bit_offset % 8 + m.bit_size > 8) ||
	    (!m.bit_size && m.bit_offset % 8))
		return missing(r, "rb_thread_t.status is not within one byte");
	*off = m.bit_offset / 8;
	*b = m.bit_offset % 8;
	return 0;
}

/*
 * The GVL holder: rb_thread_t.ractor -> threads.sched.running (3.2+) or threads.gvl.owner
 * (3.0-3.1); without a ractor (2.7), rb_thread_t.vm -> gvl.owner, and the list of every
 * thread (rb_vm_t.living_threads, linked at rb_thread_t.vmlt_node).
 */
static int thread_sched(struct reader *r, struct ruby_layout *T)
{
	__u64 base, running, list = 0, node = 0;

	if (has_member(r, N_THREAD, "ractor")) {
		if (offset_of(r, N_THREAD, "ractor", &base) ||
		    offset_of(r, N_RACTOR,
			      has_member(r, N_RACTOR, "threads.sched.running")
				  ? "threads.sched.running"
				  : "threads.gvl.owner",
			      &running))
			return -ENOENT;
	} else if (offset_of(r, N_THREAD, "vm", &base) ||
		   offset_of(r, N_VM, "gvl.owner", &running) ||
		   offset_of(r, N_VM, "living_threads", &list) ||
		   offset_of(r, N_THREAD, "vmlt_node", &node)) {
		return -ENOENT;
	}
	T->thread_sched_base = (__u32)base;
	T->sched_running = (__u32)running;
	T->vm_living_threads = (__u32)list;
	T->thread_vmlt_node = (__u32)node;
	return 0;
}

/*
 * A thread's state (--wall, --dump): optional. Without any of its members the layout has
 * none (thread_status 0) and the rest of it stands; what this writes into `why` is cleared
 * when the layout is read.
 */
static void read_thread_state(struct reader *r)
{
	struct ruby_layout T = {0}, *L = &r->out->layout;
	__u64 off = 0, b = 0, region = 0;

	if (!thread_status(r, &off, &b) &&
	    !offset_of(r, N_THREAD, "blocking_region_buffer", &region) && !thread_sched(r, &T)) {
		L->thread_status = (__u32)off;
		L->thread_status_shift = (__u8)b;
		L->thread_blocking_region = (__u32)region;
		L->thread_sched_base = T.thread_sched_base;
		L->sched_running = T.sched_running;
		L->vm_living_threads = T.vm_living_threads;
		L->thread_vmlt_node = T.thread_vmlt_node;
	}
}

/* A bitfield of rb_objspace.flags, as a mask of the flags word. */
static int gc_mask(struct reader *r, const char *bit, __u64 flags_bits, __u64 *mask)
{
	struct dwarf_member m;
	char path[32];
	__u64 at;

	snprintf(path, sizeof(path), "flags.%s", bit);
	if (member(r, N_OBJSPACE, path, &m) || !m.bit_size)
		return missing(r, "no bitfield rb_objspace.%s", path);
	at = m.bit_offset - flags_bits;
	if (m.bit_size >= 64 || at + m.bit_size > 64)
		return missing(r, "rb_objspace.%s is not in the first 64 bits", path);
	*mask = ((1ULL << m.bit_size) - 1) << at;
	return 0;
}

static int read_gc(struct reader *r)
{
	struct ruby_layout *L = &r->out->layout;
	__u64 flags_bits = (__u64)L->objspace_flags * 8;

	if (gc_mask(r, "during_gc", flags_bits, &L->gc_during_mask) ||
	    gc_mask(r, "mode", flags_bits, &L->gc_mode_mask))
		return -ENOENT;
	return 0;
}

/* The constants of `specs`: from the DWARF, else the base layout's value (noted). */
static int read_constants(struct reader *r, const struct const_spec *specs, size_t n)
{
	struct dwarf_layout *out = r->out;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct const_spec *s = &specs[i];
		const struct dwarf_name *c = &r->names[s->name];
		const struct dwarf_name *sh = s->shift == N_NONE ? NULL : &r->names[s->shift];
		__s64 v;

		if (!c->found || (sh && !sh->found)) {
			set_field(&out->layout, s->field, s->size,
				  get_field(out->base, s->field, s->size));
			note_from_base(out, NAMES[s->name].name);
			continue;
		}
		v = c->value;
		if (v < 0 || (sh && (sh->value < 0 || sh->value >= 64)))
			return missing(r, "%s is negative", NAMES[s->name].name);
		set_field(&out->layout, s->field, s->size, sh ? (__u64)v >> sh->value : (__u64)v);
	}
	return 0;
}

static int one_bit(__u64 v)
{
	return v && !(v & (v - 1));
}

/* Flags are single bits, shifts fit a word: anything else would misread every object. */
static int check_constants(struct reader *r)
{
	const struct ruby_layout *L = &r->out->layout;
	const struct dwarf_name *ushift = &r->names[N_FL_USHIFT];

	if (r->out->from_base[0] && ushift->found && ushift->value != KNOWN_FL_USHIFT)
		return missing(r, "RUBY_FL_USHIFT is %lld: the known layouts' flags do not apply",
			       (long long)ushift->value);
	if (!one_bit(L->fl_singleton) || !one_bit(L->rstring_noembed) || !one_bit(L->rarray_embed))
		return missing(r, "a flag constant is not a single bit");
	if (L->rarray_embed_len_shift >= 64 || !L->rarray_embed_len_mask ||
	    L->rstring_embed_len_shift >= 64 ||
	    (L->rstring == RSTRING_LEN_IN_FLAGS && !L->rstring_embed_len_mask))
		return missing(r, "an embedded-length constant is out of range");
	if (!L->id_entry_unit || L->id_entry_unit > MAX_ID_ENTRY_UNIT ||
	    L->id_scope_shift >= MAX_ID_SCOPE_SHIFT || L->last_op_id >= MAX_LAST_OP_ID)
		return missing(r, "an ID constant is out of range");
	return 0;
}

/*
 * What tells a method's owners apart (owner.c), optional as the thread state is: the bits a
 * second owner sets in the definition's first 8 bytes (alias_count up to 3.1, the aliased
 * flag from 3.2), and where a class keeps its method table (RClass.m_tbl from 3.2, the
 * embedded classext's in 4.0, rb_classext_t.m_tbl through RClass.ptr up to 3.1). Without
 * them frames still have owners, less refined (none of a method's aliases told apart).
 */
static void read_owner_facts(struct reader *r)
{
	struct ruby_layout *L = &r->out->layout;
	struct dwarf_member m;
	__u64 off;

	if ((!member(r, N_DEF, "alias_count", &m) || !member(r, N_DEF, "aliased", &m)) &&
	    m.bit_size && m.bit_size < 64 && m.bit_offset + m.bit_size <= 64)
		L->def_shared_mask = ((1ULL << m.bit_size) - 1) << m.bit_offset;
	if (!offset_of(r, N_RCLASS, "m_tbl", &off)) {
		L->class_m_tbl = (__u32)off;
	} else if (!offset_of(r, N_CLASS_AND_EXT, "classext.m_tbl", &off)) {
		L->class_m_tbl = (__u32)off;
	} else if (!offset_of(r, N_CLASSEXT, "m_tbl", &off)) {
		L->class_m_tbl = (__u32)off;
		L->class_m_tbl_in_ext = 1;
	}
}

static int read_layout(struct reader *r)
{
	struct ruby_layout *L = &r->out->layout;
	int err;

	if ((err = read_offsets(r)) || (err = check_walker_bounds(r)) ||
	    (err = read_first_lineno(r)) || (err = read_symbols(r)) || (err = read_class_path(r)) ||
	    (err = read_rstring(r)) || (err = read_global_ec(r)) || (err = read_gc(r)) ||
	    (err = read_constants(r, CONSTANTS, NELEMS(CONSTANTS))))
		return err;
	read_thread_state(r);
	read_owner_facts(r);
	/* Whether vm_push_frame publishes ec->cfp before filling the frame (2.7) is code, not
	 * data: the nearest known layout's answer holds for its series. */
	L->cfp_published_first = r->out->base->cfp_published_first;
	if (L->rstring == RSTRING_LEN_IN_FLAGS) {
		/* Taken from the base only if the base keeps the length in the flags too. */
		if (r->out->base->rstring != RSTRING_LEN_IN_FLAGS &&
		    (!r->names[N_RSTRING_EMBED_LEN_MASK].found ||
		     !r->names[N_RSTRING_EMBED_LEN_SHIFT].found))
			return missing(r, "RSTRING_EMBED_LEN_MASK/SHIFT are not in the DWARF");
		if ((err =
			 read_constants(r, RSTRING_FLAG_CONSTANTS, NELEMS(RSTRING_FLAG_CONSTANTS))))
			return err;
	}
	if ((err = check_constants(r)))
		return err;
	/* a field past what the symbolizer reads of its struct: refused, as a missing one is */
	return ruby_layout_check_reads(L, r->why, r->whylen) ? -ENOENT : 0;
}

int dwarf_layout_read(const char *path, const char *root, const char *name, const char *version,
		      struct dwarf_layout *out, char *why, size_t whylen)
{
	struct reader *r;
	struct dwarf_file f;
	int major, minor, patch, err;
	size_t i;
	char tail;

	memset(out, 0, sizeof(*out));
	why[0] = 0;
	if (sscanf(version, "%d.%d.%d%c", &major, &minor, &patch, &tail) != 3) {
		snprintf(why, whylen, "version %s is not X.Y.Z", version);
		return -EINVAL;
	}
	snprintf(out->series, sizeof(out->series), "%d.%d", major, minor);
	snprintf(out->releases, sizeof(out->releases), "%d.%d.%d-%d.%d.%d", major, minor, patch,
		 major, minor, patch);
	out->layout.series = out->series;
	out->layout.releases = out->releases;
	out->base = ruby_layout_nearest(version);
	if (!out->base) {
		snprintf(why, whylen, "older than every known layout");
		return -ERANGE;
	}
	err = dwarf_file_open(&f, path, root, name);
	if (err) {
		if (err == -ENODATA)
			snprintf(why, whylen, "no DWARF");
		else if (err == -ENOEXEC)
			snprintf(why, whylen, "cannot read it as ELF");
		else
			snprintf(why, whylen, "cannot open it: %s", strerror(-err));
		return err;
	}
	snprintf(out->debug_path, sizeof(out->debug_path), "%s", f.debug_path);
	r = calloc(1, sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto cleanup;
	}
	r->out = out;
	r->why = why;
	r->whylen = whylen;
	for (i = 0; i < N_NAMES; i++) {
		r->names[i].kind = NAMES[i].kind;
		r->names[i].name = NAMES[i].name;
	}
	err = dwarf_find_names(&f, r->names, N_NAMES);
	if (err) {
		snprintf(why, whylen, "unreadable DWARF");
		goto cleanup;
	}
	err = read_layout(r);
	if (!err)
		why[0] = 0; /* a first alternative's absence is no news */
	else if (err == -ENOENT)
		err = DWARF_LAYOUT_INCOMPLETE; /* every lookup's "not there" means that here */
cleanup:
	free(r);
	dwarf_file_close(&f);
	return err;
}

/* A member of struct ruby_layout, for comparing layouts. */
struct field_ref {
	size_t field, size;
	const char *field_name;
};

/* The members not in OFFSETS or the constant tables: sizes, kinds and what they choose. */
static const struct field_ref OTHER_FIELDS[] = {
    {LF(vm.cfp_size)},
    {LF(insn_info_size)},
    {LF(first_lineno_fixnum)},
    {LF(symbols_last_id)},
    {LF(symbols_next_id)},
    {LF(class_path)},
    {LF(class_ext)},
    {LF(classext_iv_tbl)},
    {LF(class_classpath)},
    {LF(class_attached)},
    {LF(rstring)},
    {LF(rstring_heap_len)},
    {LF(rstring_len)},
    {LF(ec_thread_ptr)},
    {LF(thread_ec)},
    {LF(thread_id)},
    {LF(gc_during_mask)},
    {LF(gc_mode_mask)},
    {LF(vm.cfp_jit_return)},
    {LF(cfp_published_first)},
    {LF(class_ivptr)},
    {LF(vm_shape_list)},
    {LF(shape_list_len)},
    {LF(shape_size)},
    {LF(shape_edge_name)},
    {LF(shape_next_iv_index)},
    {LF(shape_type)},
    {LF(shape_parent_id)},
    {LF(shape_id_shift)},
    {LF(shape_ivar_type)},
    {LF(def_shared_mask)},
    {LF(class_m_tbl)},
    {LF(class_m_tbl_in_ext)},
};

/* A thread's state: all of it from the DWARF, or none (read_thread_state). */
static const struct field_ref THREAD_FIELDS[] = {
    {LF(thread_status)},     {LF(thread_status_shift)}, {LF(thread_blocking_region)},
    {LF(thread_sched_base)}, {LF(sched_running)},	{LF(vm_living_threads)},
    {LF(thread_vmlt_node)},
};

static int diff_one(const struct ruby_layout *a, const struct ruby_layout *b, size_t field,
		    size_t size, const char *name, char *buf, size_t cap)
{
	__u64 x = get_field(a, field, size), y = get_field(b, field, size);
	size_t len = strlen(buf);

	if (x == y)
		return 0;
	snprintf(buf + len, cap - len, "%s%s %llu != %llu", len ? "; " : "", name,
		 (unsigned long long)x, (unsigned long long)y);
	return 1;
}

int ruby_layout_diff(const struct ruby_layout *a, const struct ruby_layout *b, char *buf,
		     size_t cap)
{
	struct ruby_layout x, y;
	int n = 0;
	size_t i;

	buf[0] = 0;
	/* every list has the members field, size and field_name */
#define DIFF_LIST(list)                                                                            \
	for (i = 0; i < NELEMS(list); i++)                                                         \
	n += diff_one(a, b, list[i].field, list[i].size, list[i].field_name, buf, cap)
	DIFF_LIST(OFFSETS);
	DIFF_LIST(CONSTANTS);
	DIFF_LIST(RSTRING_FLAG_CONSTANTS);
	DIFF_LIST(OTHER_FIELDS);
	DIFF_LIST(THREAD_FIELDS);
#undef DIFF_LIST
	/* A member no list names (added to struct ruby_layout since) still counts. */
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x.series = y.series = x.releases = y.releases = NULL;
	if (!n && memcmp(&x, &y, sizeof(x))) {
		snprintf(buf, cap, "a member not listed in dwarf_layout.c differs");
		n = 1;
	}
	return n;
}
