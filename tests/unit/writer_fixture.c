// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The hand-built profile of the writers' tests (writer_fixture.h). */
#include <stdlib.h>
#include "test.h"
#include "writer_fixture.h"

static void add(struct writer_fixture *f, __u32 proc, const __u32 *ids, __u32 n, __u64 count)
{
	CHECK_EQ_INT(aggregate_stack(&f->a, proc, ids, n, count), 0);
}

void writer_fixture_init(struct writer_fixture *f, int thread_frames)
{
	static const char *const names[] = {"main", "work", FIX_THREAD_2};
	static const int tids[] = {1, 2, 7};
	__u32 t[3], run10, run11, again10, evil, each, i;

	memset(f, 0, sizeof(*f));
	f->run = (struct iseq_info){.label = "run", .path = "/a.rb"};
	f->run_again = f->run;
	f->evil = (struct iseq_info){.label = FIX_EVIL_LABEL, .path = FIX_EVIL_PATH};
	f->each = (struct iseq_info){.label = "Array#each"}; /* a C method: no path */
	CHECK_EQ_INT(aggregate_init(&f->a), 0);
	for (i = 0; i < 3; i++) {
		f->thread[i] = (struct iseq_info){.label = (char *)names[i]};
		CHECK_EQ_INT(aggregate_thread_frame(&f->a, &f->thread[i], tids[i], &t[i]), 0);
	}
	CHECK_EQ_INT(aggregate_ruby_frame(&f->a, &f->run, 10, 0, &run10), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&f->a, &f->run, 11, 0, &run11), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&f->a, &f->run_again, 10, 0, &again10), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&f->a, &f->evil, 3, 0, &evil), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&f->a, &f->each, 0, 0, &each), 0);
	CHECK(again10 != run10); /* two ids that read alike */
	add(f, 0, (__u32[]){t[0], run10, evil}, 3, 3);
	add(f, 0, (__u32[]){t[1], run10, each}, 3, 2);
	add(f, 1, (__u32[]){t[2], run11}, 2, 5);
	add(f, 0, (__u32[]){t[0]}, 1, 1);
	add(f, 1, (__u32[]){t[2], again10}, 2, 4);
	f->procs[0] = (struct profile_proc){.comm = "ruby", .pid = 100};
	f->procs[1] = (struct profile_proc){.comm = FIX_COMM_1, .pid = 101};
	f->p = (struct profile){.agg = &f->a,
				.procs = f->procs,
				.nprocs = 2,
				.thread_roots = 1,
				.thread_frames = thread_frames,
				.command = FIX_COMMAND,
				.start_unix_ns = 1700000000123456789ULL,
				.duration_ns = 2500000000ULL,
				.period_ns = 1000000000ULL / FIX_FREQ,
				.rate = FIX_FREQ};
}

void writer_fixture_many(struct writer_fixture *f, __u32 n)
{
	enum { DEPTH = 24 }; /* deeper than most Ruby stacks, shallower than Rails' */
	__u32 ids[DEPTH], i, j, depth, thread;
	unsigned int seed = 1;

	writer_fixture_init(f, 0);
	aggregate_free(&f->a);
	CHECK_EQ_INT(aggregate_init(&f->a), 0);
	for (i = 0; i < FIX_MANY_METHODS; i++) {
		snprintf(f->many_labels[i], sizeof(f->many_labels[i]), "M#m%u", i);
		f->many[i] = (struct iseq_info){.label = f->many_labels[i], .path = "/many.rb"};
	}
	CHECK_EQ_INT(aggregate_thread_frame(&f->a, &f->thread[0], 1, &thread), 0);
	for (i = 0; f->a.nstacks < n; i++) {
		seed = seed * 1103515245 + 12345; /* the C standard's rand() */
		depth = 1 + (seed >> 16) % (DEPTH - 1);
		ids[0] = thread;
		for (j = 1; j < depth; j++) {
			seed = seed * 1103515245 + 12345;
			CHECK_EQ_INT(aggregate_ruby_frame(&f->a,
							  &f->many[(seed >> 16) % FIX_MANY_METHODS],
							  (int)(seed >> 8) % 50, 0, &ids[j]),
				     0);
		}
		CHECK_EQ_INT(aggregate_stack(&f->a, 0, ids, depth, 1 + f->a.nstacks % 3), 0);
	}
}

void writer_fixture_free(struct writer_fixture *f)
{
	aggregate_free(&f->a);
}

char *writer_fixture_write(const struct writer *w, const struct writer_fixture *f, size_t *len)
{
	char *out = NULL;
	FILE *s = open_memstream(&out, len);
	int err;

	if (!s)
		return NULL;
	err = w->write(s, &f->p);
	fclose(s);
	CHECK_EQ_INT(err, 0);
	if (!err)
		return out;
	free(out);
	return NULL;
}
