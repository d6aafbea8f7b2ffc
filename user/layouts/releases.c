// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * releases.c - the table of struct layouts, one entry per range of Ruby releases (x86_64).
 *
 * Read with `gdb -batch -ex 'ptype /o struct X' libruby.so` from a -g build of each release
 * and checked on Debian's stripped build by walking a live process. Sources, by field:
 *   vm.*            vm_core.h: struct rb_execution_context_struct, rb_control_frame_struct
 *   iseq_body       vm_core.h: struct rb_iseq_struct
 *   body_*          vm_core.h: struct rb_iseq_constant_body, rb_iseq_location_t;
 *                   iseq.h: struct iseq_insn_info_entry
 *   rstring_*       include/ruby/internal/core/rstring.h
 *   rarray_*        include/ruby/internal/core/rarray.h (USE_RVARGC=0 in 3.1)
 *   me_*, def_*     method.h: rb_method_entry_struct, rb_method_definition_struct
 *   class_*         internal/class.h: struct RClass, rb_classext_struct
 *   shape_*         shape.h: struct rb_shape, SHAPE_FLAG_SHIFT; vm_core.h: rb_vm_t.shape_list
 *   symbols_*, id_* symbol.c: rb_symbols_t, ID_ENTRY_UNIT; symbol.h: ID_SCOPE_SHIFT,
 *                   tLAST_OP_ID (id.h)
 *   st_*            include/ruby/st.h: struct st_table
 *   vm_objspace     vm_core.h: rb_vm_t.objspace; objspace_*, gc_*: gc.c struct rb_objspace
 *   thread_*, sched_running, vm_living_threads
 *                   vm_core.h: rb_thread_struct, rb_vm_struct (gvl, living_threads);
 *                   ractor_core.h: rb_ractor_struct.threads; thread_pthread.h:
 *                   struct rb_thread_sched, rb_global_vm_lock_t
 */
#include <stdio.h>
#include <string.h>
#include "layouts/layout.h"

#define FL_USHIFT  12
#define FL_USER(n) (1ULL << (FL_USHIFT + (n)))

/*
 * One entry per range of releases with the same layout; scripts/layouts/README.md says how
 * each range was established. Within a series the newest range comes first: a release
 * without an entry of its own (a later patch release) takes the first entry of its series.
 * One field a line reads best as a table.
 *
 * A series split into several entries has its newest layout in a macro, which each older
 * range's entry repeats but for the members it names after it (a later designator overrides
 * an earlier one): the entry says what changed.
 */
/* clang-format off */
#define LAYOUT_3_1 \
		/* scripts/layouts/3.1.5.txt */ \
		.series = "3.1", \
		.vm = { \
			.ec_vm_stack = 0, /* rb_execution_context_t.vm_stack */ \
			.ec_vm_stack_size = 8, /* rb_execution_context_t.vm_stack_size */ \
			.ec_cfp = 16, /* rb_execution_context_t.cfp */ \
			.cfp_size = 64, /* sizeof(rb_control_frame_t) */ \
			.cfp_pc = 0, /* rb_control_frame_t.pc */ \
			.cfp_iseq = 16, /* rb_control_frame_t.iseq */ \
			.cfp_ep = 32, /* rb_control_frame_t.ep */ \
			.cfp_jit_return = 56, /* rb_control_frame_t.jit_return */ \
		}, \
		.ec_thread_ptr = 48, /* rb_execution_context_t.thread_ptr */ \
		.thread_ec = 40, /* rb_thread_t.ec */ \
		.thread_status = 92, /* rb_thread_t.status: bitfield `enum rb_thread_status status : 2` */ \
		.thread_status_shift = 0, /* rb_thread_t.status: bits 0-1 of that byte */ \
		.thread_blocking_region = 168, /* rb_thread_t.blocking_region_buffer */ \
		.thread_sched_base = 24, /* rb_thread_t.ractor */ \
		.sched_running = 336, /* rb_ractor_struct.threads.gvl.owner */ \
		.iseq_body = 16, /* rb_iseq_struct.body */ \
		.body_iseq_size = 4, /* rb_iseq_constant_body.iseq_size */ \
		.body_iseq_encoded = 8, /* rb_iseq_constant_body.iseq_encoded */ \
		.body_pathobj = 64, /* rb_iseq_constant_body.location.pathobj */ \
		.body_label = 80, /* rb_iseq_constant_body.location.label */ \
		.body_type = 0, /* rb_iseq_constant_body.type */ \
		.body_local_iseq = 176, /* rb_iseq_constant_body.local_iseq */ \
		.body_parent_iseq = 168, /* rb_iseq_constant_body.parent_iseq */ \
		.body_first_lineno = 88, /* rb_iseq_constant_body.location.first_lineno */ \
		.first_lineno_fixnum = 1, /* location.first_lineno is `VALUE` */ \
		.body_insns_body = 120, /* rb_iseq_constant_body.insns_info.body */ \
		.body_insns_positions = 128, /* rb_iseq_constant_body.insns_info.positions */ \
		.body_insns_size = 136, /* rb_iseq_constant_body.insns_info.size */ \
		.body_succ_table = 144, /* rb_iseq_constant_body.insns_info.succ_index_table */ \
		.insn_info_size = 12, /* sizeof(struct iseq_insn_info_entry) */ \
		.insn_info_line_no = 0, /* iseq_insn_info_entry.line_no */ \
		.me_def = 16, /* rb_method_entry_t.def */ \
		.def_iseqptr = 8, /* rb_method_definition_t.body.iseq.iseqptr */ \
		.def_bmethod_proc = 8, /* rb_method_definition_t.body.bmethod.proc */ \
		.typeddata_data = 32, /* RTypedData.data */ \
		.proc_block_iseq = 16, /* rb_proc_t.block.as.captured.code.iseq */ \
		.me_owner = 32, /* rb_method_entry_t.owner */ \
		.def_original_id = 32, /* rb_method_definition_t.original_id */ \
		.def_shared_mask = 0xffffffe0, /* rb_method_definition_t.alias_count: bits 5-31 */ \
		.class_m_tbl = 16, /* rb_classext_struct.m_tbl (through RClass.ptr) */ \
		.class_m_tbl_in_ext = 1, \
		.class_path = CLASS_PATH_IVARS, /* RClass.ptr -> rb_classext_t.iv_tbl, an st_table */ \
		.class_ext = 24, /* RClass.ptr */ \
		.classext_iv_tbl = 8, /* rb_classext_struct.iv_tbl */ \
		.fl_singleton = FL_USER(0), /* RUBY_FL_SINGLETON */ \
		.symbols_last_id = 0, /* ruby_global_symbols.last_id (rb_symbols_t) */ \
		.symbols_ids = 16, /* ruby_global_symbols.ids (rb_symbols_t) */ \
		.id_scope_shift = 4, /* RUBY_ID_SCOPE_SHIFT */ \
		.last_op_id = 169, /* tLAST_OP_ID */ \
		.id_entry_unit = 512, /* ID_ENTRY_UNIT */ \
		.st_entries_start = 32, /* st_table.entries_start */ \
		.st_entries_bound = 40, /* st_table.entries_bound */ \
		.st_entries = 48, /* st_table.entries */ \
		.vm_objspace = 1112, /* rb_vm_t.objspace */ \
		.objspace_flags = 16, /* rb_objspace.flags */ \
		.gc_during_mask = 0x20, /* rb_objspace.flags.during_gc : 1 */ \
		.gc_mode_mask = 0x3, /* rb_objspace.flags.mode : 2 */ \
		.rstring = RSTRING_LEN_IN_FLAGS, /* RSTRING_EMBED_LEN_MASK exists: embedded length in flag bits */ \
		.rstring_noembed = FL_USER(1), /* RSTRING_NOEMBED */ \
		.rstring_embed_len_shift = 14, /* RSTRING_EMBED_LEN_SHIFT */ \
		.rstring_embed_len_mask = 0x1f, /* RSTRING_EMBED_LEN_MASK >> RSTRING_EMBED_LEN_SHIFT */ \
		.rstring_embed = 16, /* RString.as.embed.ary */ \
		.rstring_heap_len = 16, /* RString.as.heap.len */ \
		.rstring_heap_ptr = 24, /* RString.as.heap.ptr */ \
		.rarray_embed = FL_USER(1), /* RARRAY_EMBED_FLAG */ \
		.rarray_embed_len_shift = 15, /* RARRAY_EMBED_LEN_SHIFT */ \
		.rarray_embed_len_mask = 0x3, /* RARRAY_EMBED_LEN_MASK >> RARRAY_EMBED_LEN_SHIFT */ \
		.rarray_embed_ary = 16, /* RArray.as.ary */ \
		.rarray_heap_len = 16, /* RArray.as.heap.len */ \
		.rarray_heap_ptr = 32 /* RArray.as.heap.ptr */

