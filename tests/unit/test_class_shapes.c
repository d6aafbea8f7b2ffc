// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Class paths of Ruby 3.2 from a made-up heap: the ivars of a class in classext.iv_ptr, at
 * the indexes its object shape gives (CLASS_PATH_SHAPE_IVARS), with the 3.2 layout of
 * user/layouts/releases.c; and shape chains that loop, leave the list or lie about indexes.
 */
#include <string.h>
#include "rb31.h"
#include "rubyvm/names.h"
#include "test.h"

#define GS     0x1000000ULL /* ruby_global_symbols */
#define VM_PTR 0x6000000ULL /* ruby_current_vm_ptr, the variable */
#define VM     0x6100000ULL /* the rb_vm_t it points to */
#define SHAPES 0x6200000ULL /* its shape_list */
/* Shapes mapped at SHAPES: enough for every chain below. */
#define NSHAPES 64
/* shape.h: enum shape_type, ROOT_SHAPE_ID, INVALID_SHAPE_ID (32-bit shape ids) */
#define SHAPE_ROOT	 0
#define SHAPE_FROZEN	 2
#define ROOT_SHAPE_ID	 0U
#define INVALID_SHAPE_ID 0xffffffffU
#define FL_SINGLETON	 (1ULL << 12) /* FL_USER0 in 3.2 */
#define FIXNUM_7	 0xfULL	      /* INT2FIX(7): an ivar value that is no String */

enum { S_CLASSPATH = RB31_FIRST_SERIAL, S_TMP_CLASSPATH, S_ATTACHED, S_FOO, S_CLOCK };
static const char *const names[] = {"__classpath__", "__tmp_classpath__", "__attached__", "@foo",
				    "clock_gettime"};

struct heap32 {
	struct fakemem fm;
	const struct ruby_layout *L;
	unsigned char *shapes;
	__u32 next_shape; /* the next free shape id */
};

static void shape_set(struct heap32 *h, __u32 id, __u64 edge, __u32 next_iv, __u8 type,
		      __u32 parent)
{
	const struct ruby_layout *L = h->L;
	unsigned char *s = h->shapes + (size_t)id * L->shape_size;

	memcpy(s + L->shape_edge_name, &edge, 8);
	memcpy(s + L->shape_next_iv_index, &next_iv, 4);
	s[L->shape_type] = type;
	memcpy(s + L->shape_parent_id, &parent, 4);
}

/* A new shape (the next id) that adds ivar `id` as the ivar index next_iv - 1. */
static __u32 shape_ivar(struct heap32 *h, __u64 id, __u32 next_iv, __u32 parent)
{
	shape_set(h, h->next_shape, id, next_iv, h->L->shape_ivar_type, parent);
	return h->next_shape++;
}

static void setup(struct heap32 *h, struct ruby_names *n, __u64 vm_ptr_addr)
{
	__u64 vm = VM, shapes = SHAPES;
	unsigned char *v;
	int exact;

	fakemem_init(&h->fm);
	h->L = ruby_layout_find("3.2.11", &exact);
	rb_symbols(&h->fm, h->L, GS, names, 5);
	memcpy(fakemem_map(&h->fm, VM_PTR, 8), &vm, 8);
	v = fakemem_map(&h->fm, VM, h->L->vm_shape_list + 8);
	memcpy(v + h->L->vm_shape_list, &shapes, 8);
	h->shapes = fakemem_map(&h->fm, SHAPES, NSHAPES * h->L->shape_size);
	shape_set(h, ROOT_SHAPE_ID, 0, 0, SHAPE_ROOT, INVALID_SHAPE_ID);
	h->next_shape = ROOT_SHAPE_ID + 1;
	ruby_names_init(n, &h->fm.base, h->L, GS, vm_ptr_addr);
}

/* A class at addr (T_CLASS | flags) with shape `shape` and ivar values vals[0..n). */
static void class_with_shape(struct heap32 *h, __u64 addr, __u64 flags, __u32 shape,
			     const __u64 *vals, int n)
{
	const struct ruby_layout *L = h->L;
	unsigned char *k = fakemem_map(&h->fm, addr, L->class_ivptr + 8);
	__u64 ivptr = addr + 0x1000;

	flags |= 0x02 | (__u64)shape << L->shape_id_shift;
	memcpy(k, &flags, 8);
	memcpy(k + L->class_ivptr, &ivptr, 8);
	if (n)
		memcpy(fakemem_map(&h->fm, ivptr, (size_t)n * 8), vals, (size_t)n * 8);
}

/* A class whose ivars ids[i] = vals[i] were set in that order, then maybe frozen. */
static void class32(struct heap32 *h, __u64 addr, __u64 flags, const __u64 *ids, const __u64 *vals,
		    int n, int frozen)
{
	__u32 shape = ROOT_SHAPE_ID;
	int i;

	for (i = 0; i < n; i++)
		shape = shape_ivar(h, ids[i], (__u32)i + 1, shape);
	if (frozen) {
		/* It adds no ivar, keeps the count. Its edge, an internal ID in Ruby, is here one
		 * that would read the last ivar as the path were its type not heeded. */
		shape_set(h, h->next_shape, rb31_id(S_CLASSPATH), (__u32)n, SHAPE_FROZEN, shape);
		shape = h->next_shape++;
	}
	class_with_shape(h, addr, flags, shape, vals, n);
}

