/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * layout.h - the struct layouts of each supported range of Ruby releases. Adding a
 * version is adding an entry to the table in releases.c.
 */
#ifndef RBPROF_LAYOUT_H
#define RBPROF_LAYOUT_H

#include <linux/types.h>
#include "rbprof.h"

/* How an RString keeps its length and bytes. */
enum rstring_kind {
	/* <= 3.1: embedded length in flag bits, embedded bytes at as.embed.ary. */
	RSTRING_LEN_IN_FLAGS = 1,
	/* >= 3.2: a length field (as.embed.len in 3.2, top-level len from 3.3) at rstring_len. */
	RSTRING_LEN_FIELD = 2,
};

/* Where a class keeps its path (variable.c: classname()). */
enum class_path_kind {
	/* <= 3.1: __classpath__ / __tmp_classpath__ / __attached__ ivars in an st_table. */
	CLASS_PATH_IVARS = 0,
	/* >= 3.3: fields of the rb_classext_t embedded in the RClass. */
	CLASS_PATH_FIELDS = 1,
	/*
	 * 3.2: ivars, but their values sit in classext.iv_ptr at indexes that only the class's
	 * object shape knows: the chain of shapes from the class's own (its id in the top bits
	 * of RBasic.flags) to the root, each adding one ivar (variable.c: rb_ivar_lookup).
	 */
	CLASS_PATH_SHAPE_IVARS = 2,
};

struct ruby_layout {
	const char *series;   /* "3.1": its first entry serves X.Y.* without an exact one */
	const char *releases; /* the releases whose layout was checked, e.g. "3.1.0-3.1.4" */

	struct rbprof_vm_offsets vm; /* what the kernel walker needs */
	/*
	 * rb_execution_context_t.thread_ptr and rb_thread_t.ec: an EC's thread points back to
	 * it (what tells an EC read through a place found in code from anything else).
	 */
	__u32 ec_thread_ptr, thread_ec;
	/* Ruby <= 2.7 (global EC): rb_thread_t.thread_id, the pthread id of the EC's thread */
	__u32 thread_id;
	/*
	 * Ruby <= 2.7: vm_push_frame points ec->cfp at the new frame before it fills it in (3.0+
	 * fills it first), so the innermost frame of a sample may still hold its previous
	 * occupant's fields.
	 */
	__u8 cfp_published_first;

	/*
	 * A thread's state, for --wall and --dump (vm_core.h rb_thread_t, thread_pthread.h,
	 * ractor_core.h). thread_status 0: unknown (the layout came without them).
	 */
	__u32 thread_status;	   /* byte of the BITFIELD(enum rb_thread_status, status, 2) */
	__u8 thread_status_shift;  /* the bitfield's lowest bit in that byte */
	__u32 thread_blocking_region; /* rb_thread_t.blocking_region_buffer (void *) */
	/*
	 * The GVL holder is at *(th + thread_sched_base) + sched_running (an rb_thread_t *):
	 * rb_thread_t.ractor -> ractor.threads.sched.running (3.2+), rb_thread_t.ractor ->
	 * ractor.threads.gvl.owner (3.0-3.1), rb_thread_t.vm -> vm.gvl.owner (2.7).
	 */
	__u32 thread_sched_base;
	__u32 sched_running;
	/*
	 * Ruby <= 2.7 (global EC), whose threads' ECs no TLS names: rb_vm_t.living_threads, the
	 * list head of every thread, linked at rb_thread_t.vmlt_node (a list_node {next, prev}).
	 */
	__u32 vm_living_threads;
	__u32 thread_vmlt_node;

	/* rb_iseq_t (struct rb_iseq_struct) */
	__u32 iseq_body;
	/* struct rb_iseq_constant_body */
	__u32 body_iseq_size;	    /* unsigned int, in VALUEs */
	__u32 body_iseq_encoded;    /* VALUE * */
	__u32 body_pathobj;	    /* location.pathobj: String, or Array [path, realpath] */
	__u32 body_label;	    /* location.label */
	__u32 body_type;	    /* type: enum iseq_type (ISEQ_TYPE_METHOD, _BLOCK, ...) */
	__u32 body_local_iseq;	    /* local_iseq: the method (or top) iseq of a block */
	__u32 body_parent_iseq;	    /* parent_iseq: the iseq a block is written in */
	__u32 body_first_lineno;    /* location.first_lineno */
	__u8 first_lineno_fixnum;   /* a tagged Fixnum VALUE (<= 3.1) rather than an int */
	__u32 body_insns_body;	    /* insns_info.body: struct iseq_insn_info_entry[] */
	__u32 body_insns_positions; /* insns_info.positions (NULL once encoded) */
	__u32 body_insns_size;	    /* insns_info.size */
	__u32 body_succ_table;	    /* insns_info.succ_index_table */
	__u32 insn_info_size;	    /* sizeof(struct iseq_insn_info_entry) */
	__u32 insn_info_line_no;    /* its line_no (int) */

