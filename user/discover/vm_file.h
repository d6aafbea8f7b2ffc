/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vm_file.h - the mapped file that holds a process's Ruby VM (its executable, or a libruby),
 * found in /proc/PID/maps. Each such file is read once per (device, inode) for the whole
 * session: its ELF facts, and, once a process needs them, the layout its DWARF gives.
 */
#ifndef RBPROF_VM_FILE_H
#define RBPROF_VM_FILE_H

#include <sys/types.h>
#include "common/hashmap.h"
#include "discover/elf_ruby.h"
#include "discover/procfs.h"
#include "layouts/dwarf_layout.h"

struct vm_file {
	struct elf_ruby elf;
	int dwarf_tried;
	int dwarf_err;		    /* what dwarf_layout_read returned */
	char dwarf_why[128];	    /* ... and why, when it failed (one short clause) */
	struct dwarf_layout *dwarf; /* the layout, if dwarf_err == 0 */
};

/* The files looked at so far: (dev, inode) of a mapped file -> struct vm_file *, or 0. */
struct vm_files {
	struct hashmap by_inode;
};

void vm_files_free(struct vm_files *c);

/*
 * The file holding the VM of process `pid`: *m is its first mapping, *is_exe whether it is
 * the executable. NULL if the process maps none (or cannot be read); `why` then says why a
 * libruby it maps could not be read ("" if none). A file that is a Ruby but lacks a fact
 * the profiler needs is returned: vf->elf.missing says what.
 */
struct vm_file *vm_file_find(struct vm_files *c, pid_t pid, struct proc_mapping *m, int *is_exe,
			     char *why, size_t whylen);

/* The layout of Ruby `version` read from the file's DWARF, once per file; NULL if none. */
const struct dwarf_layout *vm_file_dwarf(struct vm_file *vf, pid_t pid,
					 const struct proc_mapping *m, const char *version);

#endif /* RBPROF_VM_FILE_H */
