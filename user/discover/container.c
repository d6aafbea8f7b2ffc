// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* container.c - a process's container, from /proc/PID/cgroup and NSpid. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "discover/container.h"

/* /proc/PID/cgroup: a line per hierarchy (13 in cgroup v1), each path up to PATH_MAX. */
#define CGROUP_TEXT_MAX 16384

/* A byte that may stand right before or after an id: where a path component splits. */
static int id_bound(char c)
{
	return c == 0 || c == '/' || c == '-' || c == '.' || c == ':' || c == '\n';
}

int container_id_in(const char *text, char id[CONTAINER_ID_LEN + 1])
{
	const char *p = text, *found = NULL;

	while (*p) {
		size_t n = 0;

		while (isxdigit((unsigned char)p[n]))
			n++;
		if (n == CONTAINER_ID_LEN && (p == text || id_bound(p[-1])) && id_bound(p[n]))
			found = p;
		p += n ? n : 1;
	}
	if (!found)
		return -ENOENT;
	memcpy(id, found, CONTAINER_ID_LEN);
	id[CONTAINER_ID_LEN] = 0;
	for (p = id; *p; p++) /* as docker prints them */
		id[p - id] = (char)tolower((unsigned char)*p);
	return 0;
}

/* The last field of "NSpid:" in /proc/PID/status (0: one namespace only). 0 or -errno. */
static int ns_pid_of(pid_t pid, pid_t *ns_pid)
{
	char path[64], line[256];
	FILE *f;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "re")))
		return -errno;
	*ns_pid = 0;
	while (err && fgets(line, sizeof(line), f)) {
		char *tok, *save = NULL;
		int fields = 0;
		long last = 0;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (tok = strtok_r(line + 6, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			last = strtol(tok, NULL, 10), fields++;
		if (fields > 1 && last > 0)
			*ns_pid = (pid_t)last;
		err = 0;
	}
	fclose(f);
	return err == -ENOENT ? 0 : err; /* a kernel without NSpid (< 4.1): one namespace */
}

int container_of(pid_t pid, char id[CONTAINER_ID_LEN + 1], pid_t *ns_pid)
{
	char path[64], *text;
	size_t n;
	FILE *f;
	int err;

	*ns_pid = 0;
	id[0] = 0;
	if ((err = ns_pid_of(pid, ns_pid)))
		return err;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	if (!(f = fopen(path, "re")))
		return -errno;
	text = malloc(CGROUP_TEXT_MAX);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, CGROUP_TEXT_MAX - 1, f);
	fclose(f);
	text[n] = 0;
	err = container_id_in(text, id);
	free(text);
	return err;
}
