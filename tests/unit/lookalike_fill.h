/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * lookalike_fill.h - included after fixtures/dwarf_lookalike.h (with or without
 * LOOKALIKE_NEW) by lookalike_old.c and lookalike_new.c: one body for both shapes.
 */
#include <string.h>
#include "lookalike.h"

/* The mask of bitfield `member` of rb_objspace_t.flags: set it to all ones and look. */
#define FLAGS_MASK(member, ones)                                                                   \
	({                                                                                         \
		rb_objspace_t os;                                                                  \
		__u64 mask = 0;                                                                    \
		memset(&os, 0, sizeof(os));                                                        \
		os.flags.member = (ones);                                                          \
		memcpy(&mask, &os.flags, sizeof(os.flags));                                        \
		mask;                                                                              \
	})

/* rb_thread_t.status, a bitfield: its byte and lowest bit, found by setting it to all ones. */
static void status_bits(__u32 *byte, __u8 *shift)
{
	rb_thread_t th;
	const unsigned char *p = (const unsigned char *)&th;
	size_t i;

	memset(&th, 0, sizeof(th));
	th.status = THREAD_KILLED; /* 3 */
	for (i = 0; i < sizeof(th) - 1 && !p[i]; i++)
		;
	*byte = (__u32)i;
	*shift = (__u8)__builtin_ctz(p[i]);
}

