// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* symbolize.c - the per-process iseq cache. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "symbolize.h"

void symbolizer_init(struct symbolizer *s, struct memread *mem, const struct ruby_layout *L,
		     __u64 global_symbols)
{
	s->mem = mem;
	s->layout = L;
	ruby_names_init(&s->names, mem, L, global_symbols);
	s->frames = (struct hashmap){0};
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

/* The cached frame (kind, addr), read on first use. */
static const struct iseq_info *frame_info(struct symbolizer *s, __u64 addr, enum frame_key kind)
{
	struct iseq_info *info;
	__u64 *cached = hashmap_get(&s->frames, addr, kind);

	if (cached) {
		if (!*cached)
			s->failed++;
		return (const struct iseq_info *)(unsigned long)*cached;
	}
	if (s->frames.len >= SYMBOLIZE_MAX_ISEQS) {
		s->failed++;
		return NULL;
	}
	info = calloc(1, sizeof(*info));
	if (info && read_frame(s, addr, kind, info)) {
		iseq_info_free(info);
		free(info);
		info = NULL;
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
		s->failed++;
	return info;
}

const struct iseq_info *symbolizer_iseq(struct symbolizer *s, __u64 addr)
{
	return frame_info(s, addr, KEY_ISEQ);
}

const struct iseq_info *symbolizer_cfunc(struct symbolizer *s, __u64 me)
{
	return frame_info(s, me, KEY_CFUNC);
}

void symbolizer_free(struct symbolizer *s)
{
	size_t i;

	for (i = 0; i < s->frames.cap; i++) {
		struct iseq_info *info = (void *)(unsigned long)s->frames.slots[i].val;

		if (s->frames.slots[i].used && info) {
			iseq_info_free(info);
			free(info);
		}
	}
	hashmap_free(&s->frames);
	ruby_names_free(&s->names);
}
