// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* procfs.c - readers of /proc. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "discover/procfs.h"

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

int proc_thread_comm(pid_t pid, pid_t tid, char comm[COMM_LEN])
{
	char path[64];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(comm, 1, COMM_LEN, f);
	fclose(f);
	/* the name and a newline; a name may hold a newline of its own, which stays */
	if (n && comm[n - 1] == '\n')
		n--;
	comm[n < COMM_LEN ? n : COMM_LEN - 1] = 0;
	return 0;
}

/*
 * /proc/PID/stat (tid 0) or /proc/PID/task/TID/stat into buf, NUL-terminated; *after_comm:
 * past the comm's closing ')' (comm may hold spaces and parentheses, so the last ')'),
 * *open_paren: its '('. 0 or -errno.
 */
static int stat_text(pid_t pid, pid_t tid, char *buf, size_t cap, char **open_paren,
		     char **after_comm)
{
	char path[64], *close_paren;
	size_t n;
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = 0;
	*open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!*open_paren || !close_paren || close_paren < *open_paren)
		return -EINVAL;
	*after_comm = close_paren + 1;
	return 0;
}

int proc_stat_read(pid_t pid, char comm[COMM_LEN], unsigned long long *start_time)
{
	char buf[1024], *open_paren, *p;
	size_t len;
	int field, err = stat_text(pid, 0, buf, sizeof(buf), &open_paren, &p);

	if (err)
		return err;
	len = (size_t)(p - open_paren - 2); /* between the parentheses */
	if (len >= COMM_LEN)
		len = COMM_LEN - 1;
	memcpy(comm, open_paren + 1, len);
	comm[len] = 0;
	/* Fields after comm start at 3 (state); starttime is field 22. */
	for (field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", start_time) != 1)
		return -EINVAL;
	return 0;
}

int proc_ppid(pid_t pid, pid_t *ppid)
{
	char buf[1024], *open_paren, *after_comm;
	int v, err = stat_text(pid, 0, buf, sizeof(buf), &open_paren, &after_comm);

	if (err)
		return err;
	/* "pid (comm) state ppid ..." */
	if (sscanf(after_comm, " %*c %d", &v) != 1)
		return -EINVAL;
	*ppid = v;
	return 0;
}

int proc_thread_state(pid_t pid, pid_t tid, char *state)
{
	char buf[1024], *open_paren, *after_comm;
	int err = stat_text(pid, tid, buf, sizeof(buf), &open_paren, &after_comm);

	if (err)
		return err;
	/* "pid (comm) state ..." */
	return sscanf(after_comm, " %c", state) == 1 ? 0 : -EINVAL;
}

int proc_descends_from(pid_t pid, const pid_t *roots, int n)
{
	int depth, i;

	for (depth = 0; depth < PROC_ANCESTRY_MAX && pid > 1; depth++) {
		for (i = 0; i < n; i++)
			if (roots[i] == pid)
				return 1;
		if (proc_ppid(pid, &pid))
			return 0;
	}
	return 0;
}

unsigned long long proc_uptime_ticks(unsigned long long clk_tck)
{
	double uptime = 0;
	FILE *f = fopen("/proc/uptime", "re");

	if (f) {
		if (fscanf(f, "%lf", &uptime) != 1)
			uptime = 0;
		fclose(f);
	}
	return (unsigned long long)(uptime * (double)clk_tck);
}

int proc_each_pid(void (*fn)(void *ctx, pid_t pid), void *ctx)
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

int proc_mapping_parse(const char *line, struct proc_mapping *m)
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

void proc_mapping_path(pid_t pid, const struct proc_mapping *m, enum proc_mapping_view view,
		       char *buf, size_t cap)
{
	if (view == PROC_MAP_FILES)
		snprintf(buf, cap, "/proc/%d/map_files/%llx-%llx", pid, m->start, m->end);
	else
		snprintf(buf, cap, "/proc/%d/root%s", pid, m->path);
}
