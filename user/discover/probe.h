/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * discover.h - find Ruby processes and learn what the sampler needs about each: which mapped
 * file holds the VM (an executable or libruby exporting ruby_current_vm_ptr and ruby_version),
 * its load bias, the Ruby version read from the process, and how a thread reaches its
 * `ruby_current_ec`.
 */
#ifndef RBPROF_PROBE_H
#define RBPROF_PROBE_H

#include <limits.h>
#include <sys/types.h>
#include "common/hashmap.h"
#include "rbprof.h"
#include "layouts/layout.h"

/* /proc/PID/comm is at most 15 bytes (TASK_COMM_LEN 16). */
#define COMM_LEN 16

/* Where a process's layout came from. */
enum layout_source {
	LAYOUT_TABLE,  /* the table's entry for its release */
	LAYOUT_FORCED, /* --force-version's entry */
	LAYOUT_DWARF,  /* its DWARF (a release the table lacks, built with -g) */
	LAYOUT_SERIES, /* its series' entry: no table entry, no (complete) DWARF */
};

struct ruby_target {
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat field 22: tells a reused pid apart */
	char comm[COMM_LEN];
	char version[32];		  /* read from the process's ruby_version */
	char vm_file[PATH_MAX];		  /* the executable or libruby holding the VM */
	const struct ruby_layout *layout; /* NULL: version not supported */
	enum layout_source layout_source;
	char layout_note[512];	/* LAYOUT_DWARF, LAYOUT_SERIES: a notice for the user */
	struct rbprof_proc bpf; /* what goes into the sampler's procs map */
	__u64 global_symbols;	/* ruby_global_symbols in the process, 0: unknown */
	__u64 vm_ptr_addr;	/* &ruby_current_vm_ptr in the process */
};

enum probe_result {
	PROBE_RUBY,	   /* a supported Ruby: target filled in */
	PROBE_NOT_RUBY,	   /* no Ruby VM mapped */
	PROBE_GONE,	   /* the process does not exist (any more) */
	PROBE_UNSUPPORTED, /* a Ruby we have no layout for: version set, layout NULL */
	PROBE_FAILED,	   /* a Ruby, but its TLS or memory could not be read: see `why` */
};

struct discover {
	struct hashmap elf_cache;  /* (dev, inode) of a mapped file -> struct elf_ruby * or 0 */
	const char *force_version; /* --force-version: the layout of this version for all */
};

void discover_init(struct discover *d);
void discover_free(struct discover *d);

/* Read /proc/PID/stat: comm and start time. 0 or -errno (-ENOENT: gone). */
int proc_stat_read(pid_t pid, char comm[COMM_LEN], unsigned long long *start_time);

/* The value after "key" ("VmHWM:") on its line of /proc/self/status. 0, or -ENOENT. */
int proc_self_status(const char *key, char *val, size_t cap);

/* Look at process `pid`. On PROBE_FAILED, `why` says what went wrong. */
enum probe_result discover_probe(struct discover *d, pid_t pid, struct ruby_target *t, char *why,
				 size_t whylen);

/*
 * Find the GC state word (bpf.gc_*) through ruby_current_vm_ptr -> objspace. The VM may not
 * exist yet in a process that just started: 0, or -errno to try again later.
 */
int discover_resolve_gc(struct ruby_target *t);

/* Call fn for every process on the host. 0 or -errno. */
int discover_each_pid(void (*fn)(void *ctx, pid_t pid), void *ctx);

#endif /* RBPROF_PROBE_H */
