// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* writer.c - the writers by name and by file name. */
#include <stdio.h>
#include <string.h>
#include "output/writer.h"

static const struct writer *const writers[] = {
    &folded_writer,
    &svg_writer,
    &speedscope_writer,
    &pprof_writer,
};

const struct writer *writer_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (!strcmp(writers[i]->name, name))
			return writers[i];
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

const struct writer *writer_for_path(const char *path)
{
	if (!path)
		return &folded_writer;
	if (ends_with(path, ".svg"))
		return &svg_writer;
	if (ends_with(path, ".json"))
		return &speedscope_writer;
	if (ends_with(path, ".pb.gz") || ends_with(path, ".pprof"))
		return &pprof_writer;
	return &folded_writer;
}

const char *writer_extension(const struct writer *w)
{
	return w == &speedscope_writer ? "json" : w == &pprof_writer ? "pb.gz" : w->name;
}

const char *writer_names(void)
{
	return "folded, svg, speedscope, pprof";
}

void profile_proc_label(const struct profile_proc *p, char *buf, size_t cap)
{
	int has_c = p->container && p->container[0];

	if (has_c && p->ns_pid)
		snprintf(buf, cap, "%s [%d] (container %s, pid %d)", p->comm, p->pid, p->container,
			 p->ns_pid);
	else if (has_c)
		snprintf(buf, cap, "%s [%d] (container %s)", p->comm, p->pid, p->container);
	else if (p->ns_pid)
		snprintf(buf, cap, "%s [%d] (pid %d)", p->comm, p->pid, p->ns_pid);
	else
		snprintf(buf, cap, "%s [%d]", p->comm, p->pid);
}

__u64 profile_samples(const struct profile *p)
{
	__u64 n = 0;
	__u32 i;

	for (i = 0; i < p->agg->nstacks; i++)
		n += p->agg->stacks[i].count;
	return n;
}
