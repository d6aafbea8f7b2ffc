/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fixture.h - a recorded Ruby process for the unit tests: the memory that the walker and the
 * symbolizer read while sampling every thread of a stopped process once, the facts the
 * loader found about it, and the folded stacks that came out. Replaying a fixture runs the
 * same walker and symbolizer on that memory and must give the same stacks, for Rubies that
 * are not installed where the tests run.
 *
 *   rbprof-bpf --capture FILE -p PID   (writes FILE, zlib-compressed)
 */
#ifndef RBPROF_FIXTURE_H
#define RBPROF_FIXTURE_H

#include <sys/types.h>
#include "devtools/memrecord.h"
#include "rbprof.h"

/* Threads captured per process; a fixture is a test input, not a production profile. */
#define FIXTURE_MAX_THREADS 64

struct fixture {
	char version[32];
	struct rbprof_proc bpf; /* TLS and GC facts, as the BPF side would get them */
	__u64 global_symbols;
	__u64 vm_ptr_addr; /* &ruby_current_vm_ptr (3.2's shapes); 0 in fixtures older than it */
	int nthreads;
	__u64 tp[FIXTURE_MAX_THREADS]; /* each thread's thread pointer (fs base) */
	/*
	 * A wall fixture (--capture of a process whose threads wait): what the scheduler said of
	 * each thread before it was stopped, as the BPF task iterator says it, and the stacks
	 * are replayed as --wall samples them (sampling/wall.h). 0 in older fixtures.
	 */
	int has_states;
	struct {
		__u64 state, on_cpu;
		__s64 syscall;
	} sched[FIXTURE_MAX_THREADS];
	char *expected;		       /* folded stacks, one sample per thread */
	struct memrecord mem;
};

/* Stop process pid, sample each thread once, write the fixture to path. 0 or -errno. */
int fixture_capture(pid_t pid, const char *path);

/* Write f, with `text` as its expected stacks, to path (zlib-compressed). 0 or -errno. */
int fixture_save(const struct fixture *f, const char *text, const char *path);

int fixture_load(const char *path, struct fixture *f);
void fixture_free(struct fixture *f);

/* Walk and symbolize every thread of f, reading `mem`: folded text in *out (malloc'd). */
int fixture_profile(const struct fixture *f, struct memread *mem, char **out);

#endif /* RBPROF_FIXTURE_H */
