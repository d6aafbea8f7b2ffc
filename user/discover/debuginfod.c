// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * debuginfod.c - debug files by build id from debuginfod servers (libdebuginfod). The library
 * is loaded with dlopen when DEBUGINFOD_URLS asks for it, as elfutils' libdw does: linked,
 * its libcurl and TLS stack (30 libraries) would cost every run ~9 MiB of RSS.
 */
#include <dlfcn.h>
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

/* What is used of libdebuginfod, once loaded. */
static struct {
	int tried;
	debuginfod_client *(*begin)(void);
	int (*find_debuginfo)(debuginfod_client *, const unsigned char *, int, char **);
	void (*set_progressfn)(debuginfod_client *, debuginfod_progressfn_t);
	void (*end)(debuginfod_client *);
} lib;

/* Load libdebuginfod: 0, or -ENOSYS if it is not installed. */
static int load_lib(void)
{
	void *h;

	if (lib.tried)
		return lib.end ? 0 : -ENOSYS;
	lib.tried = 1;
	h = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return -ENOSYS;
	lib.begin = (debuginfod_client * (*)(void)) dlsym(h, "debuginfod_begin");
	lib.find_debuginfo = (int (*)(debuginfod_client *, const unsigned char *, int, char **))dlsym(
	    h, "debuginfod_find_debuginfo");
	lib.set_progressfn = (void (*)(debuginfod_client *, debuginfod_progressfn_t))dlsym(
	    h, "debuginfod_set_progressfn");
	lib.end = (void (*)(debuginfod_client *))dlsym(h, "debuginfod_end");
	if (!lib.begin || !lib.find_debuginfo || !lib.set_progressfn || !lib.end) {
		lib.end = NULL;
		return -ENOSYS;
	}
	return 0;
}

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
	if (!urls || !*urls || given_up || load_lib())
		return -ENODATA;
	idlen = dwelf_elf_gnu_build_id(elf, (const void **)&id);
	if (idlen <= 0)
		return -ENODATA;
	if (!getenv("DEBUGINFOD_CACHE_PATH")) {
		make_cache_dir(DEBUGINFOD_CACHE_DEFAULT);
		setenv("DEBUGINFOD_CACHE_PATH", DEBUGINFOD_CACHE_DEFAULT, 0);
	}
	client = lib.begin();
	if (!client)
		return -ENODATA;
	deadline = time(NULL) + DEBUGINFOD_TIME_LIMIT;
	lib.set_progressfn(client, past_deadline);
	fd = lib.find_debuginfo(client, id, (int)idlen, &path);
	lib.end(client);
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
