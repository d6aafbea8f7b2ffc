// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* symbolize.c - the per-process iseq cache. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "rubyvm/symbolize.h"

void symbolizer_init(struct symbolizer *s, struct memread *mem, const struct ruby_layout *L,
		     __u64 global_symbols, __u64 vm_ptr_addr)
{
	s->mem = mem;
	s->layout = L;
	ruby_names_init(&s->names, mem, L, global_symbols, vm_ptr_addr);
	s->frames = (struct hashmap){0};
	s->frame_ids = (struct hashmap){0};
	s->failed = 0;
}

enum frame_key { KEY_ISEQ, KEY_CFUNC };

/* Read the frame (iseq or C method) `addr` into info. 0 or -errno. */
static int read_frame(struct symbolizer *s, __u64 addr, enum frame_key kind, struct iseq_info *info)
{
	char label[RUBY_NAME_MAX + 8];
	int err;

	if (kind == KEY_ISEQ)
		return iseq_info_read(s->mem, s->layout, addr, info);
	err = ruby_method_label(&s->names, addr, label, RUBY_NAME_MAX);
	if (err)
		return err;
	strcat(label, " [c]");
	info->label = strdup(label);
	return info->label ? 0 : -ENOMEM;
}

/* The cached frame (kind, addr), read on first use; a failure counts if `count`. */
static struct iseq_info *frame_info(struct symbolizer *s, __u64 addr, enum frame_key kind,
				    int count)
{
	struct iseq_info *info;
	__u64 *cached = hashmap_get(&s->frames, addr, kind);
	int err;

	if (cached) {
		if (!*cached && count)
			s->failed++;
		return (struct iseq_info *)(unsigned long)*cached;
	}
	if (s->frames.len >= SYMBOLIZE_MAX_ISEQS) {
		s->failed += count;
		return NULL;
	}
	info = calloc(1, sizeof(*info));
	err = info ? read_frame(s, addr, kind, info) : -ENOMEM;
	if (err) {
		if (info)
			iseq_info_free(info);
		free(info);
		info = NULL;
		/* A name that may be readable later (a table being written) is not cached. */
		if (err == -EAGAIN) {
			s->failed += count;
			return NULL;
		}
	}
	/*
	 * A failure is cached too: an iseq that cannot be read now (freed, torn, or the process
	 * is gone) would cost a failing read on every later sample.
	 */
	if (hashmap_put(&s->frames, addr, kind, (unsigned long)info)) {
		if (info)
			iseq_info_free(info);
		free(info);
		info = NULL;
	}
	if (!info)
		s->failed += count;
	return info;
}

const struct iseq_info *symbolizer_iseq(struct symbolizer *s, __u64 addr)
{
	return frame_info(s, addr, KEY_ISEQ, 1);
}

const struct iseq_info *symbolizer_cfunc(struct symbolizer *s, __u64 me)
{
	return frame_info(s, me, KEY_CFUNC, 1);
}

int symbolizer_cframe_unfinished(struct symbolizer *s, __u64 me)
{
	__u64 *cached;

	if (!s->layout->cfp_published_first)
		return 0;
	cached = hashmap_get(&s->frames, me, KEY_CFUNC);
	if (cached && *cached)
		return 0; /* named before: a method entry */
	/* Not one (-EINVAL), as opposed to unreadable (the process is gone, say). */
	return ruby_method_entry_check(&s->names, me) == -EINVAL;
}

/*
 * Owner lookups tried per method, at most one per batch, before giving up on it: a method
 * that runs a quarter of the time is found within a few tries; 64 batches are ~6 s.
 */
#define QUALIFY_MAX_TRIES 64
/* Blocks nested in blocks followed up to the method's env. */
#define ENV_CHAIN_MAX 64
/* vm_core.h: VM_ENV_FLAG_LOCAL, set in ep[0] of a method's (local) env */
#define VM_ENV_FLAG_LOCAL 0x2
/* vm_core.h: VM_ENV_PREV_EP() clears the tag bits of the specval (GC_GUARDED_PTR_REF) */
#define VM_ENV_PREV_EP_MASK (~3ULL)

/* rb_vm_frame_method_entry(): ep[-2] of the local env, found through ep[-1] (the prev env). */
static int frame_method_entry(struct symbolizer *s, __u64 ep, __u64 *me)
{
	__u64 env[3]; /* ep[-2] me/cref, ep[-1] specval (prev ep | tag), ep[0] flags */
	int i;

	for (i = 0; i < ENV_CHAIN_MAX && ruby_is_pointer(ep); i++) {
		if (s->mem->read(s->mem, ep - RUBY_VM_ENV_ME_CREF_OFFSET, env, sizeof(env)))
			return -EFAULT;
		if (env[2] & VM_ENV_FLAG_LOCAL) {
			*me = env[0];
			return 0;
		}
		ep = env[1] & VM_ENV_PREV_EP_MASK;
	}
	return -ENOENT;
}

/* Set m->qualified to "Owner#name". 0 or -errno. */
static int set_qualified(struct symbolizer *s, struct iseq_info *m, __u64 owner, const char *name)
{
	char buf[RUBY_NAME_MAX];
	int err = ruby_qualified_name(&s->names, owner, name, buf, sizeof(buf));

	if (err)
		return err;
	m->qualified = strdup(buf);
	return m->qualified ? 0 : -ENOMEM;
}

