/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * procfs.h - what /proc says about a process: its command name and start time, its mapped
 * files, where such a file can be opened; and every pid on the host. Each reader parses
 * text that another user's process can shape (its comm, its mapped paths): lengths are cut.
 */
#ifndef RBPROF_PROCFS_H
#define RBPROF_PROCFS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

/* /proc/PID/comm is at most 15 bytes (TASK_COMM_LEN 16). */
#define COMM_LEN 16

/* Read /proc/PID/stat: comm and start time (field 22). 0 or -errno (-ENOENT: gone). */
int proc_stat_read(pid_t pid, char comm[COMM_LEN], unsigned long long *start_time);

/* The parent of pid (field 4 of /proc/PID/stat). 0 or -errno. */
int proc_ppid(pid_t pid, pid_t *ppid);

/*
 * Process trees deeper than this are not followed up (a shell in a make in a test runner is
 * a few levels; the kernel allows chains of any depth, and a hostile one could make them long).
 */
#define PROC_ANCESTRY_MAX 64

/* 1 if pid is one of roots[0..n) or descends from one (through its parents), else 0. */
int proc_descends_from(pid_t pid, const pid_t *roots, int n);

/* Field 3 of /proc/PID/task/TID/stat, the thread's state: 'R', 'S', 'D', 't'... 0 or -errno. */
int proc_thread_state(pid_t pid, pid_t tid, char *state);

/* Read /proc/PID/task/TID/comm (a thread's name: Thread#name, pthread_setname_np). 0 or -errno. */
int proc_thread_comm(pid_t pid, pid_t tid, char comm[COMM_LEN]);

/* The value after "key" ("VmHWM:") on its line of /proc/self/status. 0, or -ENOENT. */
int proc_self_status(const char *key, char *val, size_t cap);

/* The host's uptime in ticks of `clk_tck` a second (/proc/uptime), 0 if unreadable. */
unsigned long long proc_uptime_ticks(unsigned long long clk_tck);

/* Call fn for every process on the host. 0 or -errno. */
int proc_each_pid(void (*fn)(void *ctx, pid_t pid), void *ctx);

/* One line of /proc/PID/maps that maps a file. */
struct proc_mapping {
	__u64 start, end, pgoff;
	unsigned int dev_major, dev_minor;
	unsigned long inode;
	char path[PATH_MAX];
};

/* Parse one /proc/PID/maps line. 1 if it maps a file (a path and an inode), 0 otherwise. */
int proc_mapping_parse(const char *line, struct proc_mapping *m);

/* Where a mapped file can be opened. */
enum proc_mapping_view {
	/* /proc/PID/map_files/START-END: the very file mapped, in another mount namespace (a
	 * container) or after it was deleted or replaced on disk */
	PROC_MAP_FILES,
	/* /proc/PID/root + the path it had: the same name, seen from the process's root */
	PROC_ROOT_PATH,
};

void proc_mapping_path(pid_t pid, const struct proc_mapping *m, enum proc_mapping_view view,
		       char *buf, size_t cap);

#endif /* RBPROF_PROCFS_H */