static void lookalike_fill(struct ruby_layout *L, const struct ruby_layout *base)
{
	memset(L, 0, sizeof(*L));
	L->vm.ec_vm_stack = offsetof(rb_execution_context_t, vm_stack);
	L->vm.ec_vm_stack_size = offsetof(rb_execution_context_t, vm_stack_size);
	L->vm.ec_cfp = offsetof(rb_execution_context_t, cfp);
	L->ec_thread_ptr = offsetof(rb_execution_context_t, thread_ptr);
	L->thread_ec = offsetof(rb_thread_t, ec);
	status_bits(&L->thread_status, &L->thread_status_shift);
	L->thread_blocking_region = offsetof(rb_thread_t, blocking_region_buffer);
	L->vm.cfp_size = sizeof(rb_control_frame_t);
	L->vm.cfp_pc = offsetof(rb_control_frame_t, pc);
	L->vm.cfp_iseq = offsetof(rb_control_frame_t, iseq);
	L->vm.cfp_ep = offsetof(rb_control_frame_t, ep);
	L->vm.cfp_jit_return = offsetof(rb_control_frame_t, jit_return);
	L->iseq_body = offsetof(struct rb_iseq_struct, body);
	L->body_iseq_size = offsetof(struct rb_iseq_constant_body, iseq_size);
	L->body_iseq_encoded = offsetof(struct rb_iseq_constant_body, iseq_encoded);
	L->body_pathobj = offsetof(struct rb_iseq_constant_body, location.pathobj);
	L->body_label = offsetof(struct rb_iseq_constant_body, location.label);
	L->body_type = offsetof(struct rb_iseq_constant_body, type);
	L->body_local_iseq = offsetof(struct rb_iseq_constant_body, local_iseq);
	L->body_parent_iseq = offsetof(struct rb_iseq_constant_body, parent_iseq);
	L->body_first_lineno = offsetof(struct rb_iseq_constant_body, location.first_lineno);
	L->body_insns_body = offsetof(struct rb_iseq_constant_body, insns_info.body);
	L->body_insns_positions = offsetof(struct rb_iseq_constant_body, insns_info.positions);
	L->body_insns_size = offsetof(struct rb_iseq_constant_body, insns_info.size);
	L->body_succ_table = offsetof(struct rb_iseq_constant_body, insns_info.succ_index_table);
	L->insn_info_size = sizeof(struct iseq_insn_info_entry);
	L->insn_info_line_no = offsetof(struct iseq_insn_info_entry, line_no);
	L->me_def = offsetof(rb_method_entry_t, def);
	L->def_iseqptr = offsetof(rb_method_definition_t, body.iseq.iseqptr);
	L->def_bmethod_proc = offsetof(rb_method_definition_t, body.bmethod.proc);
	L->typeddata_data = offsetof(struct RTypedData, data);
	L->proc_block_iseq = offsetof(rb_proc_t, block.as.captured.code.iseq);
	L->me_owner = offsetof(rb_method_entry_t, owner);
	L->def_original_id = offsetof(rb_method_definition_t, original_id);
	/* the look-alikes: alias_count : 28 after type : 4, and RClass.m_tbl in every shape */
	L->def_shared_mask = 0xfffffff0ULL;
	L->class_m_tbl = offsetof(struct RClass, m_tbl);
	L->fl_singleton = RUBY_FL_SINGLETON;
	L->symbols_ids = offsetof(rb_symbols_t, ids);
	L->id_scope_shift = RUBY_ID_SCOPE_SHIFT;
	L->last_op_id = tLAST_OP_ID;
	L->st_entries_start = offsetof(st_table, entries_start);
	L->st_entries_bound = offsetof(st_table, entries_bound);
	L->st_entries = offsetof(st_table, entries);
	L->vm_objspace = offsetof(rb_vm_t, LOOKALIKE_OBJSPACE);
	L->objspace_flags = offsetof(rb_objspace_t, flags);
	L->gc_during_mask = FLAGS_MASK(during_gc, 1);
	L->gc_mode_mask = FLAGS_MASK(mode, 3);
	L->rstring_noembed = RSTRING_NOEMBED;
	L->rstring_heap_ptr = offsetof(struct RString, as.heap.ptr);
	L->rarray_embed = RARRAY_EMBED_FLAG;
	L->rarray_embed_len_shift = RARRAY_EMBED_LEN_SHIFT;
	L->rarray_embed_ary = offsetof(struct RArray, as.ary);
	L->rarray_heap_len = offsetof(struct RArray, as.heap.len);
	L->rarray_heap_ptr = offsetof(struct RArray, as.heap.ptr);
#ifdef LOOKALIKE_NEW
	L->thread_sched_base = offsetof(rb_thread_t, ractor);
#ifdef LOOKALIKE_SHAPES
	L->sched_running = offsetof(struct rb_ractor_struct, threads.gvl.owner);
#else
	L->sched_running = offsetof(struct rb_ractor_struct, threads.sched.running);
#endif
	L->first_lineno_fixnum = 0;
	L->symbols_last_id = offsetof(rb_symbols_t, next_id);
	L->symbols_next_id = 1;
#ifdef LOOKALIKE_SHAPES
	L->class_path = CLASS_PATH_SHAPE_IVARS;
	L->class_ivptr = sizeof(struct RClass) + offsetof(rb_classext_t, iv_ptr);
	L->vm_shape_list = offsetof(rb_vm_t, shape_list);
	L->shape_size = sizeof(rb_shape_t);
	L->shape_edge_name = offsetof(rb_shape_t, edge_name);
	L->shape_next_iv_index = offsetof(rb_shape_t, next_iv_index);
	L->shape_type = offsetof(rb_shape_t, type);
	L->shape_parent_id = offsetof(rb_shape_t, parent_id);
	L->shape_ivar_type = SHAPE_IVAR;
	/* #defines in Ruby: the base layout's */
	L->shape_id_shift = base->shape_id_shift;
	L->shape_list_len = base->shape_list_len;
#else
	L->class_path = CLASS_PATH_FIELDS;
	L->class_classpath = offsetof(struct RClass_and_rb_classext_t, classext.classpath);
	L->class_attached =
	    offsetof(struct RClass_and_rb_classext_t, classext.as.singleton_class.attached_object);
#endif
	L->rstring = RSTRING_LEN_FIELD;
	L->rstring_len = offsetof(struct RString, len);
	L->rstring_embed = offsetof(struct RString, as.embed.ary);
	/* #defines in Ruby, left out of the look-alike: the base layout's */
	L->id_entry_unit = base->id_entry_unit;
	L->rarray_embed_len_mask = base->rarray_embed_len_mask;
#else
	(void)base;
	L->cfp_published_first = 1; /* from the 2.7 base: code, not DWARF */
	L->thread_id = offsetof(rb_thread_t, thread_id);
	L->thread_sched_base = offsetof(rb_thread_t, vm);
	L->sched_running = offsetof(rb_vm_t, gvl.owner);
	L->vm_living_threads = offsetof(rb_vm_t, living_threads);
	L->thread_vmlt_node = offsetof(rb_thread_t, vmlt_node);
	L->first_lineno_fixnum = 1;
	L->symbols_last_id = offsetof(rb_symbols_t, last_id);
	L->class_path = CLASS_PATH_IVARS;
	L->class_ext = offsetof(struct RClass, ptr);
	L->classext_iv_tbl = offsetof(rb_classext_t, iv_tbl);
	L->id_entry_unit = LOOKALIKE_ID_ENTRY_UNIT;
	L->rstring = RSTRING_LEN_IN_FLAGS;
	L->rstring_embed_len_shift = RSTRING_EMBED_LEN_SHIFT;
	L->rstring_embed_len_mask = RSTRING_EMBED_LEN_MASK >> RSTRING_EMBED_LEN_SHIFT;
	L->rstring_embed = offsetof(struct RString, as.ary);
	L->rstring_heap_len = offsetof(struct RString, as.heap.len);
	L->rarray_embed_len_mask = RARRAY_EMBED_LEN_MASK >> RARRAY_EMBED_LEN_SHIFT;
#endif
}