#define LAYOUT_3_2 \
		/* scripts/layouts/3.2.11.txt */ \
		.series = "3.2", \
		.vm = { \
			.ec_vm_stack = 0, /* rb_execution_context_t.vm_stack */ \
			.ec_vm_stack_size = 8, /* rb_execution_context_t.vm_stack_size */ \
			.ec_cfp = 16, /* rb_execution_context_t.cfp */ \
			.cfp_size = 64, /* sizeof(rb_control_frame_t) */ \
			.cfp_pc = 0, /* rb_control_frame_t.pc */ \
			.cfp_iseq = 16, /* rb_control_frame_t.iseq */ \
			.cfp_ep = 32, /* rb_control_frame_t.ep */ \
			.cfp_jit_return = 56, /* rb_control_frame_t.jit_return */ \
		}, \
		.ec_thread_ptr = 48, /* rb_execution_context_t.thread_ptr */ \
		.thread_ec = 48, /* rb_thread_t.ec */ \
		.thread_status = 112, /* rb_thread_t.status: bitfield `enum rb_thread_status status : 2` */ \
		.thread_status_shift = 0, /* rb_thread_t.status: bits 0-1 of that byte */ \
		.thread_blocking_region = 120, /* rb_thread_t.blocking_region_buffer */ \
		.thread_sched_base = 24, /* rb_thread_t.ractor */ \
		.sched_running = 336, /* rb_ractor_struct.threads.sched.running */ \
		.iseq_body = 16, /* rb_iseq_struct.body */ \
		.body_iseq_size = 4, /* rb_iseq_constant_body.iseq_size */ \
		.body_iseq_encoded = 8, /* rb_iseq_constant_body.iseq_encoded */ \
		.body_pathobj = 64, /* rb_iseq_constant_body.location.pathobj */ \
		.body_label = 80, /* rb_iseq_constant_body.location.label */ \
		.body_type = 0, /* rb_iseq_constant_body.type */ \
		.body_local_iseq = 168, /* rb_iseq_constant_body.local_iseq */ \
		.body_parent_iseq = 160, /* rb_iseq_constant_body.parent_iseq */ \
		.body_first_lineno = 88, /* rb_iseq_constant_body.location.first_lineno */ \
		.first_lineno_fixnum = 0, /* location.first_lineno is `int` */ \
		.body_insns_body = 112, /* rb_iseq_constant_body.insns_info.body */ \
		.body_insns_positions = 120, /* rb_iseq_constant_body.insns_info.positions */ \
		.body_insns_size = 128, /* rb_iseq_constant_body.insns_info.size */ \
		.body_succ_table = 136, /* rb_iseq_constant_body.insns_info.succ_index_table */ \
		.insn_info_size = 12, /* sizeof(struct iseq_insn_info_entry) */ \
		.insn_info_line_no = 0, /* iseq_insn_info_entry.line_no */ \
		.me_def = 16, /* rb_method_entry_t.def */ \
		.def_iseqptr = 8, /* rb_method_definition_t.body.iseq.iseqptr */ \
		.def_bmethod_proc = 8, /* rb_method_definition_t.body.bmethod.proc */ \
		.typeddata_data = 32, /* RTypedData.data */ \
		.proc_block_iseq = 16, /* rb_proc_t.block.as.captured.code.iseq */ \
		.me_owner = 32, /* rb_method_entry_t.owner */ \
		.def_original_id = 32, /* rb_method_definition_t.original_id */ \
		.def_shared_mask = 0x40, /* rb_method_definition_t.aliased: bit 6 */ \
		.class_m_tbl = 24, /* RClass.m_tbl */ \
		.class_path = CLASS_PATH_SHAPE_IVARS, /* no RClass.ptr nor iv_tbl: ivars in classext.iv_ptr, in shape order */ \
		.class_ivptr = 32 + 0, /* sizeof(struct RClass) + rb_classext_struct.iv_ptr */ \
		.vm_shape_list = 376, /* rb_vm_t.shape_list */ \
		.shape_list_len = 524288, /* SHAPE_BITMAP_SIZE * 32: the shapes vm.c allocates */ \
		.shape_size = 32, /* sizeof(rb_shape_t) */ \
		.shape_edge_name = 8, /* rb_shape_t.edge_name */ \
		.shape_next_iv_index = 16, /* rb_shape_t.next_iv_index */ \
		.shape_type = 24, /* rb_shape_t.type */ \
		.shape_parent_id = 28, /* rb_shape_t.parent_id */ \
		.shape_id_shift = 32, /* SHAPE_FLAG_SHIFT */ \
		.shape_ivar_type = 1, /* SHAPE_IVAR */ \
		.fl_singleton = FL_USER(0), /* RUBY_FL_SINGLETON */ \
		.symbols_last_id = 0, /* ruby_global_symbols.last_id (rb_symbols_t) */ \
		.symbols_ids = 16, /* ruby_global_symbols.ids (rb_symbols_t) */ \
		.id_scope_shift = 4, /* RUBY_ID_SCOPE_SHIFT */ \
		.last_op_id = 169, /* tLAST_OP_ID */ \
		.id_entry_unit = 512, /* ID_ENTRY_UNIT */ \
		.st_entries_start = 32, /* st_table.entries_start */ \
		.st_entries_bound = 40, /* st_table.entries_bound */ \
		.st_entries = 48, /* st_table.entries */ \
		.vm_objspace = 1144, /* rb_vm_t.objspace */ \
		.objspace_flags = 16, /* rb_objspace.flags */ \
		.gc_during_mask = 0x20, /* rb_objspace.flags.during_gc : 1 */ \
		.gc_mode_mask = 0x3, /* rb_objspace.flags.mode : 2 */ \
		.rstring = RSTRING_LEN_FIELD, /* one length field, embedded or not: RString.as.embed.len = as.heap.len */ \
		.rstring_noembed = FL_USER(1), /* RSTRING_NOEMBED */ \
		.rstring_len = 16, /* RString.as.embed.len = as.heap.len */ \
		.rstring_embed = 24, /* RString.as.embed.ary */ \
		.rstring_heap_ptr = 24, /* RString.as.heap.ptr */ \
		.rarray_embed = FL_USER(1), /* RARRAY_EMBED_FLAG */ \
		.rarray_embed_len_shift = 15, /* RARRAY_EMBED_LEN_SHIFT */ \
		.rarray_embed_len_mask = 0x7f, /* RARRAY_EMBED_LEN_MASK >> RARRAY_EMBED_LEN_SHIFT */ \
		.rarray_embed_ary = 16, /* RArray.as.ary */ \
		.rarray_heap_len = 16, /* RArray.as.heap.len */ \
		.rarray_heap_ptr = 32 /* RArray.as.heap.ptr */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init" /* the split entries, on purpose */
