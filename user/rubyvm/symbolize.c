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
	s->owners = (struct hashmap){0};
	s->on_settle = NULL;
	s->settle_ctx = NULL;
	s->failed = 0;
	s->ruby_frames = s->owners_captured = s->settled = 0;
	s->epoch = 0;
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

const struct iseq_info *symbolizer_lookup(struct symbolizer *s, __u64 addr)
{
	return frame_info(s, addr, KEY_ISEQ, 0);
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

void symbolizer_free(struct symbolizer *s)
{
	hashmap_free_values(&s->frames, iseq_info_destroy);
	hashmap_free(&s->frame_ids);
	hashmap_free(&s->owners);
	ruby_names_free(&s->names);
}
