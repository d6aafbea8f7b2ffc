// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fixture_replay.c - a recorded process walked and symbolized by the product's own code. */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "aggregate/aggregate.h"
#include "aggregate/stack.h"
#include "devtools/fixture.h"
#include "output/folded.h"
#include "rubyvm/symbolize.h"
#include "sampling/walk_host.h"

static void fixture_name(void *ctx, __u32 id, char *buf, size_t cap)
{
	snprintf(buf, cap, "fixture [%u]", id);
}

int fixture_profile(const struct fixture *f, struct memread *mem, char **out)
{
	const struct ruby_layout *L;
	struct rbprof_walk_scratch *s = calloc(1, sizeof(*s));
	struct symbolizer sym;
	struct aggregate agg;
	size_t len = 0;
	FILE *mf = NULL;
	int exact, err = -ENOMEM, i;

	*out = NULL;
	L = ruby_layout_find(f->version, &exact);
	if (!L) {
		free(s);
		return -ENOTSUP;
	}
	walk_mem = mem;
	symbolizer_init(&sym, mem, L, f->global_symbols, f->vm_ptr_addr);
	if (!s || aggregate_init(&agg))
		goto cleanup_sym;
	for (i = 0; i < f->nthreads; i++) {
		__u64 ec;

		if (rbprof_find_ec(&f->bpf, f->tp[i], &ec) || rbprof_walk(&f->bpf, ec, s, NULL))
			continue; /* a thread without Ruby: no sample, as in the kernel */
		if (stack_count_event(&sym, &agg, 0, &s->ev, NULL))
			goto cleanup;
	}
	mf = open_memstream(out, &len);
	err = mf ? folded_write(mf, &agg, fixture_name, NULL) : -ENOMEM;
	if (mf)
		fclose(mf);
cleanup:
	aggregate_free(&agg);
cleanup_sym:
	symbolizer_free(&sym);
	free(s);
	return err;
}