static const struct ruby_layout layouts[] = {
	{
		/* scripts/layouts/2.7.8.txt */
		.series = "2.7",
		.releases = "2.7.0-2.7.8",
		.vm = {
			.ec_vm_stack = 0, /* rb_execution_context_t.vm_stack */
			.ec_vm_stack_size = 8, /* rb_execution_context_t.vm_stack_size */
			.ec_cfp = 16, /* rb_execution_context_t.cfp */
			.cfp_size = 56, /* sizeof(rb_control_frame_t) */
			.cfp_pc = 0, /* rb_control_frame_t.pc */
			.cfp_iseq = 16, /* rb_control_frame_t.iseq */
			.cfp_ep = 32, /* rb_control_frame_t.ep */
			/* no rb_control_frame_t.jit_return (no YJIT) */
		},
		.ec_thread_ptr = 56, /* rb_execution_context_t.thread_ptr */
		.thread_ec = 32, /* rb_thread_t.ec */
		.thread_status = 80, /* rb_thread_t.status: bitfield `enum rb_thread_status status : 2` */
		.thread_status_shift = 0, /* rb_thread_t.status: bits 0-1 of that byte */
		.thread_blocking_region = 152, /* rb_thread_t.blocking_region_buffer */
		.thread_sched_base = 24, /* rb_thread_t.vm */
		.sched_running = 8, /* rb_vm_t.gvl.owner */
		.vm_living_threads = 312, /* rb_vm_t.living_threads */
		.thread_vmlt_node = 0, /* rb_thread_t.vmlt_node */
		.iseq_body = 16, /* rb_iseq_struct.body */
		.body_iseq_size = 4, /* rb_iseq_constant_body.iseq_size */
		.body_iseq_encoded = 8, /* rb_iseq_constant_body.iseq_encoded */
		.body_pathobj = 64, /* rb_iseq_constant_body.location.pathobj */
		.body_label = 80, /* rb_iseq_constant_body.location.label */
		.body_type = 0, /* rb_iseq_constant_body.type */
		.body_local_iseq = 176, /* rb_iseq_constant_body.local_iseq */
		.body_parent_iseq = 168, /* rb_iseq_constant_body.parent_iseq */
		.body_first_lineno = 88, /* rb_iseq_constant_body.location.first_lineno */
		.first_lineno_fixnum = 1, /* location.first_lineno is `VALUE` */
		.body_insns_body = 120, /* rb_iseq_constant_body.insns_info.body */
		.body_insns_positions = 128, /* rb_iseq_constant_body.insns_info.positions */
		.body_insns_size = 136, /* rb_iseq_constant_body.insns_info.size */
		.body_succ_table = 144, /* rb_iseq_constant_body.insns_info.succ_index_table */
		.insn_info_size = 8, /* sizeof(struct iseq_insn_info_entry) */
		.insn_info_line_no = 0, /* iseq_insn_info_entry.line_no */
		.me_def = 16, /* rb_method_entry_t.def */
		.def_iseqptr = 8, /* rb_method_definition_t.body.iseq.iseqptr */
		.def_bmethod_proc = 8, /* rb_method_definition_t.body.bmethod.proc */
		.typeddata_data = 32, /* RTypedData.data */
		.proc_block_iseq = 16, /* rb_proc_t.block.as.captured.code.iseq */
		.me_owner = 32, /* rb_method_entry_t.owner */
		.def_original_id = 32, /* rb_method_definition_t.original_id */
		.def_shared_mask = 0xfffffff0, /* rb_method_definition_t.alias_count: bits 4-31 */
		.class_m_tbl = 16, /* rb_classext_struct.m_tbl (through RClass.ptr) */
		.class_m_tbl_in_ext = 1,
		.class_ext = 24, /* RClass.ptr */
		.classext_iv_tbl = 8, /* rb_classext_struct.iv_tbl */
		.fl_singleton = FL_USER(0), /* RUBY_FL_SINGLETON */
		.symbols_last_id = 0, /* ruby_global_symbols.last_id (rb_symbols_t) */
		.symbols_ids = 16, /* ruby_global_symbols.ids (rb_symbols_t) */
		.id_scope_shift = 4, /* RUBY_ID_SCOPE_SHIFT */
		.last_op_id = 168, /* tLAST_OP_ID */
		.id_entry_unit = 512, /* ID_ENTRY_UNIT */
		.st_entries_start = 32, /* st_table.entries_start */
		.st_entries_bound = 40, /* st_table.entries_bound */
		.st_entries = 48, /* st_table.entries */
		.vm_objspace = 1152, /* rb_vm_t.objspace */
		.objspace_flags = 16, /* rb_objspace.flags */
		.gc_during_mask = 0x20, /* rb_objspace.flags.during_gc : 1 */
		.gc_mode_mask = 0x3, /* rb_objspace.flags.mode : 2 */
		.rstring = RSTRING_LEN_IN_FLAGS, /* RSTRING_EMBED_LEN_MASK exists: embedded length in flag bits */
		.rstring_noembed = FL_USER(1), /* RSTRING_NOEMBED */
		.rstring_embed_len_shift = 14, /* RSTRING_EMBED_LEN_SHIFT */
		.rstring_embed_len_mask = 0x1f, /* RSTRING_EMBED_LEN_MASK >> RSTRING_EMBED_LEN_SHIFT */
		.rstring_embed = 16, /* RString.as.ary (not .as.embed.ary) */
		.rstring_heap_len = 16, /* RString.as.heap.len */
		.rstring_heap_ptr = 24, /* RString.as.heap.ptr */
		.rarray_embed = FL_USER(1), /* RARRAY_EMBED_FLAG */
		.rarray_embed_len_shift = 15, /* RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_len_mask = 0x3, /* RARRAY_EMBED_LEN_MASK >> RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_ary = 16, /* RArray.as.ary */
		.rarray_heap_len = 16, /* RArray.as.heap.len */
		.rarray_heap_ptr = 32, /* RArray.as.heap.ptr */
		.thread_id = 72, /* rb_thread_t.thread_id (pthread_t) */
		.cfp_published_first = 1, /* vm_insnhelper.c vm_push_frame: `ec->cfp = cfp` first */
	},
	{
		/* scripts/layouts/3.0.7.txt */
		.series = "3.0",
		.releases = "3.0.0-3.0.7",
		.vm = {
			.ec_vm_stack = 0, /* rb_execution_context_t.vm_stack */
			.ec_vm_stack_size = 8, /* rb_execution_context_t.vm_stack_size */
			.ec_cfp = 16, /* rb_execution_context_t.cfp */
			.cfp_size = 56, /* sizeof(rb_control_frame_t) */
			.cfp_pc = 0, /* rb_control_frame_t.pc */
			.cfp_iseq = 16, /* rb_control_frame_t.iseq */
			.cfp_ep = 32, /* rb_control_frame_t.ep */
			/* no rb_control_frame_t.jit_return (no YJIT) */
		},
		.ec_thread_ptr = 56, /* rb_execution_context_t.thread_ptr */
		.thread_ec = 40, /* rb_thread_t.ec */
		.thread_status = 88, /* rb_thread_t.status: bitfield `enum rb_thread_status status : 2` */
		.thread_status_shift = 0, /* rb_thread_t.status: bits 0-1 of that byte */
		.thread_blocking_region = 160, /* rb_thread_t.blocking_region_buffer */
		.thread_sched_base = 24, /* rb_thread_t.ractor */
		.sched_running = 336, /* rb_ractor_struct.threads.gvl.owner */
		.iseq_body = 16, /* rb_iseq_struct.body */
		.body_iseq_size = 4, /* rb_iseq_constant_body.iseq_size */
		.body_iseq_encoded = 8, /* rb_iseq_constant_body.iseq_encoded */
		.body_pathobj = 64, /* rb_iseq_constant_body.location.pathobj */
		.body_label = 80, /* rb_iseq_constant_body.location.label */
		.body_type = 0, /* rb_iseq_constant_body.type */
		.body_local_iseq = 176, /* rb_iseq_constant_body.local_iseq */
		.body_parent_iseq = 168, /* rb_iseq_constant_body.parent_iseq */
		.body_first_lineno = 88, /* rb_iseq_constant_body.location.first_lineno */
		.first_lineno_fixnum = 1, /* location.first_lineno is `VALUE` */
		.body_insns_body = 120, /* rb_iseq_constant_body.insns_info.body */
		.body_insns_positions = 128, /* rb_iseq_constant_body.insns_info.positions */
		.body_insns_size = 136, /* rb_iseq_constant_body.insns_info.size */
		.body_succ_table = 144, /* rb_iseq_constant_body.insns_info.succ_index_table */
		.insn_info_size = 8, /* sizeof(struct iseq_insn_info_entry) */
		.insn_info_line_no = 0, /* iseq_insn_info_entry.line_no */
		.me_def = 16, /* rb_method_entry_t.def */
		.def_iseqptr = 8, /* rb_method_definition_t.body.iseq.iseqptr */
		.def_bmethod_proc = 8, /* rb_method_definition_t.body.bmethod.proc */
		.typeddata_data = 32, /* RTypedData.data */
		.proc_block_iseq = 16, /* rb_proc_t.block.as.captured.code.iseq */
		.me_owner = 32, /* rb_method_entry_t.owner */
		.def_original_id = 32, /* rb_method_definition_t.original_id */
		.def_shared_mask = 0xfffffff0, /* rb_method_definition_t.alias_count: bits 4-31 */
		.class_m_tbl = 16, /* rb_classext_struct.m_tbl (through RClass.ptr) */
		.class_m_tbl_in_ext = 1,
		.class_ext = 24, /* RClass.ptr */
		.classext_iv_tbl = 8, /* rb_classext_struct.iv_tbl */
		.fl_singleton = FL_USER(0), /* RUBY_FL_SINGLETON */
		.symbols_last_id = 0, /* ruby_global_symbols.last_id (rb_symbols_t) */
		.symbols_ids = 16, /* ruby_global_symbols.ids (rb_symbols_t) */
		.id_scope_shift = 4, /* RUBY_ID_SCOPE_SHIFT */
		.last_op_id = 168, /* tLAST_OP_ID */
		.id_entry_unit = 512, /* ID_ENTRY_UNIT */
		.st_entries_start = 32, /* st_table.entries_start */
		.st_entries_bound = 40, /* st_table.entries_bound */
		.st_entries = 48, /* st_table.entries */
		.vm_objspace = 1088, /* rb_vm_t.objspace */
		.objspace_flags = 16, /* rb_objspace.flags */
		.gc_during_mask = 0x20, /* rb_objspace.flags.during_gc : 1 */
		.gc_mode_mask = 0x3, /* rb_objspace.flags.mode : 2 */
		.rstring = RSTRING_LEN_IN_FLAGS, /* RSTRING_EMBED_LEN_MASK exists: embedded length in flag bits */
		.rstring_noembed = FL_USER(1), /* RSTRING_NOEMBED */
		.rstring_embed_len_shift = 14, /* RSTRING_EMBED_LEN_SHIFT */
		.rstring_embed_len_mask = 0x1f, /* RSTRING_EMBED_LEN_MASK >> RSTRING_EMBED_LEN_SHIFT */
		.rstring_embed = 16, /* RString.as.ary (not .as.embed.ary) */
		.rstring_heap_len = 16, /* RString.as.heap.len */
		.rstring_heap_ptr = 24, /* RString.as.heap.ptr */
		.rarray_embed = FL_USER(1), /* RARRAY_EMBED_FLAG */
		.rarray_embed_len_shift = 15, /* RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_len_mask = 0x3, /* RARRAY_EMBED_LEN_MASK >> RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_ary = 16, /* RArray.as.ary */
		.rarray_heap_len = 16, /* RArray.as.heap.len */
		.rarray_heap_ptr = 32, /* RArray.as.heap.ptr */
	},
	{
		LAYOUT_3_1,
		.releases = "3.1.5-3.1.7",
	},
	{
		/* scripts/layouts/3.1.2.txt: rb_vm_t has no loaded_features_realpath_map yet */
		LAYOUT_3_1,
		.releases = "3.1.0-3.1.4",
		.vm_objspace = 1104, /* rb_vm_t.objspace */
	},
	{
		LAYOUT_3_2,
		.releases = "3.2.4-3.2.11",
	},
	{
		/* scripts/layouts/3.2.3.txt: rb_vm_t.static_ext_inits still only #if EXTSTATIC */
		LAYOUT_3_2,
		.releases = "3.2.3-3.2.3",
		.vm_objspace = 1136, /* rb_vm_t.objspace */
	},
	{
		/* scripts/layouts/3.2.0.txt: nor rb_vm_t.loaded_features_realpath_map yet */
		LAYOUT_3_2,
		.releases = "3.2.0-3.2.2",
		.vm_objspace = 1128, /* rb_vm_t.objspace */
	},
	{
		/* scripts/layouts/3.3.11.txt */
		.series = "3.3",
		.releases = "3.3.0-3.3.11",
		.vm = {
			.ec_vm_stack = 0, /* rb_execution_context_t.vm_stack */
			.ec_vm_stack_size = 8, /* rb_execution_context_t.vm_stack_size */
			.ec_cfp = 16, /* rb_execution_context_t.cfp */
			.cfp_size = 56, /* sizeof(rb_control_frame_t) */
			.cfp_pc = 0, /* rb_control_frame_t.pc */
			.cfp_iseq = 16, /* rb_control_frame_t.iseq */
			.cfp_ep = 32, /* rb_control_frame_t.ep */
			.cfp_jit_return = 48, /* rb_control_frame_t.jit_return */
		},
		.ec_thread_ptr = 48, /* rb_execution_context_t.thread_ptr */
		.thread_ec = 48, /* rb_thread_t.ec */
		.thread_status = 240, /* rb_thread_t.status: bitfield `enum rb_thread_status status : 2` */
		.thread_status_shift = 0, /* rb_thread_t.status: bits 0-1 of that byte */
		.thread_blocking_region = 248, /* rb_thread_t.blocking_region_buffer */
		.thread_sched_base = 24, /* rb_thread_t.ractor */
		.sched_running = 328, /* rb_ractor_struct.threads.sched.running */
		.iseq_body = 16, /* rb_iseq_struct.body */
		.body_iseq_size = 4, /* rb_iseq_constant_body.iseq_size */
		.body_iseq_encoded = 8, /* rb_iseq_constant_body.iseq_encoded */
		.body_pathobj = 64, /* rb_iseq_constant_body.location.pathobj */
		.body_label = 80, /* rb_iseq_constant_body.location.label */
		.body_type = 0, /* rb_iseq_constant_body.type */
		.body_local_iseq = 168, /* rb_iseq_constant_body.local_iseq */
		.body_parent_iseq = 160, /* rb_iseq_constant_body.parent_iseq */
		.body_first_lineno = 88, /* rb_iseq_constant_body.location.first_lineno */
		.first_lineno_fixnum = 0, /* location.first_lineno is `int` */
		.body_insns_body = 112, /* rb_iseq_constant_body.insns_info.body */
		.body_insns_positions = 120, /* rb_iseq_constant_body.insns_info.positions */
		.body_insns_size = 128, /* rb_iseq_constant_body.insns_info.size */
		.body_succ_table = 136, /* rb_iseq_constant_body.insns_info.succ_index_table */
		.insn_info_size = 12, /* sizeof(struct iseq_insn_info_entry) */
		.insn_info_line_no = 0, /* iseq_insn_info_entry.line_no */
		.me_def = 16, /* rb_method_entry_t.def */
		.def_iseqptr = 8, /* rb_method_definition_t.body.iseq.iseqptr */
		.def_bmethod_proc = 8, /* rb_method_definition_t.body.bmethod.proc */
		.typeddata_data = 32, /* RTypedData.data */
		.proc_block_iseq = 16, /* rb_proc_t.block.as.captured.code.iseq */
		.me_owner = 32, /* rb_method_entry_t.owner */
		.def_original_id = 32, /* rb_method_definition_t.original_id */
		.def_shared_mask = 0x40, /* rb_method_definition_t.aliased: bit 6 */
		.class_m_tbl = 24, /* RClass.m_tbl */
		.fl_singleton = FL_USER(0), /* RUBY_FL_SINGLETON */
		.symbols_last_id = 0, /* ruby_global_symbols.last_id (rb_symbols_t) */
		.symbols_ids = 16, /* ruby_global_symbols.ids (rb_symbols_t) */
		.id_scope_shift = 4, /* RUBY_ID_SCOPE_SHIFT */
		.last_op_id = 169, /* tLAST_OP_ID */
		.id_entry_unit = 512, /* ID_ENTRY_UNIT */
		.st_entries_start = 32, /* st_table.entries_start */
		.st_entries_bound = 40, /* st_table.entries_bound */
		.st_entries = 48, /* st_table.entries */
		.vm_objspace = 1304, /* rb_vm_t.objspace */
		.objspace_flags = 16, /* rb_objspace.flags */
		.gc_during_mask = 0x20, /* rb_objspace.flags.during_gc : 1 */
		.gc_mode_mask = 0x3, /* rb_objspace.flags.mode : 2 */
		.rstring_noembed = FL_USER(1), /* RSTRING_NOEMBED */
		.rstring_embed = 24, /* RString.as.embed.ary */
		.rstring_heap_ptr = 24, /* RString.as.heap.ptr */
		.rarray_embed = FL_USER(1), /* RARRAY_EMBED_FLAG */
		.rarray_embed_len_shift = 15, /* RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_len_mask = 0x7f, /* RARRAY_EMBED_LEN_MASK >> RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_ary = 16, /* RArray.as.ary */
		.rarray_heap_len = 16, /* RArray.as.heap.len */
		.rarray_heap_ptr = 32, /* RArray.as.heap.ptr */
		.class_path = CLASS_PATH_FIELDS,
		.class_classpath = 32 + 120, /* RClass_and_rb_classext_t.classext.classpath */
		.class_attached = 32 + 96, /* ....classext.as.singleton_class.attached_object */
		.rstring = RSTRING_LEN_FIELD,
		.rstring_len = 16, /* RString.len */
	},
	{
		/* scripts/layouts/3.4.9.txt */
		.series = "3.4",
		.releases = "3.4.0-3.4.9",
		.vm = {
			.ec_vm_stack = 0,
			.ec_vm_stack_size = 8,
			.ec_cfp = 16,
			.cfp_size = 56, /* pc sp iseq self ep block_code jit_return */
			.cfp_pc = 0,
			.cfp_iseq = 16,
			.cfp_ep = 32,
			.cfp_jit_return = 48, /* rb_control_frame_t.jit_return */
		},
		.ec_thread_ptr = 48, /* rb_execution_context_t.thread_ptr */
		.thread_ec = 48, /* rb_thread_t.ec */
		.thread_status = 240, /* rb_thread_t.status: bitfield `enum rb_thread_status status : 2` */
		.thread_status_shift = 0, /* rb_thread_t.status: bits 0-1 of that byte */
		.thread_blocking_region = 248, /* rb_thread_t.blocking_region_buffer */
		.thread_sched_base = 24, /* rb_thread_t.ractor */
		.sched_running = 328, /* rb_ractor_struct.threads.sched.running */
		.iseq_body = 16,
		.body_iseq_size = 4,
		.body_iseq_encoded = 8,
		.body_pathobj = 64,
		.body_label = 80,
		.body_type = 0,
		.body_local_iseq = 168,
		.body_parent_iseq = 160,
		.body_first_lineno = 88,
		.first_lineno_fixnum = 0, /* an int since 3.2 */
		.body_insns_body = 112,
		.body_insns_positions = 120,
		.body_insns_size = 128,
		.body_succ_table = 136,
		.insn_info_size = 12,
		.insn_info_line_no = 0,
		.me_def = 16,
		.def_iseqptr = 8,
		.def_bmethod_proc = 8,
		.typeddata_data = 32,
		.proc_block_iseq = 16,
		.me_owner = 32,
		.def_original_id = 32,
		.def_shared_mask = 0x40, /* rb_method_definition_t.aliased: bit 6 */
		.class_m_tbl = 24, /* RClass.m_tbl */
		.class_path = CLASS_PATH_FIELDS,
		.class_classpath = 32 + 120, /* RClass_and_rb_classext_t.classext.classpath */
		.class_attached = 32 + 96,   /* ....classext.as.singleton_class.attached_object */
		.fl_singleton = FL_USER(1),
		.symbols_last_id = 0,
		.symbols_ids = 16,
		.id_scope_shift = 4,
		.last_op_id = 170,
		.id_entry_unit = 512,
		.st_entries_start = 32, /* unused by CLASS_PATH_FIELDS, kept as the DWARF has it */
		.st_entries_bound = 40,
		.st_entries = 48,
		.vm_objspace = 1296, /* rb_vm_t.gc.objspace */
		.objspace_flags = 20,
		.gc_during_mask = 1 << 5,
		.gc_mode_mask = 0x3,
		.rstring = RSTRING_LEN_FIELD,
		.rstring_noembed = FL_USER(1),
		.rstring_len = 16,
		.rstring_embed = 24,
		.rstring_heap_ptr = 24,
		.rarray_embed = FL_USER(1),
		.rarray_embed_len_shift = FL_USHIFT + 3,
		.rarray_embed_len_mask = 0x7f, /* FL_USER3..FL_USER9 */
		.rarray_embed_ary = 16,
		.rarray_heap_len = 16,
		.rarray_heap_ptr = 32,
	},
	{
		/* scripts/layouts/4.0.5.txt */
		.series = "4.0",
		.releases = "4.0.0-4.0.5",
		.vm = {
			.ec_vm_stack = 0, /* rb_execution_context_t.vm_stack */
			.ec_vm_stack_size = 8, /* rb_execution_context_t.vm_stack_size */
			.ec_cfp = 16, /* rb_execution_context_t.cfp */
			.cfp_size = 56, /* sizeof(rb_control_frame_t) */
			.cfp_pc = 0, /* rb_control_frame_t.pc */
			.cfp_iseq = 16, /* rb_control_frame_t.iseq */
			.cfp_ep = 32, /* rb_control_frame_t.ep */
			.cfp_jit_return = 48, /* rb_control_frame_t.jit_return */
		},
		.ec_thread_ptr = 48, /* rb_execution_context_t.thread_ptr */
		.thread_ec = 48, /* rb_thread_t.ec */
		.thread_status = 248, /* rb_thread_t.status: bitfield `enum rb_thread_status status : 2` */
		.thread_status_shift = 0, /* rb_thread_t.status: bits 0-1 of that byte */
		.thread_blocking_region = 256, /* rb_thread_t.blocking_region_buffer */
		.thread_sched_base = 24, /* rb_thread_t.ractor */
		.sched_running = 256, /* rb_ractor_struct.threads.sched.running */
		.iseq_body = 16, /* rb_iseq_struct.body */
		.body_iseq_size = 4, /* rb_iseq_constant_body.iseq_size */
		.body_iseq_encoded = 8, /* rb_iseq_constant_body.iseq_encoded */
		.body_pathobj = 64, /* rb_iseq_constant_body.location.pathobj */
		.body_label = 80, /* rb_iseq_constant_body.location.label */
		.body_type = 0, /* rb_iseq_constant_body.type */
		.body_local_iseq = 176, /* rb_iseq_constant_body.local_iseq */
		.body_parent_iseq = 168, /* rb_iseq_constant_body.parent_iseq */
		.body_first_lineno = 88, /* rb_iseq_constant_body.location.first_lineno */
		.first_lineno_fixnum = 0, /* location.first_lineno is `int` */
		.body_insns_body = 112, /* rb_iseq_constant_body.insns_info.body */
		.body_insns_positions = 120, /* rb_iseq_constant_body.insns_info.positions */
		.body_insns_size = 128, /* rb_iseq_constant_body.insns_info.size */
		.body_succ_table = 136, /* rb_iseq_constant_body.insns_info.succ_index_table */
		.insn_info_size = 12, /* sizeof(struct iseq_insn_info_entry) */
		.insn_info_line_no = 0, /* iseq_insn_info_entry.line_no */
		.me_def = 16, /* rb_method_entry_t.def */
		.def_iseqptr = 8, /* rb_method_definition_t.body.iseq.iseqptr */
		.def_bmethod_proc = 8, /* rb_method_definition_t.body.bmethod.proc */
		.typeddata_data = 32, /* RTypedData.data */
		.proc_block_iseq = 16, /* rb_proc_t.block.as.captured.code.iseq */
		.me_owner = 32, /* rb_method_entry_t.owner */
		.def_original_id = 32, /* rb_method_definition_t.original_id */
		.def_shared_mask = 0x40, /* rb_method_definition_t.aliased: bit 6 */
		.class_m_tbl = 24 + 24, /* RClass_and_rb_classext_t.classext.m_tbl */
		.fl_singleton = FL_USER(1), /* RUBY_FL_SINGLETON */
		.symbols_ids = 16, /* ruby_global_symbols.ids (rb_symbols_t) */
		.id_scope_shift = 4, /* RUBY_ID_SCOPE_SHIFT */
		.last_op_id = 171, /* tLAST_OP_ID */
		.id_entry_unit = 512, /* ID_ENTRY_UNIT */
		.st_entries_start = 32, /* st_table.entries_start */
		.st_entries_bound = 40, /* st_table.entries_bound */
		.st_entries = 48, /* st_table.entries */
		.vm_objspace = 1248, /* rb_vm_t.gc.objspace (not .objspace) */
		.objspace_flags = 28, /* rb_objspace.flags */
		.gc_during_mask = 0x20, /* rb_objspace.flags.during_gc : 1 */
		.gc_mode_mask = 0x3, /* rb_objspace.flags.mode : 2 */
		.rstring_noembed = FL_USER(1), /* RSTRING_NOEMBED */
		.rstring_embed = 24, /* RString.as.embed.ary */
		.rstring_heap_ptr = 24, /* RString.as.heap.ptr */
		.rarray_embed = FL_USER(1), /* RARRAY_EMBED_FLAG */
		.rarray_embed_len_shift = 15, /* RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_len_mask = 0x7f, /* RARRAY_EMBED_LEN_MASK >> RARRAY_EMBED_LEN_SHIFT */
		.rarray_embed_ary = 16, /* RArray.as.ary */
		.rarray_heap_len = 16, /* RArray.as.heap.len */
		.rarray_heap_ptr = 32, /* RArray.as.heap.ptr */
		.class_path = CLASS_PATH_FIELDS,
		.class_classpath = 24 + 128, /* RClass_and_rb_classext_t.classext.classpath */
		.class_attached = 24 + 112, /* ....classext.as.singleton_class.attached_object */
		.symbols_last_id = 0, /* rb_symbols_t.next_id: one past the last serial */
		.symbols_next_id = 1,
		.rstring = RSTRING_LEN_FIELD,
		.rstring_len = 16, /* RString.len */
	},
};
#pragma GCC diagnostic pop
/* clang-format on */

