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
#include "discover/probe.h"
#include "layouts/dwarf_layout.h"
#include "discover/elf_ruby.h"
#include "rubyvm/memread.h"

/* glibc: dtv_t is { void *val; void *to_free; } */
#define GLIBC_DTV_ENTRY_SIZE 16
/* A module id is small (one per loaded object with TLS); anything larger is garbage. */
#define MAX_TLS_MODID 4096

/*
 * A mapped file holding a Ruby VM, known for the whole session: its ELF facts and, once a
 * process needs them (its version has no table entry), the layout its DWARF gives.
 */
struct vm_file {
	struct elf_ruby elf;
	int dwarf_tried;
	int dwarf_err;		    /* what dwarf_layout_read returned */
	char dwarf_why[128];	    /* ... and why, when it failed (one short clause) */
	struct dwarf_layout *dwarf; /* the layout, if dwarf_err == 0 */
};

void discover_init(struct discover *d)
{
	d->elf_cache = (struct hashmap){0};
	d->force_version = NULL;
}

void discover_free(struct discover *d)
{
	size_t i;

	for (i = 0; i < d->elf_cache.cap; i++) {
		struct vm_file *vf = (struct vm_file *)(unsigned long)d->elf_cache.slots[i].val;

		if (d->elf_cache.slots[i].used && vf) {
			free(vf->dwarf);
			free(vf);
		}
	}
	hashmap_free(&d->elf_cache);
}

int proc_self_status(const char *key, char *val, size_t cap)
{
	size_t klen = strlen(key);
	char line[256];
	int err = -ENOENT;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -ENOENT;
	while (err && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen)) {
			snprintf(val, cap, "%s", line + klen);
			err = 0;
		}
	fclose(f);
	return err;
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
 * Where a mapped file can be opened: 0, /proc/PID/map_files (the very file mapped), or
 * 1, the path it had, seen from the process's root.
 */
static void mapping_path(pid_t pid, const struct mapping *m, int which, char *buf, size_t cap)
{
	if (which == 0)
		snprintf(buf, cap, "/proc/%d/map_files/%llx-%llx", pid, m->start, m->end);
	else
		snprintf(buf, cap, "/proc/%d/root%s", pid, m->path);
}

/*
 * The ELF facts of a mapped file, read once per (device, inode) for the whole host. It is
 * opened through /proc/PID/map_files, which names the very file mapped even in another mount
 * namespace (a container) or after it was deleted or replaced on disk.
 */
static struct vm_file *vm_file_of_mapping(struct discover *d, pid_t pid, const struct mapping *m)
{
	__u64 dev = ((__u64)m->dev_major << 32) | m->dev_minor;
	__u64 *cached = hashmap_get(&d->elf_cache, dev, m->inode);
	struct vm_file *vf;
	char path[PATH_MAX + 64];

	if (cached)
		return (struct vm_file *)(unsigned long)*cached;
	vf = calloc(1, sizeof(*vf));
	if (!vf)
		return NULL;
	mapping_path(pid, m, 0, path, sizeof(path));
	if (elf_ruby_read(path, &vf->elf)) {
		mapping_path(pid, m, 1, path, sizeof(path));
		if (elf_ruby_read(path, &vf->elf)) {
			/* Not an ELF we can read: remembered as such only if the file exists. */
			free(vf);
			return NULL;
		}
	}
	if (!elf_ruby_is_ruby(&vf->elf)) {
		free(vf);
		vf = NULL;
	}
	if (hashmap_put(&d->elf_cache, dev, m->inode, (unsigned long)vf)) {
		free(vf);
		return NULL;
	}
	return vf;
}

/* A file worth opening: the main executable, or a library named like libruby. */
static int maybe_ruby(const struct mapping *m, const char *exe)
{
	return !strcmp(m->path, exe) || !strncmp(base_name(m->path), "libruby", 7);
}

