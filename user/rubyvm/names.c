// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* names.c - IDs, class paths and C-method labels read from a Ruby process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rubyvm/names.h"
#include "rubyvm/object.h"

/* include/ruby/internal/value_type.h */
#define RUBY_T_CLASS  0x02
#define RUBY_T_MODULE 0x03
#define RUBY_T_ICLASS 0x1c
/* st.c: the hash of a deleted entry */
#define ST_DELETED_HASH (~(__u64)0)
/* st.c: struct st_table_entry is {hash, key, record}, three words */
#define ST_ENTRY_WORDS 3
#define ST_ENTRY_SIZE  (ST_ENTRY_WORDS * 8)
/*
 * id_table.c: struct rb_id_table {int capa, num, used; item_t *items}, item_t {u32 key (the
 * ID's serial), int collision, VALUE val}; open addressing, probing by growing steps.
 */
#define ID_TABLE_ITEMS	   16
#define ID_TABLE_ITEM_SIZE 16
/* Largest method table read (entries): classes with tens of thousands of methods are garbage. */
#define ID_TABLE_CAPA_MAX (1 << 20)
/* Probes of one lookup: real tables have short chains; a hostile one is cut. */
#define ID_TABLE_PROBES_MAX 64
/*
 * method.h: METHOD_ENTRY_VISI(), two bits of a method entry's flags from IMEMO_FL_USHIFT
 * (FL_USHIFT + 4; RUBY_IMEMO_SHIFT is FL_USHIFT)
 */
#define ME_VISI_SHIFT (RUBY_IMEMO_SHIFT + 4)
/* method.h: rb_method_definition_t.type, the low 4 bits of its first word */
#define RUBY_METHOD_TYPE_MASK 0xf

void ruby_names_init(struct ruby_names *n, struct memread *mem, const struct ruby_layout *L,
		     __u64 global_symbols, __u64 vm_ptr_addr)
{
	memset(n, 0, sizeof(*n));
	n->mem = mem;
	n->layout = L;
	n->global_symbols = global_symbols;
	n->vm_ptr_addr = vm_ptr_addr;
}

void ruby_names_free(struct ruby_names *n)
{
	hashmap_free_values(&n->ids, free);
	hashmap_free_values(&n->classes, free);
}

/* Cache `s` (a copy, or a failure if NULL) under key and return the cached string. */
static const char *remember(struct hashmap *h, __u64 key, const char *s)
{
	char *copy = s ? strdup(s) : NULL;

	if (hashmap_put(h, key, 0, (unsigned long)copy)) {
		free(copy);
		return NULL;
	}
	return copy;
}

/* symbol.c: rb_id_to_serial() */
static __u64 id_serial(const struct ruby_layout *L, __u64 id)
{
	return id > L->last_op_id ? id >> L->id_scope_shift : id;
}

/* symbol.c: get_id_serial_entry(rb_id_to_serial(id), ID_ENTRY_STR) */
static int id_string(struct ruby_names *n, __u64 id, char *buf, size_t cap)
{
	const struct ruby_layout *L = n->layout;
	__u64 serial = id_serial(L, id), ids, chunk, str;
	__u32 last_id;
	int err;

	if (!n->global_symbols || !serial)
		return -ENOENT;
	if ((err = n->mem->read(n->mem, n->global_symbols + L->symbols_last_id, &last_id,
				sizeof(last_id))))
		return err;
	if (serial > last_id || (L->symbols_next_id && serial == last_id))
		return -ENOENT;
	if ((err = memread_u64(n->mem, n->global_symbols + L->symbols_ids, &ids)) ||
	    (err = ruby_array_get(n->mem, L, ids, (__u32)(serial / L->id_entry_unit), &chunk)) ||
	    (err = ruby_array_get(n->mem, L, chunk, (__u32)(serial % L->id_entry_unit) * 2, &str)))
		return err;
	return ruby_string_read(n->mem, L, str, buf, cap) < 0 ? -EINVAL : 0;
}

const char *ruby_id_name(struct ruby_names *n, __u64 id)
{
	__u64 *cached = hashmap_get(&n->ids, id, 0);
	char buf[RUBY_NAME_MAX];

	if (cached)
		return (const char *)(unsigned long)*cached;
	/* Only names are cached: a read that failed (the table growing, say) is tried again. */
	if (id_string(n, id, buf, sizeof(buf)))
		return NULL;
	return remember(&n->ids, id, buf);
}