#define NLAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

/* "3.1.2" -> 3, 1, 2; 0 if it is not of that form. */
static int parse_version(const char *v, int *major, int *minor, int *patch)
{
	char tail;

	return sscanf(v, "%d.%d.%d%c", major, minor, patch, &tail) == 3;
}

static int in_range(const char *range, int major, int minor, int patch)
{
	int a1, b1, c1, a2, b2, c2;

	if (sscanf(range, "%d.%d.%d-%d.%d.%d", &a1, &b1, &c1, &a2, &b2, &c2) != 6)
		return 0;
	return major == a1 && minor == b1 && patch >= c1 && patch <= c2;
}

const struct ruby_layout *ruby_layout_find(const char *version, int *exact)
{
	int major, minor, patch;
	char series[32];
	size_t i;

	*exact = 0;
	if (!parse_version(version, &major, &minor, &patch))
		return NULL;
	snprintf(series, sizeof(series), "%d.%d", major, minor);
	for (i = 0; i < NLAYOUTS; i++) {
		if (in_range(layouts[i].releases, major, minor, patch)) {
			*exact = 1;
			return &layouts[i];
		}
	}
	for (i = 0; i < NLAYOUTS; i++)
		if (!strcmp(layouts[i].series, series))
			return &layouts[i];
	return NULL;
}

