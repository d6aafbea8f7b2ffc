// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* symbolize.c - the per-process iseq cache. */
#include <stdlib.h>
#include "symbolize.h"

void symbolizer_init(struct symbolizer *s, struct memread *mem, const struct ruby_layout *L)
{
	s->mem = mem;
	s->layout = L;
	s->iseqs = (struct hashmap){0};
	s->failed = 0;
}

const struct iseq_info *symbolizer_iseq(struct symbolizer *s, __u64 addr)
{
	struct iseq_info *info;
	__u64 *cached = hashmap_get(&s->iseqs, addr, 0);

	if (cached) {
		if (!*cached)
			s->failed++;
		return (const struct iseq_info *)(unsigned long)*cached;
	}
	if (s->iseqs.len >= SYMBOLIZE_MAX_ISEQS) {
		s->failed++;
		return NULL;
	}
	info = calloc(1, sizeof(*info));
	if (info && iseq_info_read(s->mem, s->layout, addr, info)) {
		free(info);
		info = NULL;
	}
	/*
	 * A failure is cached too: an iseq that cannot be read now (freed, torn, or the process
	 * is gone) would cost a failing read on every later sample.
	 */
	if (hashmap_put(&s->iseqs, addr, 0, (unsigned long)info)) {
		if (info)
			iseq_info_free(info);
		free(info);
		info = NULL;
	}
	if (!info)
		s->failed++;
	return info;
}

void symbolizer_free(struct symbolizer *s)
{
	size_t i;

	for (i = 0; i < s->iseqs.cap; i++) {
		struct iseq_info *info = (void *)(unsigned long)s->iseqs.slots[i].val;

		if (s->iseqs.slots[i].used && info) {
			iseq_info_free(info);
			free(info);
		}
	}
	hashmap_free(&s->iseqs);
}