/* Find the mapped file holding the VM; fill *m with its first mapping. */
static struct vm_file *find_vm_file(struct discover *d, pid_t pid, struct mapping *m, int *is_exe)
{
	char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
	struct vm_file *e = NULL;
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
		e = vm_file_of_mapping(d, pid, m);
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

/* Read the layout of the file's DWARF, once per file (it takes ~0.2 s for a libruby). */
static void read_dwarf(struct vm_file *vf, pid_t pid, const struct mapping *m, const char *version)
{
	char path[PATH_MAX + 64], root[64]; /* "/proc/PID/root" */
	int which;

	if (vf->dwarf_tried)
		return;
	vf->dwarf_tried = 1;
	vf->dwarf = calloc(1, sizeof(*vf->dwarf));
	if (!vf->dwarf) {
		vf->dwarf_err = -ENOMEM;
		snprintf(vf->dwarf_why, sizeof(vf->dwarf_why), "out of memory");
		return;
	}
	snprintf(root, sizeof(root), "/proc/%d/root", pid);
	for (which = 0; which < 2; which++) {
		mapping_path(pid, m, which, path, sizeof(path));
		vf->dwarf_err = dwarf_layout_read(path, root, m->path, version, vf->dwarf,
						  vf->dwarf_why, sizeof(vf->dwarf_why));
		if (vf->dwarf_err != -ENOEXEC) /* -ENOEXEC: could not open that path */
			break;
	}
	if (vf->dwarf_err) {
		free(vf->dwarf);
		vf->dwarf = NULL;
	}
}

static void note_append(struct ruby_target *t, const char *s)
{
	size_t len = strlen(t->layout_note);

	snprintf(t->layout_note + len, sizeof(t->layout_note) - len, "%s", s);
}

/*
 * The layout for the process's version: the table's entry for it; else what its DWARF gives;
 * else its series' entry; else none. t->layout_note says why for all but the first.
 */
static void choose_layout(struct vm_file *vf, pid_t pid, const struct mapping *m,
			  struct ruby_target *t)
{
	const struct dwarf_layout *dl;
	int exact;

	t->layout = ruby_layout_find(t->version, &exact);
	t->layout_source = LAYOUT_TABLE;
	if (t->layout && exact)
		return;
	read_dwarf(vf, pid, m, t->version);
	dl = vf->dwarf;
	if (dl) {
		t->layout = &dl->layout;
		t->layout_source = LAYOUT_DWARF;
		note_append(t, "offsets from its DWARF");
		if (dl->debug_path[0]) {
			note_append(t, " in ");
			note_append(t, dl->debug_path);
		}
		if (dl->from_base[0]) {
			note_append(t, "; ");
			note_append(t, dl->from_base);
			note_append(t, " (not in DWARF) from the ");
			note_append(t, dl->base->series);
			note_append(t, " layout");
		}
		return;
	}
	t->layout_source = LAYOUT_SERIES;
	if (vf->dwarf_err == -ENODATA)
		snprintf(t->layout_note, sizeof(t->layout_note), "no DWARF to read offsets from");
	else if (vf->dwarf_err == -ENOENT)
		snprintf(t->layout_note, sizeof(t->layout_note), "its DWARF is incomplete: %s",
			 vf->dwarf_why);
	else
		snprintf(t->layout_note, sizeof(t->layout_note), "%s", vf->dwarf_why);
}

enum probe_result discover_probe(struct discover *d, pid_t pid, struct ruby_target *t, char *why,
				 size_t whylen)
{
	const struct elf_ruby *e;
	struct vm_file *vf;
	struct procmem mem;
	struct mapping m;
	int is_exe = 0, exact;
	__u64 bias;

	memset(t, 0, sizeof(*t));
	why[0] = 0;
	t->pid = pid;
	if (proc_stat_read(pid, t->comm, &t->start_time))
		return PROBE_GONE;
	vf = find_vm_file(d, pid, &m, &is_exe);
	if (!vf)
		return kill(pid, 0) && errno == ESRCH ? PROBE_GONE : PROBE_NOT_RUBY;
	e = &vf->elf;
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
	if (d->force_version) {
		/* the user's word: no notice, no DWARF */
		t->layout = ruby_layout_find(d->force_version, &exact);
		t->layout_source = LAYOUT_FORCED;
	} else {
		choose_layout(vf, pid, &m, t);
	}
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
