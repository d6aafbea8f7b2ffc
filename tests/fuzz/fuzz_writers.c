// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every writer (folded, svg, speedscope, pprof) on a profile whose every name is the input's:
 * labels, paths, thread names, commands and the command line, any bytes (invalid UTF-8,
 * control bytes, quotes, angle brackets, ';' and newlines). The writers must not crash, and
 * folded's output must still be one line per stack, each ending in its count: nothing a Ruby
 * program names itself can add a stack or split one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "aggregate/aggregate.h"
#include "output/writer.h"
#include "rubyvm/object.h"

/* Names cut from the input: at most this many, each at most NAME_MAX_LEN bytes. */
#define NAMES_MAX    24
#define NAME_MAX_LEN 300
#define STACKS_MAX   16

struct input {
	const unsigned char *p;
	size_t left;
};

static unsigned take_byte(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* The next name: bytes up to a 0x00 (or NAME_MAX_LEN), copied and NUL-terminated. */
static char *take_name(struct input *in)
{
	size_t n = 0;
	char *s;

	while (n < in->left && n < NAME_MAX_LEN && in->p[n])
		n++;
	s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, in->p, n);
	s[n] = 0;
	in->p += n < in->left ? n + 1 : n;
	in->left -= n < in->left ? n + 1 : n;
	return s;
}

/* Folded's promise: lines == stacks written, each "...;frame COUNT". */
static void check_folded(const char *text, size_t len, __u32 nstacks)
{
	size_t i, lines = 0, start = 0;

	for (i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		if (i == start || text[i - 1] < '0' || text[i - 1] > '9')
			abort(); /* a line that does not end in its count: a name split it */
		lines++;
		start = i + 1;
	}
	if (start != len || lines > nstacks)
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const struct writer *const writers[] = {&folded_writer, &svg_writer,
						       &speedscope_writer, &pprof_writer};
	struct iseq_info infos[NAMES_MAX];
	struct profile_proc procs[2];
	struct input in = {data, size};
	struct aggregate a;
	struct profile prof;
	char *names[NAMES_MAX * 2 + 4] = {0};
	__u32 ids[NAMES_MAX], n = 0, i, k, nnames = 0;

	memset(infos, 0, sizeof(infos));
	if (aggregate_init(&a))
		return 0;
	for (i = 0; i < 4; i++)
		names[nnames++] = take_name(&in);
	/* frames: a label and a path each; the kind from a byte */
	while (in.left && n < NAMES_MAX) {
		unsigned kind = take_byte(&in) % 3;
		int line = (int)take_byte(&in) - 8;

		infos[n].label = names[nnames++] = take_name(&in);
		infos[n].path = names[nnames++] = take_name(&in);
		if (kind == 2) {
			if (aggregate_thread_frame(&a, &infos[n], line, &ids[n]))
				break;
		} else if (aggregate_ruby_frame(&a, &infos[n], kind ? line : 0, 0, &ids[n])) {
			break;
		}
		n++;
	}
	/* stacks: each a run of the frames, in an order from the input */
	for (k = 0; n && k < STACKS_MAX && in.left; k++) {
		__u32 stack[NAMES_MAX], depth = 1 + take_byte(&in) % n;

		for (i = 0; i < depth; i++)
			stack[i] = ids[take_byte(&in) % n];
		if (aggregate_stack(&a, take_byte(&in) & 1, stack, depth, 1 + take_byte(&in)))
			break;
	}
	/* a container id is 12 hex digits (discover/container.c checks it), a comm anything */
	procs[0] = (struct profile_proc){
	    .comm = names[0], .pid = 100, .container = names[2][0] ? "0123456789ab" : NULL};
	procs[1] = (struct profile_proc){.comm = names[1], .pid = 101};
	prof = (struct profile){.agg = &a,
				.procs = procs,
				.nprocs = 2,
				.thread_roots = 1,
				.command = names[3],
				.start_unix_ns = 1700000000000000000ULL,
				.duration_ns = 1000000000ULL,
				.period_ns = 10101010,
				.rate = 99};
	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		if (!f)
			abort();
		prof.thread_frames = (int)(i & 1);
		writers[i]->write(f, &prof);
		fclose(f);
		if (writers[i] == &folded_writer)
			check_folded(out, len, a.nstacks);
		free(out);
	}
	aggregate_free(&a);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	return 0;
}
