// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* owner.c - frames labelled by their owners, and iseqs settled. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rubyvm/owner.h"

/*
 * Owner lookups after the fact tried per iseq, at most one per batch of samples (its frames
 * came without their owner: past the kernel's capture limits), before giving up on it: a
 * method that runs a quarter of the time is found within a few tries; 64 batches are ~6 s.
 */
#define OWNER_MAX_TRIES 64
/* Envs followed after the fact from a frame towards its method's (blocks nested in blocks). */
#define ENV_CHAIN_MAX 64
/* Blocks nested in blocks followed up to a define_method block. */
#define BLOCK_NESTING_MAX 16
/* internal/imemo.h: struct vm_svar {flags, cref_or_me, ...}, in a method's env once it set $~ */
#define SVAR_CREF_OR_ME 8

/* A frame's label under one owner, and whether every frame of its iseq must have it. */
struct owner_label {
	char text[2 * RUBY_NAME_MAX + 32];
	int settles;
	/*
	 * A module_function method's (settles by self): the module, and the label under the
	 * other owner of the iseq; in_module, whether `text` is the label under the module
	 * itself (its frames' self is an object that includes it) or under its singleton class.
	 */
	__u64 module;
	char twin[2 * RUBY_NAME_MAX + 32];
	int in_module;
};

/* The iseq's frames all have variant v from now on: the kernel need not capture their owners. */
static void settle(struct symbolizer *s, struct iseq_info *info, __u64 addr, int v)
{
	info->settled = 1;
	info->settled_variant = v;
	s->settled++;
	if (s->on_settle)
		s->on_settle(s->settle_ctx, addr, 1);
}

/* `label`'s variant among info's, added if new; 0 if there is no room for it. */
static int variant_of(struct iseq_info *info, const char *label)
{
	int i;

	for (i = 0; i < info->nvariants; i++)
		if (!strcmp(info->variants[i], label))
			return i + 1;
	if (info->nvariants == ISEQ_VARIANTS_MAX || !(info->variants[i] = strdup(label)))
		return 0;
	return ++info->nvariants;
}

/* The method entry an env's ep[-2] word stands for, through an svar; 0 if none. */
static __u64 method_entry_of(struct symbolizer *s, __u64 word)
{
	__u64 flags, inner;

	if (!ruby_is_pointer(word) || memread_u64(s->mem, word, &flags))
		return 0;
	switch (rbprof_imemo_type(flags)) {
	case RUBY_IMEMO_MENT:
		return word;
	case RUBY_IMEMO_SVAR:
		if (memread_u64(s->mem, word + SVAR_CREF_OR_ME, &inner) ||
		    ruby_method_entry_check(&s->names, inner))
			return 0;
		return inner;
	}
	return 0;
}

/* Levels from block `info` up to its ancestor block `target` (1: its parent); 0: not one. */
static int block_levels(struct symbolizer *s, const struct iseq_info *info, __u64 target)
{
	const struct iseq_info *up = info;
	int levels;

	for (levels = 1; levels <= BLOCK_NESTING_MAX; levels++) {
		if (!up->parent_iseq)
			return 0;
		if (up->parent_iseq == target)
			return levels;
		up = symbolizer_lookup(s, up->parent_iseq);
		if (!up || up->type != ISEQ_TYPE_BLOCK)
			return 0;
	}
	return 0;
}

/*
 * A method defined after `module_function` gets two definitions of one iseq (vm_insnhelper.c
 * vm_define_method): the module's own, made private, and a public one on the module's
 * singleton class. Neither definition is shared, so the iseq can only settle with both
 * labels: the frames called on the module (self is the module) have the singleton's.
 * 1 if e has such a twin, with *module the module and *other the twin's owner; -1 if it has
 * one whose definition is shared (it cannot settle); 0 if it has none.
 */
static int module_function_twin(struct symbolizer *s, const struct ruby_method_entry *e,
				__u64 *module, __u64 *other)
{
	struct ruby_method_entry t;
	__u64 mod, twin_owner;

	switch (ruby_owner_kind(&s->names, e->owner)) {
	case RUBY_OWNER_MODULE_SINGLETON:
		mod = twin_owner = ruby_singleton_attached(&s->names, e->owner);
		break;
	case RUBY_OWNER_MODULE:
		if (e->visibility != RUBY_METHOD_PRIVATE)
			return 0;
		mod = e->owner;
		twin_owner = ruby_singleton_class(&s->names, e->owner);
		break;
	default:
		return 0;
	}
	if (!mod || !twin_owner || ruby_method_table_entry(&s->names, twin_owner, e->id, &t) ||
	    t.kind != RUBY_METHOD_ISEQ || t.iseq != e->iseq)
		return 0;
	*module = mod;
	*other = twin_owner;
	return t.shared ? -1 : 1;
}

