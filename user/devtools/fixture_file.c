// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fixture_file.c - the fixture format: a text header, the expected stacks, memory regions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "devtools/fixture.h"
#include "layouts/layout.h"

#define FIXTURE_MAGIC "rbprof-fixture 1"
/* The folded text of one fixture: a few stacks of at most RBPROF_MAX_FRAMES frames. */
#define FIXTURE_MAX_EXPECTED (4U << 20)

int fixture_save(const struct fixture *f, const char *text, const char *path)
{
	gzFile gz = gzopen(path, "wb9");
	int i, err = 0;

	if (!gz)
		return -errno;
	gzprintf(gz, "%s\nversion %s\n", FIXTURE_MAGIC, f->version);
	gzprintf(gz, "tls %llu %llu %llu %llu\n", f->bpf.tls_kind, f->bpf.tls_modid,
		 f->bpf.tls_offset, f->bpf.dtv_entry_size);
	gzprintf(gz, "gc %llu %llu %llu\n", f->bpf.gc_flags_addr, f->bpf.gc_during_mask,
		 f->bpf.gc_mode_mask);
	gzprintf(gz, "global_symbols %llu\nvm_ptr %llu\nthreads %d\n", f->global_symbols,
		 f->vm_ptr_addr, f->nthreads);
	for (i = 0; i < f->nthreads; i++)
		if (f->has_states)
			gzprintf(gz, "tp %llu state %llu on_cpu %llu syscall %lld\n", f->tp[i],
				 f->sched[i].state, f->sched[i].on_cpu, f->sched[i].syscall);
		else
			gzprintf(gz, "tp %llu\n", f->tp[i]);
	gzprintf(gz, "expected %zu\n", strlen(text));
	if (gzwrite(gz, text, (unsigned)strlen(text)) != (int)strlen(text) ||
	    memrecord_write(&f->mem, gz))
		err = -EIO;
	if (gzclose(gz) != Z_OK && !err)
		err = -EIO;
	return err;
}

int fixture_load(const char *path, struct fixture *f)
{
	gzFile gz = gzopen(path, "rb");
	char line[256];
	size_t len;
	int i, ok;

	memset(f, 0, sizeof(*f));
	memrecord_init(&f->mem, NULL);
	if (!gz)
		return -errno;
	ok = gzgets(gz, line, sizeof(line)) &&
	     !strncmp(line, FIXTURE_MAGIC, strlen(FIXTURE_MAGIC)) &&
	     gzgets(gz, line, sizeof(line)) && sscanf(line, "version %31s", f->version) == 1 &&
	     gzgets(gz, line, sizeof(line)) &&
	     sscanf(line, "tls %llu %llu %llu %llu", &f->bpf.tls_kind, &f->bpf.tls_modid,
		    &f->bpf.tls_offset, &f->bpf.dtv_entry_size) == 4 &&
	     gzgets(gz, line, sizeof(line)) &&
	     sscanf(line, "gc %llu %llu %llu", &f->bpf.gc_flags_addr, &f->bpf.gc_during_mask,
		    &f->bpf.gc_mode_mask) == 3 &&
	     gzgets(gz, line, sizeof(line)) &&
	     sscanf(line, "global_symbols %llu", &f->global_symbols) == 1 &&
	     gzgets(gz, line, sizeof(line));
	/* vm_ptr: only in fixtures recorded since 3.2 support, whose class paths need the VM */
	if (ok && sscanf(line, "vm_ptr %llu", &f->vm_ptr_addr) == 1)
		ok = gzgets(gz, line, sizeof(line)) != NULL;
	ok = ok && sscanf(line, "threads %d", &f->nthreads) == 1 && f->nthreads >= 0 &&
	     f->nthreads <= FIXTURE_MAX_THREADS;
	for (i = 0; ok && i < f->nthreads; i++) {
		int n;

		ok = gzgets(gz, line, sizeof(line)) &&
		     (n = sscanf(line, "tp %llu state %llu on_cpu %llu syscall %lld", &f->tp[i],
				 &f->sched[i].state, &f->sched[i].on_cpu, &f->sched[i].syscall)) >=
			 1;
		/* a wall fixture's threads all have their states */
		if (ok && i == 0)
			f->has_states = n == 4;
		ok = ok && (n == 4) == f->has_states;
	}
	ok = ok && gzgets(gz, line, sizeof(line)) && sscanf(line, "expected %zu", &len) == 1 &&
	     len < FIXTURE_MAX_EXPECTED && (f->expected = calloc(1, len + 1)) &&
	     gzread(gz, f->expected, (unsigned)len) == (int)len && !memrecord_read(&f->mem, gz);
	gzclose(gz);
	if (ok) {
		const struct ruby_layout *L;
		int exact;

		L = ruby_layout_find(f->version, &exact);
		if (L) {
			ruby_layout_to_proc(L, &f->bpf);
			return 0;
		}
		fixture_free(f); /* a version without a layout: nothing of it kept */
		return -ENOTSUP;
	}
	fixture_free(f);
	return -EINVAL;
}

void fixture_free(struct fixture *f)
{
	free(f->expected);
	memrecord_free(&f->mem);
	memset(f, 0, sizeof(*f));
}
