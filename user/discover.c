// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* discover.c - /proc scanning and the probe of one process. */
#define _GNU_SOURCE
#include <ctype.h>
#include <signal.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "discover.h"
#include "elf_ruby.h"
#include "memread.h"

/* glibc: dtv_t is { void *val; void *to_free; } */
#define GLIBC_DTV_ENTRY_SIZE 16
/* A module id is small (one per loaded object with TLS); anything larger is garbage. */
#define MAX_TLS_MODID 4096

void discover_init(struct discover *d)
{
	d->elf_cache = (struct hashmap){0};
	d->force_version = NULL;
}

void discover_free(struct discover *d)
{
	size_t i;

	for (i = 0; i < d->elf_cache.cap; i++)
		if (d->elf_cache.slots[i].used)
			free((void *)(unsigned long)d->elf_cache.slots[i].val);
	hashmap_free(&d->elf_cache);
}

int proc_stat_read(pid_t pid, char comm[COMM_LEN], unsigned long long *start_time)
{
	char path[64], buf[1024], *open_paren, *close_paren, *p;
	size_t n, len;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "pid (comm) state ...": comm may hold spaces and parentheses, so take the last ')'. */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EINVAL;
	len = (size_t)(close_paren - open_paren - 1);
	if (len >= COMM_LEN)
		len = COMM_LEN - 1;
	memcpy(comm, open_paren + 1, len);
	comm[len] = 0;
	/* Fields after comm start at 3 (state); starttime is field 22. */
	p = close_paren + 1;
	for (field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", start_time) != 1)
		return -EINVAL;
	return 0;
}

struct mapping {
	__u64 start, end, pgoff;
	unsigned int dev_major, dev_minor;
	unsigned long inode;
	char path[PATH_MAX];
};

/* Parse one /proc/PID/maps line. 1 if it maps a file, 0 otherwise. */
static int parse_mapping(const char *line, struct mapping *m)
{
	int off = 0;

	if (sscanf(line, "%llx-%llx %*s %llx %x:%x %lu %n", &m->start, &m->end, &m->pgoff,
		   &m->dev_major, &m->dev_minor, &m->inode, &off) < 6 ||
	    !off)
		return 0;
	if (line[off] != '/' || !m->inode)
		return 0;
	snprintf(m->path, sizeof(m->path), "%s", line + off);
	m->path[strcspn(m->path, "\n")] = 0;
	return 1;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * The ELF facts of a mapped file, read once per (device, inode) for the whole host. It is
 * opened through /proc/PID/map_files, which names the very file mapped even in another mount
 * namespace (a container) or after it was deleted or replaced on disk.
 */
static const struct elf_ruby *elf_of_mapping(struct discover *d, pid_t pid, const struct mapping *m)
{
	__u64 dev = ((__u64)m->dev_major << 32) | m->dev_minor;
	__u64 *cached = hashmap_get(&d->elf_cache, dev, m->inode);
	struct elf_ruby *e;
	char path[PATH_MAX + 64];

	if (cached)
		return (const struct elf_ruby *)(unsigned long)*cached;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid, m->start, m->end);
	if (elf_ruby_read(path, e)) {
		snprintf(path, sizeof(path), "/proc/%d/root%s", pid, m->path);
		if (elf_ruby_read(path, e)) {
			/* Not an ELF we can read: remembered as such only if the file exists. */
			free(e);
			return NULL;
		}
	}
	if (!elf_ruby_is_ruby(e)) {
		free(e);
		e = NULL;
	}
	if (hashmap_put(&d->elf_cache, dev, m->inode, (unsigned long)e)) {
		free(e);
		return NULL;
	}
	return e;
}

/* A file worth opening: the main executable, or a library named like libruby. */
static int maybe_ruby(const struct mapping *m, const char *exe)
{
	return !strcmp(m->path, exe) || !strncmp(base_name(m->path), "libruby", 7);
}

/* Find the mapped file holding the VM; fill *m with its first mapping. */
static const struct elf_ruby *find_vm_file(struct discover *d, pid_t pid, struct mapping *m,
					   int *is_exe)
{
	char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
	const struct elf_ruby *e = NULL;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	while (!e && fgets(line, sizeof(line), f)) {
		if (!parse_mapping(line, m) || !maybe_ruby(m, exe))
			continue;
		e = elf_of_mapping(d, pid, m);
		*is_exe = !strcmp(m->path, exe);
	}
	fclose(f);
	return e;
}

static int read_version(struct memread *mem, __u64 addr, char *buf, size_t cap)
{
	size_t i;

	memset(buf, 0, cap);
	if (mem->read(mem, addr, buf, cap - 1))
		return -EFAULT;
	for (i = 0; buf[i]; i++)
		if (!isdigit((unsigned char)buf[i]) && buf[i] != '.')
			return -EINVAL;
	return i ? 0 : -EINVAL;
}

/* How this process's threads reach ruby_current_ec. */
static int resolve_tls(const struct elf_ruby *e, int is_exe, __u64 bias, struct memread *mem,
		       struct rbprof_proc *p, char *why, size_t whylen)
{
	__u64 modid;

	p->dtv_entry_size = GLIBC_DTV_ENTRY_SIZE;
	if (!e->has_ec) {
		/* Ruby <= 2.7: one global EC, checked against the sampled thread in the kernel */
		p->tls_kind = RBPROF_EC_GLOBAL;
		p->tls_offset = bias + e->ec_global;
		return 0;
	}
	if (is_exe && e->has_tls) {
		/* A ruby with the VM linked in: its TLS block is the first, at a fixed offset. */
		p->tls_kind = RBPROF_TLS_STATIC;
		p->tls_offset = (__u64)elf_ruby_static_tls_offset(e);
		return 0;
	}
	if (!e->dtpmod_slot) {
		snprintf(why, whylen, "no TLS module relocation for ruby_current_ec");
		return -ENOENT;
	}
	if (memread_u64(mem, bias + e->dtpmod_slot, &modid) || !modid || modid > MAX_TLS_MODID) {
		snprintf(why, whylen, "cannot read the TLS module id of libruby");
		return -EFAULT;
	}
	p->tls_kind = RBPROF_TLS_DTV;
	p->tls_modid = modid;
	p->tls_offset = e->ec_tls;
	return 0;
}

enum probe_result discover_probe(struct discover *d, pid_t pid, struct ruby_target *t, char *why,
				 size_t whylen)
{
	const struct elf_ruby *e;
	struct procmem mem;
	struct mapping m;
	int is_exe = 0;
	__u64 bias;

	memset(t, 0, sizeof(*t));
	why[0] = 0;
	t->pid = pid;
	if (proc_stat_read(pid, t->comm, &t->start_time))
		return PROBE_GONE;
	e = find_vm_file(d, pid, &m, &is_exe);
	if (!e)
		return kill(pid, 0) && errno == ESRCH ? PROBE_GONE : PROBE_NOT_RUBY;
	snprintf(t->vm_file, sizeof(t->vm_file), "%s", m.path);
	if (elf_ruby_bias(e, m.start, m.pgoff, &bias)) {
		snprintf(why, whylen, "cannot place %s in memory", m.path);
		return PROBE_FAILED;
	}
	procmem_init(&mem, pid);
	if (read_version(&mem.base, bias + e->version, t->version, sizeof(t->version))) {
		snprintf(why, whylen, "cannot read ruby_version");
		return PROBE_FAILED;
	}
	t->layout =
	    ruby_layout_find(d->force_version ? d->force_version : t->version, &t->layout_exact);
	if (d->force_version)
		t->layout_exact = 1; /* the user's word: no notice */
	if (!t->layout)
		return PROBE_UNSUPPORTED;
	if (resolve_tls(e, is_exe, bias, &mem.base, &t->bpf, why, whylen))
		return PROBE_FAILED;
	ruby_layout_to_proc(t->layout, &t->bpf);
	if (e->global_symbols)
		t->global_symbols = bias + e->global_symbols;
	t->vm_ptr_addr = bias + e->vm_ptr;
	discover_resolve_gc(t);
	return PROBE_RUBY;
}

int discover_resolve_gc(struct ruby_target *t)
{
	const struct ruby_layout *L = t->layout;
	struct procmem mem;
	__u64 vm, objspace;

	procmem_init(&mem, t->pid);
	if (memread_u64(&mem.base, t->vm_ptr_addr, &vm) || !vm ||
	    memread_u64(&mem.base, vm + L->vm_objspace, &objspace) || !objspace)
		return -EAGAIN;
	t->bpf.gc_flags_addr = objspace + L->objspace_flags;
	t->bpf.gc_during_mask = L->gc_during_mask;
	t->bpf.gc_mode_mask = L->gc_mode_mask;
	return 0;
}

int discover_each_pid(void (*fn)(void *ctx, pid_t pid), void *ctx)
{
	struct dirent *de;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		fn(ctx, (pid_t)pid);
	}
	closedir(dir);
	return 0;
}