/* The values of a class's __classpath__, __tmp_classpath__ and __attached__ ivars (0: none). */
struct class_ivars {
	__u64 classpath, tmp_classpath, attached;
};

/* >= 3.3: the path and the attached object are fields of the class itself. */
static int read_class_fields(struct ruby_names *n, __u64 klass, struct class_ivars *iv)
{
	const struct ruby_layout *L = n->layout;

	memset(iv, 0, sizeof(*iv));
	if (memread_u64(n->mem, klass + L->class_classpath, &iv->classpath) ||
	    memread_u64(n->mem, klass + L->class_attached, &iv->attached))
		return -EAGAIN;
	if (!ruby_is_pointer(iv->classpath)) /* nil (or another special constant): anonymous */
		iv->classpath = 0;
	return 0;
}

/* Where the value of ivar `name` goes, if it is one of those that name a class. */
static __u64 *class_ivar_slot(struct class_ivars *iv, const char *name)
{
	if (!strcmp(name, "__classpath__"))
		return &iv->classpath;
	if (!strcmp(name, "__tmp_classpath__"))
		return &iv->tmp_classpath;
	if (!strcmp(name, "__attached__"))
		return &iv->attached;
	return NULL;
}

/* <= 3.1: an st_table. 0, or -EAGAIN if an ivar's name could not be read (it may be the path). */
static int read_class_ivar_table(struct ruby_names *n, __u64 klass, struct class_ivars *iv)
{
	const struct ruby_layout *L = n->layout;
	__u64 ext, tbl, start, bound, entries, e[RUBY_CLASS_IVARS_MAX * ST_ENTRY_WORDS], i;
	int err, unnamed = 0;

	memset(iv, 0, sizeof(*iv));
	if ((err = memread_u64(n->mem, klass + L->class_ext, &ext)) || !ext ||
	    (err = memread_u64(n->mem, ext + L->classext_iv_tbl, &tbl)))
		return -EAGAIN;
	if (!tbl)
		return 0; /* no ivars: anonymous */
	if ((err = memread_u64(n->mem, tbl + L->st_entries_start, &start)) ||
	    (err = memread_u64(n->mem, tbl + L->st_entries_bound, &bound)) ||
	    (err = memread_u64(n->mem, tbl + L->st_entries, &entries)))
		return -EAGAIN;
	if (bound < start)
		return -EINVAL;
	if (bound - start > RUBY_CLASS_IVARS_MAX)
		bound = start + RUBY_CLASS_IVARS_MAX;
	if (n->mem->read(n->mem, entries + start * ST_ENTRY_SIZE, e,
			 (bound - start) * ST_ENTRY_SIZE))
		return -EAGAIN;
	for (i = 0; i < bound - start; i++) {
		const char *name;
		__u64 *slot;

		if (e[i * ST_ENTRY_WORDS] == ST_DELETED_HASH)
			continue;
		name = ruby_id_name(n, e[i * ST_ENTRY_WORDS + 1]);
		if (!name)
			unnamed = 1;
		else if ((slot = class_ivar_slot(iv, name)))
			*slot = e[i * ST_ENTRY_WORDS + 2];
	}
	return iv->classpath || !unnamed ? 0 : -EAGAIN;
}

/* The fields of an rb_shape_t that a walk to the root needs. */
struct ruby_shape {
	__u64 edge_name;
	__u32 next_iv_index, parent_id;
	__u8 type;
};

/* The VM's shape list, read once: the VM allocates it at boot and never moves it. */
static __u64 shape_list(struct ruby_names *n)
{
	__u64 vm;

	if (!n->shape_list && n->vm_ptr_addr && !memread_u64(n->mem, n->vm_ptr_addr, &vm) && vm &&
	    memread_u64(n->mem, vm + n->layout->vm_shape_list, &n->shape_list))
		n->shape_list = 0;
	return n->shape_list;
}