/* The label of a frame of `info`, written in method `m`, under `owner`, into out. 0 or -errno. */
static int owned_label(struct symbolizer *s, const struct iseq_info *info,
		       const struct iseq_info *m, __u64 owner, char *out, size_t cap)
{
	char q[RUBY_NAME_MAX];
	int err;

	if (m->fixed_label)
		snprintf(q, sizeof(q), "%s", m->fixed_label);
	else if ((err = ruby_qualified_name(&s->names, owner, m->label, q, sizeof(q))))
		return err;
	if (m == info) {
		snprintf(out, cap, "%s", q);
		return 0;
	}
	return iseq_in_label(info->label, m->label, q, out, cap);
}

/*
 * The label of a frame of `info` (iseq addr) under method entry `me` (0: its env holds none),
 * into l. 0; -ENOENT: the frame has no owner (a block of a <main>: its plain label);
 * -ESTALE: `me` is not one this frame can run under (a torn read); -EAGAIN: a name could not
 * be read this time.
 */
static int owner_label(struct symbolizer *s, struct iseq_info *info, __u64 addr, __u64 me,
		       struct owner_label *l)
{
	const struct iseq_info *m = info;
	struct ruby_method_entry e;
	char q[RUBY_NAME_MAX];
	const char *name;
	__u64 module, other;
	int err, levels;

	l->settles = 0;
	l->module = 0;
	if (info->type != ISEQ_TYPE_METHOD && !(m = info->method))
		return -EAGAIN; /* not readable when owner_frame_variant looked it up */
	if (!me) {
		/* A block of a <main>, a <top (required)> or a <class:...>: no owner. */
		if (info->type == ISEQ_TYPE_METHOD || m->type == ISEQ_TYPE_METHOD)
			return -ESTALE;
		l->settles = m->type == ISEQ_TYPE_TOP || m->type == ISEQ_TYPE_MAIN;
		return -ENOENT;
	}
	if ((err = ruby_method_entry_read(&s->names, me, &e)))
		return err == -EINVAL ? -ESTALE : err;
	if (e.kind == RUBY_METHOD_ISEQ) {
		if (m->type != ISEQ_TYPE_METHOD || e.iseq != (m == info ? addr : info->local_iseq))
			return -ESTALE;
		if ((err = owned_label(s, info, m, e.owner, l->text, sizeof(l->text))))
			return err;
		if (e.shared)
			return 0;
		switch (module_function_twin(s, &e, &module, &other)) {
		case 0:
			l->settles = 1;
			break;
		case 1:
			/* its twin's label: a name not readable now leaves the iseq unsettled */
			l->settles = !owned_label(s, info, m, other, l->twin, sizeof(l->twin));
			l->module = module;
			l->in_module = e.owner == module;
			break;
		}
		return 0;
	}
	/* define_method: "Foo#name" for its block, "block in Foo#name" for blocks in that */
	if (e.kind != RUBY_METHOD_BMETHOD || info->type != ISEQ_TYPE_BLOCK)
		return -ESTALE;
	if (!(name = ruby_id_name(&s->names, e.id)))
		return -EAGAIN;
	if ((err = ruby_qualified_name(&s->names, e.owner, name, q, sizeof(q))))
		return err;
	if (e.iseq == addr) {
		snprintf(l->text, sizeof(l->text), "%s", q);
		return 0;
	}
	levels = block_levels(s, info, e.iseq);
	if (!levels)
		return -ESTALE;
	if (levels == 1)
		snprintf(l->text, sizeof(l->text), "block in %s", q);
	else
		snprintf(l->text, sizeof(l->text), "block (%d levels) in %s", levels, q);
	return 0;
}

/*
 * The variant of a frame of `info` whose env's method-entry word is `word` (as the kernel
 * captured it, or as read after the fact). *known: 1 if the label was found (variant 0 then
 * means the plain label), 0 if not (and it may be found later).
 */