/*
 * Name method `m` (at iseq address m_addr) from the method entry `me`: "Owner#label" for a
 * def, "Owner#name" (the name it was defined under) for a define_method block.
 */
static int qualify_method(struct symbolizer *s, struct iseq_info *m, __u64 m_addr, __u64 me,
			  int want_kind)
{
	const char *name = m->label;
	__u64 owner, id, iseq, *other;
	int kind, err = ruby_method_entry_read(&s->names, me, &owner, &id, &iseq, &kind);

	if (err)
		return err;
	if (iseq != m_addr || kind != want_kind) {
		/*
		 * The env was reused since the sample, by a frame of another method: that entry
		 * names its own iseq's owner, which this read found for free.
		 */
		other = kind == RUBY_METHOD_ISEQ ? hashmap_get(&s->frames, iseq, KEY_ISEQ) : NULL;
		if (other && *other) {
			struct iseq_info *o = (struct iseq_info *)(unsigned long)*other;

			if (o->type == ISEQ_TYPE_METHOD && !o->qualified)
				set_qualified(s, o, owner, o->label);
		}
		return -ESTALE;
	}
	if (kind == RUBY_METHOD_BMETHOD && !(name = ruby_id_name(&s->names, id)))
		return -EAGAIN;
	return set_qualified(s, m, owner, name);
}

/*
 * A block run as a method (define_method): its own env holds the method entry (ep[-2] of a
 * VM_FRAME_FLAG_BMETHOD frame). 1 if the block is (now known as) such a method.
 */
static int try_bmethod(struct symbolizer *s, struct iseq_info *info, __u64 addr, __u64 ep)
{
	__u64 me;

	if (info->qualified)
		return 1;
	if (info->qualify_tries >= QUALIFY_MAX_TRIES ||
	    (info->qualify_tries && info->qualify_epoch == s->epoch) || !ruby_is_pointer(ep))
		return 0;
	info->qualify_epoch = s->epoch;
	if (!memread_u64(s->mem, ep - RUBY_VM_ENV_ME_CREF_OFFSET, &me) &&
	    !qualify_method(s, info, addr, me, RUBY_METHOD_BMETHOD))
		return 1;
	info->qualify_tries++;
	return 0;
}

/* Blocks nested in blocks followed up to a define_method block. */
#define BLOCK_NESTING_MAX 16

/*
 * A block written inside a define_method block ("block (2 levels) in <class:Foo>" in 3.1)
 * reads "block in Foo#name" in Ruby 3.4: link it to the nearest enclosing block known to be
 * a define_method. 1 if linked; *final is set when no link can ever be made (the chain ends
 * at a non-block, and every block on the way has had all its tries at being a method).
 */
static int find_bmethod_ancestor(struct symbolizer *s, struct iseq_info *info, int *final)
{
	const struct iseq_info *up = info;
	int levels, exhausted = 1;

	*final = 0;
	if (info->bmethod)
		return 1;
	for (levels = 1; levels <= BLOCK_NESTING_MAX; levels++) {
		__u64 parent = up->parent_iseq;

		if (!parent)
			break; /* the outermost iseq */
		up = frame_info(s, parent, KEY_ISEQ, 0);
		if (!up)
			return 0; /* unreadable now, perhaps not later */
		if (up->type != ISEQ_TYPE_BLOCK)
			break;
		if (up->qualified) {
			info->bmethod = up;
			info->bmethod_levels = levels;
			return 1;
		}
		exhausted &= up->qualify_tries >= QUALIFY_MAX_TRIES;
	}
	*final = exhausted;
	return 0;
}

int symbolizer_qualify(struct symbolizer *s, const struct iseq_info *frame, __u64 addr, __u64 ep)
{
	struct iseq_info *info = (struct iseq_info *)frame; /* one of ours */
	struct iseq_info *m = info;
	__u64 m_addr = addr, me;
	int settled = 1, final;

	if (!info->path) /* a C method */
		return 1;
	if (info->type == ISEQ_TYPE_BLOCK) {
		if (try_bmethod(s, info, addr, ep) || find_bmethod_ancestor(s, info, &final))
			return 1;
		settled = final && info->qualify_tries >= QUALIFY_MAX_TRIES;
	}
	if (info->type == ISEQ_TYPE_BLOCK || info->type == ISEQ_TYPE_RESCUE ||
	    info->type == ISEQ_TYPE_ENSURE) {
		if (!info->method)
			info->method = frame_info(s, info->local_iseq, KEY_ISEQ, 0);
		m = (struct iseq_info *)info->method;
		m_addr = info->local_iseq;
	}
	if (!m)
		return 0; /* unreadable now, perhaps not later */
	if (m->type != ISEQ_TYPE_METHOD || m->qualified || m->qualify_tries >= QUALIFY_MAX_TRIES)
		return settled;
	if (m->qualify_tries && m->qualify_epoch == s->epoch)
		return 0;
	m->qualify_epoch = s->epoch;
	if (frame_method_entry(s, ep, &me) || qualify_method(s, m, m_addr, me, RUBY_METHOD_ISEQ))
		m->qualify_tries++;
	return settled && m->qualified;
}

static void frame_info_free(void *p)
{
	iseq_info_free(p);
	free(p);
}

void symbolizer_free(struct symbolizer *s)
{
	hashmap_free_values(&s->frames, frame_info_free);
	hashmap_free(&s->frame_ids);
	ruby_names_free(&s->names);
}