static int shape_read(struct ruby_names *n, __u64 list, __u32 id, struct ruby_shape *s)
{
	const struct ruby_layout *L = n->layout;
	__u8 raw[RUBY_SHAPE_SIZE_MAX] = {0};

	if (L->shape_size > sizeof(raw) ||
	    n->mem->read(n->mem, list + (__u64)id * L->shape_size, raw, L->shape_size))
		return -EFAULT;
	memcpy(&s->edge_name, raw + L->shape_edge_name, sizeof(s->edge_name));
	memcpy(&s->next_iv_index, raw + L->shape_next_iv_index, sizeof(s->next_iv_index));
	memcpy(&s->parent_id, raw + L->shape_parent_id, sizeof(s->parent_id));
	s->type = raw[L->shape_type];
	return 0;
}

/*
 * 3.2 (variable.c: rb_ivar_lookup, shape.c: rb_shape_get_iv_index): from the class's shape up
 * to the root, each SHAPE_IVAR shape adds ivar edge_name at index next_iv_index - 1 of
 * classext.iv_ptr, which holds the class shape's next_iv_index values. 0; -EAGAIN if what
 * could hold the path was not read this time; -EINVAL if the chain leaves the shape list or
 * does not reach the root within RUBY_CLASS_SHAPES_MAX shapes.
 */
static int read_class_shape_ivars(struct ruby_names *n, __u64 klass, __u64 flags,
				  struct class_ivars *iv)
{
	const struct ruby_layout *L = n->layout;
	__u64 list = shape_list(n), ivptr, *slot;
	__u32 id = (__u32)(flags >> L->shape_id_shift), count = 0, i;
	int unnamed = 0;

	memset(iv, 0, sizeof(*iv));
	if (!list || memread_u64(n->mem, klass + L->class_ivptr, &ivptr))
		return -EAGAIN;
	for (i = 0; i < RUBY_CLASS_SHAPES_MAX; i++) {
		struct ruby_shape s;
		const char *name;

		if (id >= L->shape_list_len)
			return -EINVAL;
		if (shape_read(n, list, id, &s))
			return -EAGAIN;
		if (!i)
			count = s.next_iv_index;
		if (s.parent_id >= L->shape_list_len)
			break; /* the root: its parent is INVALID_SHAPE_ID, it adds no ivar */
		id = s.parent_id;
		if (s.type != L->shape_ivar_type || !s.next_iv_index || s.next_iv_index > count)
			continue;
		name = ruby_id_name(n, s.edge_name);
		if (!name)
			unnamed = 1;
		else if ((slot = class_ivar_slot(iv, name)) && !*slot && /* the nearest wins */
			 memread_u64(n->mem, ivptr + (__u64)(s.next_iv_index - 1) * 8, slot))
			return -EAGAIN;
	}
	/* not a String: nil, say (variable.c classname: RTEST) */
	if (!ruby_is_pointer(iv->classpath))
		iv->classpath = 0;
	if (i == RUBY_CLASS_SHAPES_MAX && !iv->classpath)
		return -EINVAL;
	return iv->classpath || !unnamed ? 0 : -EAGAIN;
}

static int read_class_ivars(struct ruby_names *n, __u64 klass, __u64 flags, struct class_ivars *iv)
{
	switch (n->layout->class_path) {
	case CLASS_PATH_FIELDS:
		return read_class_fields(n, klass, iv);
	case CLASS_PATH_SHAPE_IVARS:
		return read_class_shape_ivars(n, klass, flags, iv);
	default:
		return read_class_ivar_table(n, klass, iv);
	}
}

static int class_type(struct ruby_names *n, __u64 klass, __u64 *flags)
{
	int type;

	if (!ruby_is_pointer(klass) || memread_u64(n->mem, klass, flags))
		return -1;
	type = (int)(*flags & RUBY_T_MASK);
	return type == RUBY_T_CLASS || type == RUBY_T_MODULE || type == RUBY_T_ICLASS ? type : -1;
}

/*
 * variable.c: rb_class_path(): the permanent path, else the temporary one, else anonymous.
 * -EAGAIN when the class could not be read well enough to tell: a hostile or anonymous
 * class reads as "#<Class:0x...>" only when its ivars were read and hold no path.
 */
static int class_path(struct ruby_names *n, __u64 klass, char *buf, size_t cap)
{
	struct class_ivars iv;
	__u64 flags;
	int type = class_type(n, klass, &flags), err;

	if (type < 0)
		return -EINVAL;
	err = read_class_ivars(n, klass, flags, &iv);
	if (err == -EAGAIN)
		return err;
	if (!err) {
		if (iv.classpath)
			return ruby_string_read(n->mem, n->layout, iv.classpath, buf, cap) > 0
				   ? 0
				   : -EAGAIN;
		if (iv.tmp_classpath &&
		    ruby_string_read(n->mem, n->layout, iv.tmp_classpath, buf, cap) > 0)
			return 0;
	}
	snprintf(buf, cap, "#<%s:0x%016llx>", type == RUBY_T_MODULE ? "Module" : "Class", klass);
	return 0;
}

