/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * writer_fixture.h - one profile built by hand for the writers' tests: two processes, three
 * threads (thread roots), frames that read alike under two iseqs, a C method, a stack with
 * its thread frame alone, and names with every byte a format must escape or clean.
 */
#ifndef RBPROF_WRITER_FIXTURE_H
#define RBPROF_WRITER_FIXTURE_H

#include <stddef.h>
#include "output/writer.h"

/* The hostile names as the fixture gives them, and as every writer must clean them. */
#define FIX_EVIL_LABEL	   "m<&\"\\;\n\x01\xff"
#define FIX_EVIL_CLEAN	   "m<&\"\\;\\x0a\\x01\xef\xbf\xbd"
#define FIX_EVIL_PATH	   "/d&<'\"/p\\q.rb"
#define FIX_COMM_1	   "we\"ird\n"
#define FIX_COMM_1_CLEAN   "we\"ird\\x0a"
#define FIX_THREAD_2	   "wo\"rk\xfe"
#define FIX_THREAD_2_CLEAN "wo\"rk\xef\xbf\xbd"
#define FIX_COMMAND	   "rbprof-bpf -o \xff.out"
#define FIX_COMMAND_CLEAN  "rbprof-bpf -o \xef\xbf\xbd.out"
/* 100 Hz: a sample is 10 ms of CPU */
#define FIX_FREQ   100
#define FIX_PERIOD 10000000

/* The methods of writer_fixture_many's stacks. */
#define FIX_MANY_METHODS 64

struct writer_fixture {
	struct aggregate a;
	struct iseq_info run, run_again, evil, each, thread[3];
	struct iseq_info many[FIX_MANY_METHODS];
	char many_labels[FIX_MANY_METHODS][16];
	struct profile_proc procs[2];
	struct profile p;
};

/*
 * The stacks (thread roots; tids 1 and 2 in "ruby" [100], tid 7 in FIX_COMM_1 [101]):
 *   [100] thread main [1];  run (/a.rb:10); FIX_EVIL_LABEL (FIX_EVIL_PATH:3)   3
 *   [100] thread work [2];  run (/a.rb:10); Array#each                         2
 *   [101] thread FIX_THREAD_2 [7]; run (/a.rb:11)                              5
 *   [100] thread main [1]                                                      1
 *   [101] thread FIX_THREAD_2 [7]; run (/a.rb:10), another iseq of that text   4
 */
void writer_fixture_init(struct writer_fixture *f, int thread_frames);
/*
 * n distinct stacks of one process and thread, 1 to 24 frames deep, each stack counted
 * 1 + its index % 3: for the writers' tests at scale.
 */
void writer_fixture_many(struct writer_fixture *f, __u32 n);
void writer_fixture_free(struct writer_fixture *f);
/* What writer w writes of f's profile (malloc'd, *len bytes), NULL if it failed. */
char *writer_fixture_write(const struct writer *w, const struct writer_fixture *f, size_t *len);

#endif /* RBPROF_WRITER_FIXTURE_H */