static int word_variant(struct symbolizer *s, struct iseq_info *info, __u64 addr, __u64 word,
			int *known)
{
	__u64 *cached = hashmap_get(&s->owners, addr, word), me;
	struct owner_label l;
	int v = 0, tv, err;

	*known = 1;
	if (cached)
		return (int)*cached;
	me = method_entry_of(s, word);
	err = owner_label(s, info, addr, me, &l);
	if (!err && !(v = variant_of(info, l.text)))
		err = -ENOSPC; /* more labels than kept: the frame's is not known */
	if (err && err != -ENOENT) {
		*known = 0;
		return 0;
	}
	/* An svar is the env's own (a new one per call): only a method entry is kept. */
	if (me == word && s->owners.len < SYMBOLIZE_MAX_OWNERS)
		hashmap_put(&s->owners, addr, word, (__u64)v);
	if (!l.settles || info->settled)
		return v;
	if (!l.module)
		settle(s, info, addr, v);
	else if ((tv = variant_of(info, l.twin))) {
		/* a module_function's: the module's own frames one way, the others the other */
		info->twin_module = l.module;
		info->module_variant = l.in_module ? tv : v;
		settle(s, info, addr, l.in_module ? v : tv);
	}
	return v;
}

/* Ruby's rb_vm_frame_method_entry() on the process's memory: the ep[-2] word of a frame. */
static int env_method_entry(struct symbolizer *s, __u64 ep, __u64 *word)
{
	__u64 env[3]; /* ep[-2] me/cref, ep[-1] specval (prev ep | tag), ep[0] flags */
	int i;

	for (i = 0; i < ENV_CHAIN_MAX && ruby_is_pointer(ep); i++) {
		if (s->mem->read(s->mem, ep - RUBY_VM_ENV_ME_CREF_OFFSET, env, sizeof(env)))
			return -EFAULT;
		if ((env[2] & RUBY_VM_ENV_FLAG_LOCAL) ||
		    (env[0] && !ruby_method_entry_check(&s->names, env[0]))) {
			*word = env[0];
			return 0;
		}
		ep = env[1] & RUBY_VM_ENV_PREV_EP_MASK;
	}
	return -ENOENT;
}

int owner_frame_variant(struct symbolizer *s, struct iseq_info *info, __u64 addr, __u64 word,
			int is_self)
{
	int v, known;

	if (info->settled && !info->twin_module)
		return info->settled_variant;
	if (info->settled) {
		/* a module_function's: the one called on the module has self == the module */
		if (is_self)
			return word == info->twin_module ? info->module_variant
							 : info->settled_variant;
		/* captured before the kernel saw it settled; an env pointer: not known */
		return word & RBPROF_FRAME_ME
			   ? word_variant(s, info, addr, word & ~RBPROF_FRAME_ME, &known)
			   : 0;
	}
	if (!info->path) /* a C method: named by its method entry already */
		return 0;
	if ((info->type != ISEQ_TYPE_METHOD && info->type != ISEQ_TYPE_BLOCK &&
	     info->type != ISEQ_TYPE_RESCUE && info->type != ISEQ_TYPE_ENSURE) ||
	    info->fixed_label) {
		/* <main>, <class:Foo>, a template: no owner in the label */
		settle(s, info, addr, 0);
		return 0;
	}
	/* a block's method, for its label, and for a guess while its owner is not known */
	if (info->type != ISEQ_TYPE_METHOD && !info->method)
		info->method = symbolizer_lookup(s, info->local_iseq);
	if (word & RBPROF_FRAME_ME)
		return word_variant(s, info, addr, word & ~RBPROF_FRAME_ME, &known);
	/*
	 * The kernel did not capture this frame's owner: it took the iseq for settled (a bit
	 * shared with a settled one: the sampler unshares it) or the sample was past its limits.
	 * The env may still hold the owner; one look per batch, a bounded number of times.
	 */
	if (s->on_settle)
		s->on_settle(s->settle_ctx, addr, 0);
	if (is_self) /* the kernel took it for settled: no env pointer to look at */
		return 0;
	if (info->owner_tries >= OWNER_MAX_TRIES ||
	    (info->owner_tries && info->owner_epoch == s->epoch))
		return 0;
	info->owner_epoch = s->epoch;
	if (env_method_entry(s, word, &word)) {
		info->owner_tries++;
		return 0;
	}
	v = word_variant(s, info, addr, word, &known);
	info->owner_tries += !known;
	return v;
}
