// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fixture.c - capture and replay of a Ruby process for the unit tests. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <zlib.h>
#include "aggregate/aggregate.h"
#include "discover/probe.h"
#include "devtools/fixture.h"
#include "output/folded.h"
#include "aggregate/stack.h"
#include "rubyvm/symbolize.h"
#include "sampling/walk_host.h"

#define FIXTURE_MAGIC "rbprof-fixture 1"
/* The folded text of one fixture: a few stacks of at most RBPROF_MAX_FRAMES frames. */
#define FIXTURE_MAX_EXPECTED (4U << 20)

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

		if (rbprof_find_ec(&f->bpf, f->tp[i], &ec) || rbprof_walk(&f->bpf, ec, s))
			continue; /* a thread without Ruby: no sample, as in the kernel */
		if (stack_count_event(&sym, &agg, 0, &s->ev))
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

/* The thread pointers of every thread of pid, stopped with PTRACE_SEIZE + INTERRUPT. */
static int stop_threads(pid_t pid, pid_t *tids, __u64 *tp, int *n)
{
	char path[64];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	*n = 0;
	while ((de = readdir(dir)) && *n < FIXTURE_MAX_THREADS) {
		struct user_regs_struct regs;
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid <= 0 || ptrace(PTRACE_SEIZE, tid, 0, 0))
			continue;
		ptrace(PTRACE_INTERRUPT, tid, 0, 0);
		waitpid(tid, NULL, __WALL);
		tids[*n] = tid;
		tp[*n] = ptrace(PTRACE_GETREGS, tid, 0, &regs) ? 0 : regs.fs_base;
		(*n)++;
	}
	closedir(dir);
	return *n ? 0 : -ESRCH;
}

static int write_fixture(const struct fixture *f, const char *text, const char *path)
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
		gzprintf(gz, "tp %llu\n", f->tp[i]);
	gzprintf(gz, "expected %zu\n", strlen(text));
	if (gzwrite(gz, text, (unsigned)strlen(text)) != (int)strlen(text) ||
	    memrecord_write(&f->mem, gz))
		err = -EIO;
	if (gzclose(gz) != Z_OK && !err)
		err = -EIO;
	return err;
}

int fixture_capture(pid_t pid, const char *path)
{
	struct fixture f = {0};
	struct discover d;
	struct ruby_target t;
	struct procmem pm;
	pid_t tids[FIXTURE_MAX_THREADS];
	char why[128], *text = NULL;
	int err, i;

	discover_init(&d);
	if (discover_probe(&d, pid, &t, why, sizeof(why)) != PROBE_RUBY) {
		discover_free(&d);
		return -ENOTSUP;
	}
	discover_free(&d);
	snprintf(f.version, sizeof(f.version), "%s", t.version);
	f.bpf = t.bpf;
	f.global_symbols = t.global_symbols;
	f.vm_ptr_addr = t.vm_ptr_addr;
	procmem_init(&pm, pid);
	memrecord_init(&f.mem, &pm.base);
	err = stop_threads(pid, tids, f.tp, &f.nthreads);
	if (!err)
		err = fixture_profile(&f, &f.mem.base, &text);
	for (i = 0; i < f.nthreads; i++)
		ptrace(PTRACE_DETACH, tids[i], 0, 0);
	if (!err)
		err = write_fixture(&f, text, path);
	free(text);
	memrecord_free(&f.mem);
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
	for (i = 0; ok && i < f->nthreads; i++)
		ok = gzgets(gz, line, sizeof(line)) && sscanf(line, "tp %llu", &f->tp[i]) == 1;
	ok = ok && gzgets(gz, line, sizeof(line)) && sscanf(line, "expected %zu", &len) == 1 &&
	     len < FIXTURE_MAX_EXPECTED && (f->expected = calloc(1, len + 1)) &&
	     gzread(gz, f->expected, (unsigned)len) == (int)len && !memrecord_read(&f->mem, gz);
	gzclose(gz);
	if (ok) {
		const struct ruby_layout *L;
		int exact;

		L = ruby_layout_find(f->version, &exact);
		if (L)
			ruby_layout_to_proc(L, &f->bpf);
		return L ? 0 : -ENOTSUP;
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
