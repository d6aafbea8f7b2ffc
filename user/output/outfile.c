// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* outfile.c - stdout, or a file written atomically. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/sudo_user.h"
#include "output/outfile.h"

/*
 * Run through sudo, the profile is the invoking user's: the file gets their uid and gid
 * (SUDO_UID, SUDO_GID), not root's. Through the descriptor: nothing else can be changed.
 */
static void give_to_sudo_user(int fd)
{
	uid_t uid;
	gid_t gid;

	/* on a file system without owners (vfat) it fails: the file stays root's */
	if (sudo_user(&uid, &gid))
		(void)!fchown(fd, uid, gid);
}

/* Open a temporary file beside `path` for an atomic replace. */
static FILE *open_temp_beside(const char *path, char *tmp, size_t cap)
{
	char dir[PATH_MAX], base[PATH_MAX];
	FILE *f;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	snprintf(tmp, cap, "%s/.%s.XXXXXX", dirname(dir), basename(base));
	fd = mkstemp(tmp);
	if (fd < 0)
		return NULL;
	fchmod(fd, 0644);
	give_to_sudo_user(fd);
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
	}
	return f;
}

int outfile_open(struct outfile *o, const char *path)
{
	struct stat st;

	o->f = stdout;
	o->path = path;
	o->tmp[0] = 0;
	o->direct = 0;
	if (!path)
		return 0;
	/*
	 * A device, a FIFO or a socket (/dev/null, /dev/stdout, a pipe to a reader) is written
	 * to as it is: a file renamed over it would replace the device itself.
	 */
	if (!stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		o->f = fopen(path, "we");
		o->direct = 1;
	} else {
		o->f = open_temp_beside(path, o->tmp, sizeof(o->tmp));
	}
	return o->f ? 0 : (errno ? -errno : -EIO);
}

int outfile_commit(struct outfile *o, int err)
{
	if (!o->path)
		return err;
	if (fclose(o->f) && !err)
		err = -errno;
	if (o->direct)
		return err;
	if (!err && rename(o->tmp, o->path))
		err = -errno;
	if (err)
		unlink(o->tmp);
	return err;
}

void outfile_abandon(struct outfile *o)
{
	if (!o->path)
		return;
	fclose(o->f);
	if (!o->direct)
		unlink(o->tmp);
}
