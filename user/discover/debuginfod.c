// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* debuginfod.c - debug files by build id from debuginfod servers (libdebuginfod). */
#include <elfutils/debuginfod.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "discover/debuginfod.h"

/* Set once a download ran out of time: the servers are not asked again. */
static int given_up;
static time_t deadline;

/* libdebuginfod's progress callback: non-zero stops the transfer. */
static int past_deadline(debuginfod_client *c, long done, long total)
{
	(void)c;
	(void)done;
	(void)total;
	return time(NULL) > deadline;
}

/* mkdir -p of the default cache, root's only. */
static void make_cache_dir(const char *path)
{
	char dir[256];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(dir, 0755);
			*p = '/';
		}
	mkdir(dir, 0700);
}

int debuginfod_debugfile(Elf *elf, enum debugfile_want want, struct debugfile *out)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	const unsigned char *id = NULL;
	debuginfod_client *client;
	char *path = NULL;
	ssize_t idlen;
	int fd;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (!urls || !*urls || given_up)
		return -ENODATA;
	idlen = dwelf_elf_gnu_build_id(elf, (const void **)&id);
	if (idlen <= 0)
		return -ENODATA;
	if (!getenv("DEBUGINFOD_CACHE_PATH")) {
		make_cache_dir(DEBUGINFOD_CACHE_DEFAULT);
		setenv("DEBUGINFOD_CACHE_PATH", DEBUGINFOD_CACHE_DEFAULT, 0);
	}
	client = debuginfod_begin();
	if (!client)
		return -ENODATA;
	deadline = time(NULL) + DEBUGINFOD_TIME_LIMIT;
	debuginfod_set_progressfn(client, past_deadline);
	fd = debuginfod_find_debuginfo(client, id, (int)idlen, &path);
	debuginfod_end(client);
	if (fd < 0) {
		if (time(NULL) > deadline)
			given_up = 1;
		free(path);
		return time(NULL) > deadline ? -ETIMEDOUT : -ENODATA;
	}
	out->fd = fd;
	out->elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	snprintf(out->path, sizeof(out->path), "%s", path ? path : "");
	free(path);
	if (!out->elf || elf_kind(out->elf) != ELF_K_ELF || !debugfile_has(out->elf, want)) {
		debugfile_close(out);
		return -ENODATA;
	}
	return 0;
}