const char *ruby_class_path(struct ruby_names *n, __u64 klass)
{
	__u64 *cached = hashmap_get(&n->classes, klass, 0);
	char buf[RUBY_NAME_MAX];

	int err;

	if (cached)
		return (const char *)(unsigned long)*cached;
	err = class_path(n, klass, buf, sizeof(buf));
	if (err == -EAGAIN)
		return NULL; /* not cached: tried again next time */
	return remember(&n->classes, klass, err ? NULL : buf);
}

/* hashmap_retain over classes: a path that is a name stays; the others are tried anew. */
static int class_named(void *ctx, struct hashmap_slot *slot)
{
	struct ruby_names *n = ctx;
	char *path = (char *)(unsigned long)slot->val, buf[RUBY_NAME_MAX];

	if (path && path[0] != '#')
		return 1;
	/* "#<Class:0x...>" then: named since (Foo = Class.new after its first sample)? */
	if (path && !class_path(n, slot->k1, buf, sizeof(buf)) && buf[0] != '#')
		n->renamed++;
	free(path);
	return 0;
}

int ruby_names_trim(struct ruby_names *n)
{
	n->renamed = 0;
	if (n->ids.len > RUBY_NAMES_IDS_MAX)
		hashmap_free_values(&n->ids, free);
	if (n->classes.len > RUBY_NAMES_CLASSES_MAX)
		hashmap_free_values(&n->classes, free);
	else if (hashmap_retain(&n->classes, class_named, n))
		return 0;
	return n->renamed;
}

/* The class whose singleton `klass` is, if it is a singleton class of a class or module. */
static __u64 singleton_of(struct ruby_names *n, __u64 klass)
{
	struct class_ivars iv;
	__u64 flags, attached_flags;

	if (class_type(n, klass, &flags) < 0 || !(flags & n->layout->fl_singleton))
		return 0;
	if (read_class_ivars(n, klass, flags, &iv) ||
	    class_type(n, iv.attached, &attached_flags) < 0)
		return 0;
	return iv.attached;
}

/* The flags of `me` into *flags if it is a method entry. 0, -EINVAL (not one), or -errno. */
static int method_entry_flags(struct ruby_names *n, __u64 me, __u64 *flags)
{
	int err;

	if (!ruby_is_pointer(me))
		return -EINVAL;
	if ((err = memread_u64(n->mem, me, flags)))
		return err;
	return rbprof_imemo_type(*flags) == RUBY_IMEMO_MENT ? 0 : -EINVAL;
}

int ruby_method_entry_check(struct ruby_names *n, __u64 me)
{
	__u64 flags;

	return method_entry_flags(n, me, &flags);
}

int ruby_method_entry_read(struct ruby_names *n, __u64 me, struct ruby_method_entry *out)
{
	const struct ruby_layout *L = n->layout;
	__u64 def, def_flags, me_flags;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = method_entry_flags(n, me, &me_flags)))
		return err;
	out->visibility = (int)((me_flags >> ME_VISI_SHIFT) & 3);
	if ((err = memread_u64(n->mem, me + L->me_def, &def)) ||
	    (err = memread_u64(n->mem, me + L->me_owner, &out->owner)) ||
	    (err = memread_u64(n->mem, def, &def_flags)) ||
	    (err = memread_u64(n->mem, def + L->def_original_id, &out->id)))
		return err;
	out->kind = (int)(def_flags & RUBY_METHOD_TYPE_MASK);
	out->shared = !!(def_flags & L->def_shared_mask);
	if (out->kind == RUBY_METHOD_ISEQ) {
		if (memread_u64(n->mem, def + L->def_iseqptr, &out->iseq))
			out->iseq = 0;
	} else if (out->kind == RUBY_METHOD_BMETHOD) {
		__u64 proc, data;

		/* def->body.bmethod.proc -> rb_proc_t -> block.as.captured.code.iseq */
		if (memread_u64(n->mem, def + L->def_bmethod_proc, &proc) ||
		    !ruby_is_pointer(proc) ||
		    memread_u64(n->mem, proc + L->typeddata_data, &data) ||
		    !ruby_is_pointer(data) ||
		    memread_u64(n->mem, data + L->proc_block_iseq, &out->iseq))
			out->iseq = 0;
	} else {
		out->kind = RUBY_METHOD_OTHER;
	}
	return 0;
}

