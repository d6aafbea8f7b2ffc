// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* vm_file.c - find the file holding a process's VM; read each such file once. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "discover/vm_file.h"

static void vm_file_free(void *p)
{
	struct vm_file *vf = p;

	free(vf->dwarf);
	free(vf);
}

void vm_files_free(struct vm_files *c)
{
	hashmap_free_values(&c->by_inode, vm_file_free);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int named_libruby(const struct proc_mapping *m)
{
	return !strncmp(base_name(m->path), "libruby", 7);
}

/*
 * The ELF facts of a mapped file, read once per (device, inode) for the whole host: first
 * through /proc/PID/map_files, then by its path in the process's root. A file that holds no
 * Ruby VM is remembered as such. One that neither view can read is not remembered (it is
 * opened again when the next process that maps it is looked at); if it is named like a
 * libruby, `why` says why it could not be read.
 */
static struct vm_file *vm_file_of_mapping(struct vm_files *c, pid_t pid,
					  const struct proc_mapping *m, char *why, size_t whylen)
{
	__u64 dev = ((__u64)m->dev_major << 32) | m->dev_minor;
	__u64 *cached = hashmap_get(&c->by_inode, dev, m->inode);
	struct vm_file *vf;
	char path[PATH_MAX + 64], root[64]; /* "/proc/PID/root" */
	int err;

	if (cached)
		return (struct vm_file *)(unsigned long)*cached;
	vf = calloc(1, sizeof(*vf));
	if (!vf)
		return NULL;
	snprintf(root, sizeof(root), "/proc/%d/root", pid);
	proc_mapping_path(pid, m, PROC_MAP_FILES, path, sizeof(path));
	if (elf_ruby_read(path, root, m->path, &vf->elf)) {
		proc_mapping_path(pid, m, PROC_ROOT_PATH, path, sizeof(path));
		err = elf_ruby_read(path, root, m->path, &vf->elf);
		if (err) {
			if (named_libruby(m))
				snprintf(why, whylen, "cannot read %s: %s", m->path,
					 err == -ENOEXEC ? "not an x86_64 ELF file"
							 : strerror(-err));
			free(vf);
			return NULL;
		}
	}
	/* A libruby without ruby_version is a Ruby all the same: it is said why it fails. */
	if (!elf_ruby_is_ruby(&vf->elf) && !named_libruby(m)) {
		free(vf);
		vf = NULL;
	}
	if (hashmap_put(&c->by_inode, dev, m->inode, (unsigned long)vf)) {
		free(vf);
		return NULL;
	}
	return vf;
}

/* A file worth opening: the main executable, or a library named like libruby. */
static int maybe_ruby(const struct proc_mapping *m, const char *exe)
{
	return !strcmp(m->path, exe) || named_libruby(m);
}

struct vm_file *vm_file_find(struct vm_files *c, pid_t pid, struct proc_mapping *m, int *is_exe,
			     char *why, size_t whylen)
{
	char path[64], exe[PATH_MAX], line[PATH_MAX + 128];
	struct vm_file *vf = NULL;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	/*
	 * The first file with everything wins; one that is a Ruby but lacks something (an
	 * executable that merely copied ruby_version from its libruby, or a stripped libruby
	 * whose code says nothing) is the answer only if no file has everything.
	 */
	while ((!vf || !elf_ruby_is_complete(&vf->elf)) && fgets(line, sizeof(line), f)) {
		struct vm_file *cand;
		struct proc_mapping at;

		if (!proc_mapping_parse(line, &at) || !maybe_ruby(&at, exe))
			continue;
		cand = vm_file_of_mapping(c, pid, &at, why, whylen);
		if (!cand || (vf && !elf_ruby_is_complete(&cand->elf)))
			continue;
		vf = cand;
		*m = at;
		*is_exe = !strcmp(at.path, exe);
	}
	fclose(f);
	if (vf)
		why[0] = 0; /* a libruby that could not be read, beside the one that was */
	return vf;
}

const struct dwarf_layout *vm_file_dwarf(struct vm_file *vf, pid_t pid,
					 const struct proc_mapping *m, const char *version)
{
	static const enum proc_mapping_view views[] = {PROC_MAP_FILES, PROC_ROOT_PATH};
	char path[PATH_MAX + 64], root[64]; /* "/proc/PID/root" */
	size_t i;

	if (vf->dwarf_tried) /* it takes ~0.2 s for a libruby */
		return vf->dwarf;
	vf->dwarf_tried = 1;
	vf->dwarf = calloc(1, sizeof(*vf->dwarf));
	if (!vf->dwarf) {
		vf->dwarf_err = -ENOMEM;
		snprintf(vf->dwarf_why, sizeof(vf->dwarf_why), "out of memory");
		return NULL;
	}
	snprintf(root, sizeof(root), "/proc/%d/root", pid);
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		proc_mapping_path(pid, m, views[i], path, sizeof(path));
		vf->dwarf_err = dwarf_layout_read(path, root, m->path, version, vf->dwarf,
						  vf->dwarf_why, sizeof(vf->dwarf_why));
		/* a path that could not be opened or read as ELF: the next view of the file */
		if (!dwarf_layout_unopened(vf->dwarf_err))
			break;
	}
	if (vf->dwarf_err) {
		free(vf->dwarf);
		vf->dwarf = NULL;
	}
	return vf->dwarf;
}