void test_shapes_class_paths(void)
{
	__u64 cp = rb31_id(S_CLASSPATH), tmp = rb31_id(S_TMP_CLASSPATH), foo = rb31_id(S_FOO);
	__u64 a_ids[2] = {cp, foo}, a_vals[2] = {0x3000000, FIXNUM_7};
	__u64 b_ids[2] = {foo, tmp}, b_vals[2] = {FIXNUM_7, 0x3100000};
	__u64 s_ids[1] = {rb31_id(S_ATTACHED)}, s_vals[1] = {0x2000000};
	struct heap32 h;
	struct ruby_names n;
	char buf[RUBY_NAME_MAX];

	setup(&h, &n, VM_PTR);
	rb_string(&h.fm, h.L, 0x3000000, "Outer::Inner");
	rb_string(&h.fm, h.L, 0x3100000, "#<Class:0x1>::Tmp");
	/* the path is the first ivar, the nearest the root; the class is frozen since */
	class32(&h, 0x2000000, 0, a_ids, a_vals, 2, 1);
	class32(&h, 0x2100000, 0, b_ids, b_vals, 2, 0);		   /* only a temporary path */
	class32(&h, 0x2200000, 0, NULL, NULL, 0, 0);		   /* the root shape: anonymous */
	class32(&h, 0x2300000, FL_SINGLETON, s_ids, s_vals, 1, 0); /* Outer::Inner's singleton */
	rb31_method_entry(&h.fm, 0x4000000, rb31_id(S_CLOCK), 0x2300000, 0);
	/* While the VM cannot be read (a process still booting), nothing is named or cached. */
	fakemem_toggle(&h.fm, VM);
	CHECK(ruby_class_path(&n, 0x2000000) == NULL);
	CHECK(hashmap_get(&n.classes, 0x2000000, 0) == NULL);
	fakemem_toggle(&h.fm, VM);
	CHECK_STR(ruby_class_path(&n, 0x2000000), "Outer::Inner");
	CHECK_STR(ruby_class_path(&n, 0x2100000), "#<Class:0x1>::Tmp");
	CHECK_STR(ruby_class_path(&n, 0x2200000), "#<Class:0x0000000002200000>");
	CHECK_EQ_INT(ruby_method_label(&n, 0x4000000, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "Outer::Inner.clock_gettime");
	ruby_names_free(&n);
	/* Without ruby_current_vm_ptr there are no shapes to read: no path, nothing cached. */
	ruby_names_init(&n, &h.fm.base, h.L, GS, 0);
	CHECK(ruby_class_path(&n, 0x2000000) == NULL);
	CHECK(hashmap_get(&n.classes, 0x2000000, 0) == NULL);
	ruby_names_free(&n);
	fakemem_free(&h.fm);
}

void test_shapes_hostile(void)
{
	__u64 cp = rb31_id(S_CLASSPATH), foo = rb31_id(S_FOO), vals[1] = {0x3000000}, twice[2];
	struct heap32 h;
	struct ruby_names n;
	__u32 loop, liar;
	int reads;

	setup(&h, &n, VM_PTR);
	rb_string(&h.fm, h.L, 0x3000000, "Named");
	/* A shape that is its own parent: the walk stops after RUBY_CLASS_SHAPES_MAX shapes. */
	loop = h.next_shape++;
	shape_set(&h, loop, foo, 1, h.L->shape_ivar_type, loop);
	class_with_shape(&h, 0x2000000, 0, loop, vals, 1);
	reads = h.fm.reads;
	CHECK_STR(ruby_class_path(&n, 0x2000000), "#<Class:0x0000000002000000>");
	CHECK(h.fm.reads - reads < 2 * RUBY_CLASS_SHAPES_MAX + 32);
	/* A shape id, or a parent id, past the shape list: not read, anonymous. */
	class_with_shape(&h, 0x2100000, 0, 0xfffffff0U, vals, 1);
	CHECK_STR(ruby_class_path(&n, 0x2100000), "#<Class:0x0000000002100000>");
	shape_set(&h, h.next_shape, cp, 1, h.L->shape_ivar_type, h.L->shape_list_len + 5);
	class_with_shape(&h, 0x2200000, 0, h.next_shape++, vals, 1);
	CHECK_STR(ruby_class_path(&n, 0x2200000), "#<Class:0x0000000002200000>");
	/* A path claimed at index 999 of a class that has 1 ivar: not read past iv_ptr. */
	liar = shape_ivar(&h, cp, 1000, ROOT_SHAPE_ID);
	class_with_shape(&h, 0x2300000, 0, shape_ivar(&h, foo, 1, liar), vals, 1);
	CHECK_STR(ruby_class_path(&n, 0x2300000), "#<Class:0x0000000002300000>");
	/* A shape list that cannot be read this time: no name, not cached, named later. */
	class_with_shape(&h, 0x2400000, 0, shape_ivar(&h, cp, 1, ROOT_SHAPE_ID), vals, 1);
	fakemem_toggle(&h.fm, SHAPES);
	CHECK(ruby_class_path(&n, 0x2400000) == NULL);
	CHECK(hashmap_get(&n.classes, 0x2400000, 0) == NULL);
	fakemem_toggle(&h.fm, SHAPES);
	CHECK_STR(ruby_class_path(&n, 0x2400000), "Named");
	/* An ivar twice in one chain (never in Ruby): the one nearest the class, as Ruby finds. */
	rb_string(&h.fm, h.L, 0x3100000, "Nearer");
	twice[0] = 0x3000000;
	twice[1] = 0x3100000;
	class_with_shape(&h, 0x2500000, 0, shape_ivar(&h, cp, 2, shape_ivar(&h, cp, 1, 0)), twice,
			 2);
	CHECK_STR(ruby_class_path(&n, 0x2500000), "Nearer");
	ruby_names_free(&n);
	fakemem_free(&h.fm);
}
