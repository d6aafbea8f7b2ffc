/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rb31.h - lay out Ruby 3.1 objects (Strings, Arrays, iseqs, control frames) in a fakemem,
 * with the offsets of the 3.1 entry of user/layouts/releases.c.
 */
#ifndef RBPROF_RB31_H
#define RBPROF_RB31_H

#include "fakemem.h"
#include "layouts/layout.h"

const struct ruby_layout *rb31(void);
/* A String at addr: embedded if it fits in 23 bytes, else on the heap at addr + 0x1000. */
void rb31_string(struct fakemem *fm, __u64 addr, const char *s);
/* The same String for layout L (3.2+: the length in a field), embedded if it fits its slot. */
void rb_string(struct fakemem *fm, const struct ruby_layout *L, __u64 addr, const char *s);
/* An embedded Array of n (<= 3) VALUEs. */
void rb31_array(struct fakemem *fm, __u64 addr, const __u64 *vals, int n);
/* A heap Array of n VALUEs, its elements at addr + 0x1000. */
void rb31_heap_array(struct fakemem *fm, __u64 addr, const __u64 *vals, int n);
/* A class (T_CLASS, or with `flags` extra bits) whose ivar table holds (ids[i], vals[i]). */
void rb31_class(struct fakemem *fm, __u64 addr, __u64 flags, const __u64 *ids, const __u64 *vals,
		int n);
/*
 * ruby_global_symbols at addr naming serials RB31_FIRST_SERIAL + i with names[i]. Serials of
 * named IDs start past the operators' (tLAST_OP_ID, 169); all of these are in chunk 0.
 */
#define RB31_FIRST_SERIAL 200
void rb31_symbols(struct fakemem *fm, __u64 addr, const char *const *names, int n);
/* The same for layout L, whose heap Arrays and ID table are laid out as 3.1's (3.0-3.3). */
void rb_symbols(struct fakemem *fm, const struct ruby_layout *L, __u64 addr,
		const char *const *names, int n);
/* The ID of a serial (a local name: serial << ID_SCOPE_SHIFT | ID_STATIC_SYM). */
__u64 rb31_id(int serial);
/* A method entry for a method named by ID `id` owned by class `owner`, running `iseq` (a
 * Ruby method) or nothing (0: a C method). */
void rb31_method_entry(struct fakemem *fm, __u64 addr, __u64 id, __u64 owner, __u64 iseq);
/* Make method entry addr's definition shared with another entry (an alias). */
void rb31_method_entry_share(struct fakemem *fm, __u64 addr);
/* Make method entry addr private (a module_function's instance copy). */
void rb31_method_entry_private(struct fakemem *fm, __u64 addr);
/* Set RBasic.klass of class addr (made by rb31_class): its singleton class, say. */
void rb31_class_klass(struct fakemem *fm, __u64 addr, __u64 klass);
/* Give class klass (made by rb31_class) a method table: ids[i] -> method entry mes[i]. */
void rb31_method_table(struct fakemem *fm, __u64 klass, const __u64 *ids, const __u64 *mes, int n);
/* A define_method entry whose Proc runs block_iseq (its regions at addr .. addr + 0x340). */
void rb31_bmethod_entry(struct fakemem *fm, __u64 addr, __u64 id, __u64 owner, __u64 block_iseq);
/* Set the parent_iseq of iseq addr (made by rb31_iseq). */
void rb31_iseq_parent(struct fakemem *fm, __u64 addr, __u64 parent_iseq);
/* Set an iseq's type (enum ruby_iseq_type) and local_iseq. */
void rb31_iseq_kind(struct fakemem *fm, __u64 addr, int type, __u64 local_iseq);
/* An env at ep: ep[-2] = me_cref, ep[-1] = prev ep (0: none), ep[0] = flags. */
void rb31_env(struct fakemem *fm, __u64 ep, __u64 me_cref, __u64 prev_ep, __u64 flags);

/*
 * An iseq at addr with its body at addr + 0x100, label/path Strings at addr + 0x400/0x800,
 * bytecode at addr + 0x10000 (iseq_size VALUEs), and insns_info entries starting at
 * `positions` with lines `lines` (succ table encoded as Ruby does). Returns iseq_encoded.
 */
__u64 rb31_iseq(struct fakemem *fm, __u64 addr, const char *label, const char *path,
		int first_lineno, int iseq_size, const int *positions, const int *lines, int n);

#endif