	/* rb_method_entry_t, rb_method_definition_t (method.h) */ __u32 me_def; /* def */
	__u32 def_iseqptr;	/* def->body.iseq.iseqptr: the iseq of an ISEQ method */
	__u32 def_bmethod_proc; /* def->body.bmethod.proc: the Proc of a define_method */
	__u32 typeddata_data;	/* RTypedData.data (a Proc's rb_proc_t) */
	__u32 proc_block_iseq;	/* rb_proc_t.block.as.captured.code.iseq */
	__u32 me_owner;		/* owner: the class or module that defines the method */
	__u32 def_original_id;	/* original_id: the name it was defined with */
	/*
	 * Bits of the definition's first 8 bytes that are set once a second method entry shares
	 * it (an alias, a module_function copy, a define_method of an UnboundMethod): alias_count
	 * up to 3.1, the aliased flag from 3.2. A method whose definition has none has one owner.
	 */
	__u64 def_shared_mask;
	/*
	 * A class's own method table (an rb_id_table): at klass + class_m_tbl, or through the
	 * rb_classext_t pointer at class_ext (up to 3.1). A module_function's twin is found there.
	 */
	__u32 class_m_tbl;
	__u8 class_m_tbl_in_ext;
	/* struct RClass, rb_classext_t (internal/class.h) */ enum class_path_kind class_path;
	__u32 class_classpath; /* CLASS_PATH_FIELDS: klass + this = classext.classpath */
	__u32 class_attached;  /* ... = classext.as.singleton_class.attached_object */
	__u32 class_ext;       /* RClass.ptr */
	__u32 classext_iv_tbl; /* rb_classext_t.iv_tbl: st_table of ID -> ivar value */
	/* CLASS_PATH_SHAPE_IVARS (shape.h: struct rb_shape, vm_core.h: rb_vm_t.shape_list) */
	__u32 class_ivptr;	   /* klass + this = classext.iv_ptr: VALUE[], the ivar values */
	__u32 vm_shape_list;	   /* rb_vm_t.shape_list: rb_shape_t[], indexed by shape id */
	__u32 shape_list_len;	   /* the shapes allocated there: larger ids are invalid */
	__u32 shape_size;	   /* sizeof(rb_shape_t) */
	__u32 shape_edge_name;	   /* edge_name: the ID of the ivar this shape adds */
	__u32 shape_next_iv_index; /* next_iv_index (u32): that ivar's index + 1 */
	__u32 shape_type;	   /* type (u8) */
	__u32 shape_parent_id;	   /* parent_id (u32 shape_id_t); INVALID_SHAPE_ID at the root */
	__u32 shape_id_shift;	   /* SHAPE_FLAG_SHIFT: RBasic.flags >> this = the shape id */
	__u8 shape_ivar_type;	   /* SHAPE_IVAR: the type of a shape that adds an ivar */
	__u64 fl_singleton;	   /* RBasic flag of singleton classes */
	/* ruby_global_symbols (symbol.c rb_symbols_t) and IDs (symbol.h) */
	__u32 symbols_last_id; /* last_id (u32), or next_id (>= 4.0, symbols_next_id) */
	__u8 symbols_next_id;  /* the u32 is one past the last serial, not the last one */
	__u32 symbols_ids;     /* ids: Array of Arrays of [String, Symbol] pairs */
	__u32 id_scope_shift;  /* ID_SCOPE_SHIFT */
	__u32 last_op_id;      /* tLAST_OP_ID: IDs up to it are their own serial */
	__u32 id_entry_unit;   /* ID_ENTRY_UNIT: serials per chunk Array */
	/* st_table (include/ruby/st.h) */
	__u32 st_entries_start, st_entries_bound, st_entries; /* entries are {hash, key, record} */

	/* rb_vm_t.objspace, rb_objspace.flags (gc.c) */
	__u32 vm_objspace;
	__u32 objspace_flags;
	__u64 gc_during_mask; /* flags.during_gc */
	__u64 gc_mode_mask;   /* flags.mode */

	/* struct RString */
	enum rstring_kind rstring;
	__u64 rstring_noembed;	       /* flag: bytes are on the heap */
	__u32 rstring_embed_len_shift; /* RSTRING_LEN_IN_FLAGS: length bits */
	__u64 rstring_embed_len_mask;  /* (after the shift) */
	__u32 rstring_embed;	       /* embedded bytes */
	__u32 rstring_heap_len, rstring_heap_ptr;
	__u32 rstring_len; /* RSTRING_LEN_FIELD */

	/* struct RArray */
	__u64 rarray_embed; /* flag: elements are embedded */
	__u32 rarray_embed_len_shift;
	__u64 rarray_embed_len_mask;
	__u32 rarray_embed_ary;
	__u32 rarray_heap_len, rarray_heap_ptr;
};

/*
 * The layout for `version` ("3.1.2"): its exact release range if one covers it, else the
 * entry of its minor series (*exact = 0, worth a notice), else NULL.
 */
const struct ruby_layout *ruby_layout_find(const char *version, int *exact);

/*
 * The known layout closest to `version` from below: its own entry or its series' (as
 * ruby_layout_find), else the latest release before it ("3.5.0" -> 3.4's). NULL if `version`
 * is older than every known release or not "X.Y.Z".
 */
const struct ruby_layout *ruby_layout_nearest(const char *version);

/* Copy what the kernel walker needs of layout L into p (struct offsets, EC thread check). */
void ruby_layout_to_proc(const struct ruby_layout *L, struct rbprof_proc *p);

/*
 * What the symbolizer reads of a struct in one go, into a buffer of this size: the fields a
 * layout names there must lie inside it (ruby_layout_check_reads).
 */
#define RUBY_ISEQ_BODY_READ 256 /* rb_iseq_constant_body: 3.4's last field read ends at 184 */
#define RUBY_SHAPE_SIZE_MAX 64	/* rb_shape_t: 32 bytes in 3.2 */

/*
 * Whether every field that layout L names in a struct read in one go (an iseq body, a shape,
 * an insns_info entry) lies inside what is read: 0, or -EINVAL with the first one that does
 * not in why. A table layout always passes (a unit test checks); one read from DWARF is
 * refused with the reason.
 */
int ruby_layout_check_reads(const struct ruby_layout *L, char *why, size_t cap);

/* "3.1, ..." for messages. */
const char *ruby_layout_supported(void);

#endif /* RBPROF_LAYOUT_H */
