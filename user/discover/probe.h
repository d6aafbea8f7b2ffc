/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * probe.h - look at one process and learn what the sampler and the symbolizer need about it:
 * which mapped file holds the Ruby VM, its load bias, the Ruby version read from the process,
 * the layout to read it with, how a thread reaches its `ruby_current_ec`, and where the GC
 * keeps its state.
 */
#ifndef RBPROF_PROBE_H
#define RBPROF_PROBE_H

#include <limits.h>
#include <sys/types.h>
#include "discover/libc.h"
#include "discover/procfs.h"
#include "discover/vm_file.h"
#include "layouts/choose.h"
#include "rbprof.h"

struct ruby_target {
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat field 22: tells a reused pid apart */
	char comm[COMM_LEN];
	char version[32];		  /* read from the process's ruby_version */
	char vm_file[PATH_MAX];		  /* the executable or libruby holding the VM */
	const struct ruby_layout *layout; /* NULL: version not supported */
	struct layout_origin origin;	  /* where the layout came from, and a notice */
	enum libc_kind libc;		  /* what lays out its threads' TLS */
	char ec_note[384];	/* where ruby_current_ec was found; the places rejected, and why */
	double probe_ms;	/* how long the probe took (make bench reads it under -v) */
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

/*
 * The thread pointer (user FS base) of the main thread of process `pid`, without stopping
 * it for long: what a place found for ruby_current_ec in code is checked through.
 * 0 or -errno.
 */
typedef int (*thread_pointer_fn)(void *ctx, pid_t pid, __u64 *tp);

struct discover {
	struct vm_files files;		  /* every VM file looked at in this session */
	const char *force_version;	  /* --force-version: the layout of this version for all */
	thread_pointer_fn thread_pointer; /* NULL: places found in code cannot be checked */
	void *thread_pointer_ctx;
};

void discover_init(struct discover *d);
void discover_free(struct discover *d);

/* Look at process `pid`. On PROBE_FAILED, `why` says what went wrong. */
enum probe_result discover_probe(struct discover *d, pid_t pid, struct ruby_target *t, char *why,
				 size_t whylen);

/*
 * Find the GC state word (bpf.gc_*) through ruby_current_vm_ptr -> objspace. The VM may not
 * exist yet in a process that just started: 0, or -errno to try again later.
 */
int discover_resolve_gc(struct ruby_target *t);

#endif /* RBPROF_PROBE_H */
