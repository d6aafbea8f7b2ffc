// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A ring-buffer record as the loader takes it: checked (user/sampling/event.c), then every
 * frame identity it carries (iseq, pc, method entry or ep) symbolized against a recorded Ruby
 * process's memory and counted (aggregate/stack.c). The kernel writes these records, but what
 * they point at is the process's: a frame may name any address. Frame words are the input's,
 * or (one byte in four) an address inside a recorded region, so that real objects are met.
 *
 * Input: a byte choosing the fixture, then the record's bytes (header and frames).
 */
#include <stdlib.h>
#include <string.h>
#include "aggregate/aggregate.h"
#include "aggregate/stack.h"
#include "devtools/fixture.h"
#include "fuzz_fixtures.h"
#include "sampling/event.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct rbprof_event ev; /* the largest record: frames to RBPROF_MAX_FRAMES */
	const struct rbprof_event *got;
	const struct ruby_layout *L;
	struct symbolizer sym;
	struct aggregate agg;
	struct fixture *f;
	size_t len, i;
	int exact;

	if (size < 1)
		return 0;
	f = &fixtures[data[0] % nfixtures];
	data++;
	size--;
	len = size < sizeof(ev) ? size : sizeof(ev);
	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, data, len);
	/* words that look like addresses into the process: one region's, at an 8-aligned place */
	for (i = 0; i + 8 <= len - (len >= RBPROF_EVENT_HDR_SIZE ? RBPROF_EVENT_HDR_SIZE : len);
	     i += 8) {
		__u64 *w = (__u64 *)((char *)ev.frames + i);

		if ((*w & 3) == 1) {
			const struct memregion *r = &f->mem.r[(*w >> 2) % f->mem.n];

			*w = r->addr + ((*w >> 24) % (r->len ? r->len : 1)) / 8 * 8;
		}
	}
	got = event_decode(&ev, len);
	if (!got)
		return 0;
	L = ruby_layout_find(f->version, &exact);
	symbolizer_init(&sym, &f->mem.base, L, f->global_symbols, f->vm_ptr_addr);
	if (!aggregate_init(&agg)) {
		stack_count_event(&sym, &agg, 0, got, NULL);
		aggregate_free(&agg);
	}
	symbolizer_free(&sym);
	return 0;
}
