// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ruby_names.c - IDs, class paths and C-method labels read from a Ruby process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ruby_names.h"
#include "ruby_object.h"

/* include/ruby/internal/value_type.h */
#define RUBY_T_CLASS  0x02
#define RUBY_T_MODULE 0x03
#define RUBY_T_ICLASS 0x1c
/* internal/imemo.h: imemo_ment */
#define RUBY_IMEMO_MENT 6
/* st.c: the hash of a deleted entry */
#define ST_DELETED_HASH (~(__u64)0)

void ruby_names_init(struct ruby_names *n, struct memread *mem, const struct ruby_layout *L,
		     __u64 global_symbols)
{
	memset(n, 0, sizeof(*n));
	n->mem = mem;
	n->layout = L;
	n->global_symbols = global_symbols;
}

static void free_strings(struct hashmap *h)
{
	size_t i;

	for (i = 0; i < h->cap; i++)
		if (h->slots[i].used)
			free((void *)(unsigned long)h->slots[i].val);
	hashmap_free(h);
}

void ruby_names_free(struct ruby_names *n)
{
	free_strings(&n->ids);
	free_strings(&n->classes);
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

/* symbol.c: get_id_serial_entry(rb_id_to_serial(id), ID_ENTRY_STR) */
static int id_string(struct ruby_names *n, __u64 id, char *buf, size_t cap)
{
	const struct ruby_layout *L = n->layout;
	__u64 serial = id > L->last_op_id ? id >> L->id_scope_shift : id, ids, chunk, str;
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
	if (iv->classpath < 4096) /* nil (or another special constant): anonymous */
		iv->classpath = 0;
	return 0;
}

/* 0, or -EAGAIN if an ivar's name could not be read (the table may hold the path). */
static int read_class_ivars(struct ruby_names *n, __u64 klass, struct class_ivars *iv)
{
	const struct ruby_layout *L = n->layout;
	__u64 ext, tbl, start, bound, entries, e[RUBY_CLASS_IVARS_MAX * 3], i;
	int err, unnamed = 0;

	if (L->class_path == CLASS_PATH_FIELDS)
		return read_class_fields(n, klass, iv);
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
	if (n->mem->read(n->mem, entries + start * 24, e, (bound - start) * 24))
		return -EAGAIN;
	for (i = 0; i < bound - start; i++) {
		const char *name;

		if (e[i * 3] == ST_DELETED_HASH)
			continue;
		name = ruby_id_name(n, e[i * 3 + 1]);
		if (!name) {
			unnamed = 1;
			continue;
		}
		if (!strcmp(name, "__classpath__"))
			iv->classpath = e[i * 3 + 2];
		else if (!strcmp(name, "__tmp_classpath__"))
			iv->tmp_classpath = e[i * 3 + 2];
		else if (!strcmp(name, "__attached__"))
			iv->attached = e[i * 3 + 2];
	}
	return iv->classpath || !unnamed ? 0 : -EAGAIN;
}

static int class_type(struct ruby_names *n, __u64 klass, __u64 *flags)
{
	int type;

	if (klass < 4096 || (klass & 7) || memread_u64(n->mem, klass, flags))
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
	err = read_class_ivars(n, klass, &iv);
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

/* The class whose singleton `klass` is, if it is a singleton class of a class or module. */
static __u64 singleton_of(struct ruby_names *n, __u64 klass)
{
	struct class_ivars iv;
	__u64 flags, attached_flags;

	if (class_type(n, klass, &flags) < 0 || !(flags & n->layout->fl_singleton))
		return 0;
	if (read_class_ivars(n, klass, &iv) || class_type(n, iv.attached, &attached_flags) < 0)
		return 0;
	return iv.attached;
}

int ruby_method_entry_check(struct ruby_names *n, __u64 me)
{
	__u64 flags;
	int err;

	if (me < 4096 || (me & 7))
		return -EINVAL;
	if ((err = memread_u64(n->mem, me, &flags)))
		return err;
	if ((flags & RUBY_T_MASK) != RUBY_T_IMEMO ||
	    ((flags >> RUBY_IMEMO_SHIFT) & RUBY_IMEMO_MASK) != RUBY_IMEMO_MENT)
		return -EINVAL;
	return 0;
}

int ruby_method_entry_read(struct ruby_names *n, __u64 me, __u64 *owner, __u64 *id, __u64 *iseq,
			   int *kind)
{
	const struct ruby_layout *L = n->layout;
	__u64 def, def_flags;
	int err;

	if ((err = ruby_method_entry_check(n, me)))
		return err;
	if ((err = memread_u64(n->mem, me + L->me_def, &def)) ||
	    (err = memread_u64(n->mem, me + L->me_owner, owner)) ||
	    (err = memread_u64(n->mem, def, &def_flags)) ||
	    (err = memread_u64(n->mem, def + L->def_original_id, id)))
		return err;
	*iseq = 0;
	/* method.h: rb_method_definition_t.type, the low 4 bits */
	*kind = (int)(def_flags & 0xf);
	if (*kind == RUBY_METHOD_ISEQ) {
		if (memread_u64(n->mem, def + L->def_iseqptr, iseq))
			*iseq = 0;
	} else if (*kind == RUBY_METHOD_BMETHOD) {
		__u64 proc, data;

		/* def->body.bmethod.proc -> rb_proc_t -> block.as.captured.code.iseq */
		if (memread_u64(n->mem, def + L->def_bmethod_proc, &proc) || proc < 4096 ||
		    memread_u64(n->mem, proc + L->typeddata_data, &data) || data < 4096 ||
		    memread_u64(n->mem, data + L->proc_block_iseq, iseq))
			*iseq = 0;
	} else {
		*kind = RUBY_METHOD_OTHER;
	}
	return 0;
}

int ruby_qualified_name(struct ruby_names *n, __u64 owner, const char *name, char *buf, size_t cap)
{
	__u64 attached = singleton_of(n, owner);
	const char *klass = ruby_class_path(n, attached ? attached : owner);

	if (!klass)
		return -EAGAIN;
	snprintf(buf, cap, "%s%s%s", klass, attached ? "." : "#", name);
	return 0;
}

int ruby_method_label(struct ruby_names *n, __u64 me, char *buf, size_t cap)
{
	__u64 owner, id, iseq;
	const char *name;
	int kind, err = ruby_method_entry_read(n, me, &owner, &id, &iseq, &kind);

	if (err)
		return err;
	name = ruby_id_name(n, id);
	if (!name)
		return -EAGAIN;
	return ruby_qualified_name(n, owner, name, buf, cap);
}
