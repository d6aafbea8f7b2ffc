/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * writer.h - the one interface of the profile writers (-f FORMAT): each reads the aggregate
 * and what the profile needs beside it (its processes, how it was taken) and writes a whole
 * file; one file per format in this folder.
 */
#ifndef RBPROF_WRITER_H
#define RBPROF_WRITER_H

#include <stdio.h>
#include <sys/types.h>
#include "aggregate/aggregate.h"

/* A process of the profile, by the aggregate's proc id. */
struct profile_proc {
	const char *comm;
	pid_t pid;
	const char *container; /* its container's short id, or NULL / "" */
	pid_t ns_pid;	       /* the pid its pid namespace gives it, 0 if none but the host's */
};

/* Room for profile_proc_label's text: a comm, two pids and a short container id. */
#define PROFILE_PROC_LABEL_MAX 96

/*
 * A process's frame, unescaped: "COMM [PID]", and " (container ID, pid N)" for one in a
 * container and a pid namespace of its own (either part alone where it has only that).
 */
void profile_proc_label(const struct profile_proc *p, char *buf, size_t cap);

struct profile {
	const struct aggregate *agg;
	const struct profile_proc *procs; /* [proc id] for every proc id of agg's stacks */
	__u32 nprocs;
	/*
	 * Every stack's first frame is its thread's (FRAME_THREAD): with -t, or for a format
	 * that labels samples by thread (pprof) whatever -t says.
	 */
	int thread_roots;
	int thread_frames;   /* -t: show the thread as a frame under its process (or a profile) */
	const char *command; /* the profiler's command line, for titles; may be NULL */
	__u64 start_unix_ns; /* when sampling began (CLOCK_REALTIME) */
	__u64 duration_ns;   /* how long it sampled */
	__u64 period_ns;     /* what a sample stands for: period_ns of CPU */
	double rate;	     /* samples per second per CPU: 1e9 / period_ns */
	/* what triggered them, as sample_clock_describe says; NULL: not known */
	const char *clock;
	int wall; /* --wall: a sample is period_ns of a thread's time, running or not */
};

struct writer {
	const char *name; /* -f NAME */
	/* Write the whole profile. 0 or -errno (-EIO for a failed write, -ENOMEM). */
	int (*write)(FILE *out, const struct profile *p);
};

extern const struct writer folded_writer, svg_writer, speedscope_writer, pprof_writer;

/* The writer of -f name, or NULL. */
const struct writer *writer_by_name(const char *name);
/*
 * The writer for -o path without -f: .svg, .json (speedscope), .pb.gz or .pprof (pprof),
 * anything else (or NULL: stdout) folded.
 */
const struct writer *writer_for_path(const char *path);
/* The file extension of w's files, without the dot: svg, json, pb.gz, folded. */
const char *writer_extension(const struct writer *w);
/* "folded, svg, speedscope, pprof": for the usage error of an unknown -f. */
const char *writer_names(void);

/* The samples of the profile: the sum of its stacks' counts. */
__u64 profile_samples(const struct profile *p);

#endif /* RBPROF_WRITER_H */