/* The method entry of `id` in klass's own method table (id_table.c hash_table_index), or 0. */
static __u64 method_table_get(struct ruby_names *n, __u64 klass, __u64 id)
{
	const struct ruby_layout *L = n->layout;
	__u64 at = klass, tbl, items, key = id_serial(L, id);
	struct {
		__s32 capa, num, used, pad;
	} hdr;
	__u32 ix, d, probe;

	if ((L->class_m_tbl_in_ext && memread_u64(n->mem, klass + L->class_ext, &at)) ||
	    memread_u64(n->mem, at + L->class_m_tbl, &tbl) || !ruby_is_pointer(tbl) ||
	    n->mem->read(n->mem, tbl, &hdr, sizeof(hdr)) ||
	    memread_u64(n->mem, tbl + ID_TABLE_ITEMS, &items))
		return 0;
	if (hdr.capa <= 0 || hdr.capa > ID_TABLE_CAPA_MAX || (hdr.capa & (hdr.capa - 1)) ||
	    key > 0xffffffffULL)
		return 0;
	ix = (__u32)key & (__u32)(hdr.capa - 1);
	for (d = 1, probe = 0; probe < ID_TABLE_PROBES_MAX; probe++, d++) {
		struct {
			__u32 key;
			__s32 collision;
			__u64 val;
		} item;

		if (n->mem->read(n->mem, items + (__u64)ix * ID_TABLE_ITEM_SIZE, &item,
				 sizeof(item)))
			return 0;
		if (item.key == key)
			return item.val;
		if (!item.collision)
			return 0;
		ix = (ix + d) & (__u32)(hdr.capa - 1);
	}
	return 0;
}

int ruby_method_table_entry(struct ruby_names *n, __u64 klass, __u64 id,
			    struct ruby_method_entry *e)
{
	__u64 me = method_table_get(n, klass, id);

	return me ? ruby_method_entry_read(n, me, e) : -ENOENT;
}

__u64 ruby_singleton_class(struct ruby_names *n, __u64 obj)
{
	__u64 klass;

	if (!ruby_is_pointer(obj) || memread_u64(n->mem, obj + 8, &klass)) /* RBasic.klass */
		return 0;
	return singleton_of(n, klass) == obj ? klass : 0;
}

__u64 ruby_singleton_attached(struct ruby_names *n, __u64 klass)
{
	return singleton_of(n, klass);
}

int ruby_owner_kind(struct ruby_names *n, __u64 owner)
{
	__u64 flags, attached = singleton_of(n, owner);

	if (attached)
		return class_type(n, attached, &flags) == RUBY_T_MODULE
			   ? RUBY_OWNER_MODULE_SINGLETON
			   : RUBY_OWNER_OTHER;
	return class_type(n, owner, &flags) == RUBY_T_MODULE ? RUBY_OWNER_MODULE : RUBY_OWNER_OTHER;
}

int ruby_qualified_name(struct ruby_names *n, __u64 owner, const char *name, char *buf, size_t cap)
{
	__u64 attached = singleton_of(n, owner);
	const char *klass = ruby_class_path(n, attached ? attached : owner);

	if (!klass)
		return -EAGAIN;
	/*
	 * An owner with no permanent name (anonymous, or named under an anonymous one:
	 * "#<Class:0x...>::Foo") is left out, as Ruby 3.4's backtraces leave it out
	 * (vm_backtrace.c rb_gen_method_name): its address would differ in every process.
	 */
	if (!strncmp(klass, "#<", 2))
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "%s%s%s", klass, attached ? "." : "#", name);
	return 0;
}

int ruby_method_label(struct ruby_names *n, __u64 me, char *buf, size_t cap)
{
	struct ruby_method_entry e;
	const char *name;
	int err = ruby_method_entry_read(n, me, &e);

	if (err)
		return err;
	name = ruby_id_name(n, e.id);
	if (!name)
		return -EAGAIN;
	return ruby_qualified_name(n, e.owner, name, buf, cap);
}