/* "3.1.2-3.1.7" -> the first release's numbers; 0 if not of that form. */
static int range_start(const char *range, int *major, int *minor, int *patch)
{
	return sscanf(range, "%d.%d.%d-", major, minor, patch) == 3;
}

const struct ruby_layout *ruby_layout_nearest(const char *version)
{
	const struct ruby_layout *best = NULL;
	int major, minor, patch, exact;
	long want, at, best_at = -1;
	size_t i;

	best = ruby_layout_find(version, &exact);
	if (best || !parse_version(version, &major, &minor, &patch))
		return best;
	/* Patch numbers stay below 1000, minors below 1000: one comparable number. */
	want = ((long)major * 1000 + minor) * 1000 + patch;
	for (i = 0; i < NLAYOUTS; i++) {
		if (!range_start(layouts[i].releases, &major, &minor, &patch))
			continue;
		at = ((long)major * 1000 + minor) * 1000 + patch;
		if (at <= want && at > best_at) {
			best = &layouts[i];
			best_at = at;
		}
	}
	return best;
}

void ruby_layout_to_proc(const struct ruby_layout *L, struct rbprof_proc *p)
{
	p->off = L->vm;
	p->ec_thread_ptr = L->ec_thread_ptr;
	p->thread_id = L->thread_id;
}

const char *ruby_layout_supported(void)
{
	static char buf[256];
	size_t i, len = 0;

	if (buf[0])
		return buf;
	for (i = 0; i < NLAYOUTS && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "",
					layouts[i].releases);
	return buf;
}
