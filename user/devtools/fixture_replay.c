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
#include "sampling/wall.h"
#include "sampling/walk_host.h"

static void fixture_name(void *ctx, __u32 id, char *buf, size_t cap)
{
	snprintf(buf, cap, "fixture [%u]", id);
}

/* A wall fixture's threads, each sampled as --wall samples it: on a CPU or not, and why. */
static int wall_replay(const struct fixture *f, struct memread *mem, const struct ruby_layout *L,
		       struct symbolizer *sym, struct aggregate *agg)
{
	struct ruby_target t = {.layout = L, .bpf = f->bpf};
	struct wall w;
	int i, err = wall_init(&w);

	for (i = 0; !err && i < f->nthreads; i++) {
		struct rbprof_thread_state st = {.pid = 1,
						 .tid = (__u32)i + 1,
						 .fsbase = f->tp[i],
						 .state = f->sched[i].state,
						 .on_cpu = f->sched[i].on_cpu,
						 .syscall = f->sched[i].syscall};
		const struct rbprof_event *ev;
		struct ruby_thread_vm_state vm;
		int vm_ok;

		if (wall_sample(&w, 0, &t, mem, &st, &ev, &vm, &vm_ok))
			continue; /* a thread without Ruby, or one stopped mid-change */
		err = stack_count_event(sym, agg, 0, ev, NULL);
	}
	wall_free(&w);
	return err;
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
	for (i = 0; i < f->nthreads && !f->has_states; i++) {
		__u64 ec;

		if (rbprof_find_ec(&f->bpf, f->tp[i], &ec) || rbprof_walk(&f->bpf, ec, s, NULL))
			continue; /* a thread without Ruby: no sample, as in the kernel */
		if (stack_count_event(&sym, &agg, 0, &s->ev, NULL))
			goto cleanup;
	}
	if (f->has_states && (err = wall_replay(f, mem, L, &sym, &agg)))
		goto cleanup;
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
