/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * names.h - names that live in the Ruby VM's tables rather than in an iseq: an ID's
 * string (through ruby_global_symbols), a class's path (its __classpath__ ivar, found through
 * the VM's object shapes in 3.2) and so the label of a C-implemented method, "Integer#times"
 * or "Process.clock_gettime".
 */
#ifndef RBPROF_NAMES_H
#define RBPROF_NAMES_H

#include "common/hashmap.h"
#include "rubyvm/memread.h"
#include "layouts/layout.h"

/* The longest class path or method name kept; longer ones are cut. */
#define RUBY_NAME_MAX 512
/* ivars of a class looked at for its path: classes have a handful, hostile ones are cut. */
#define RUBY_CLASS_IVARS_MAX 64
/*
 * Shapes followed from a class's own towards the root (3.2): one per ivar plus a few capacity
 * and frozen transitions. A longer chain (hundreds of class ivars, or a loop) is not followed
 * to its end, where the path is (the first ivar a named class gets).
 */
#define RUBY_CLASS_SHAPES_MAX 256

struct ruby_names {
	struct memread *mem;
	const struct ruby_layout *layout;
	__u64 global_symbols;	/* ruby_global_symbols in the process; 0: unknown */
	__u64 vm_ptr_addr;	/* &ruby_current_vm_ptr in the process; 0: unknown */
	__u64 shape_list;	/* its rb_vm_t.shape_list (3.2), once read; 0: not yet */
	struct hashmap ids;	/* ID -> char * (0: not resolvable) */
	struct hashmap classes; /* class VALUE -> char * */
	int renamed;		/* ruby_names_trim's count */
};

/*
 * Names kept per process: far more than the methods and classes a profile's frames name
 * (a Rails app has ~100k IDs, of which its hot code names a few thousand); past them the
 * table is emptied at the next trim and refilled by what is in use.
 */
#define RUBY_NAMES_IDS_MAX     (1U << 16)
#define RUBY_NAMES_CLASSES_MAX (1U << 14)

void ruby_names_init(struct ruby_names *n, struct memread *mem, const struct ruby_layout *L,
		     __u64 global_symbols, __u64 vm_ptr_addr);
void ruby_names_free(struct ruby_names *n);

/*
 * Between two intervals: forget the class paths that were not names (anonymous classes,
 * failures), so that a class named since is read with its name; empty a table past its bound
 * above. The strings handed out before are freed. Returns how many anonymous classes have a
 * name now (their frames' labels, made without it, are stale).
 */
int ruby_names_trim(struct ruby_names *n);

/* The string of an ID, or NULL. Cached. */
const char *ruby_id_name(struct ruby_names *n, __u64 id);

/*
 * "Foo::Bar", "#<Class:0x...>" for an anonymous class, or NULL if klass is no class or could
 * not be read this time (then it is not cached).
 */
const char *ruby_class_path(struct ruby_names *n, __u64 klass);

/* What a method entry runs (method.h: rb_method_type_t, as far as labels need it). */
enum ruby_method_kind {
	RUBY_METHOD_ISEQ = 0,	 /* def ... end: an iseq */
	RUBY_METHOD_BMETHOD = 4, /* define_method: a block's iseq */
	RUBY_METHOD_OTHER = -1,	 /* C function, attr, alias, ... */
};

/*
 * 0 if `me` is a method entry (an imemo_ment), -EINVAL if it is anything else, -errno if it
 * cannot be read.
 */
int ruby_method_entry_check(struct ruby_names *n, __u64 me);

/* What a method entry says about the frames that run under it. */
struct ruby_method_entry {
	__u64 owner;	/* the class or module that defines the method */
	__u64 id;	/* its original_id: the name it was defined with */
	__u64 iseq;	/* the iseq of a method defined in Ruby (def or define_method), else 0 */
	int kind;	/* enum ruby_method_kind */
	int shared;	/* its definition is shared with another method entry (an alias, say) */
	int visibility; /* method.h rb_method_visibility_t: RUBY_METHOD_PRIVATE, ... */
};

/* method.h: rb_method_visibility_t, in a method entry's flags (METHOD_ENTRY_VISI) */
#define RUBY_METHOD_PRIVATE 2

/* What a method's owner is, as far as module_function twins go (ruby_owner_kind). */
enum ruby_owner_kind {
	RUBY_OWNER_OTHER,	     /* a class, or not readable */
	RUBY_OWNER_MODULE,	     /* a module */
	RUBY_OWNER_MODULE_SINGLETON, /* the singleton class of a module */
};

int ruby_owner_kind(struct ruby_names *n, __u64 owner);

/* Method `id` of klass's own method table into *e. 0; -ENOENT: none; or -errno. */
int ruby_method_table_entry(struct ruby_names *n, __u64 klass, __u64 id,
			    struct ruby_method_entry *e);
/* The singleton class of obj (a class or module), 0 if it has none (yet) or is unreadable. */
__u64 ruby_singleton_class(struct ruby_names *n, __u64 obj);
/* The class or module whose singleton class klass is, or 0. */
__u64 ruby_singleton_attached(struct ruby_names *n, __u64 klass);

/* Read method entry `me` (checked to be one) into *out. 0 or -errno. */
int ruby_method_entry_read(struct ruby_names *n, __u64 me, struct ruby_method_entry *out);

/*
 * "Owner#name", or "Owner.name" when owner is a singleton class; just "name" when the owner
 * has no permanent name (as Ruby 3.4's backtraces write it). 0 or -errno.
 */
int ruby_qualified_name(struct ruby_names *n, __u64 owner, const char *name, char *buf, size_t cap);

/*
 * The label of method entry `me` as Ruby 3.4's backtraces write it: "Owner#name" for an
 * instance method, "Owner.name" for a singleton method. 0 or -errno.
 */
int ruby_method_label(struct ruby_names *n, __u64 me, char *buf, size_t cap);

#endif /* RBPROF_NAMES_H */
