// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* outfile.c - stdout, or a file written atomically. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * A symbolic link root may follow: one made by root (/dev/stdout -> /proc/self/fd/1) or by
 * the user who ran sudo. One that another user planted (a /tmp/profile.svg pointing at a
 * device or at /etc/shadow) is replaced, never followed.
 */
static int symlink_trusted(const struct stat *lst)
{
	return sudo_trusted_owner(lst->st_uid);
}

/*
 * Open `path` to write to as it is, if it is a device, a FIFO or a socket (/dev/null, a pipe
 * to a reader): a file renamed over it would replace the device itself. The descriptor is
 * checked, not the name: what was a FIFO at the lstat and a link to a regular file at the open
 * is not written through. NULL with errno 0: not such a file, write it the atomic way.
 */
static FILE *open_direct(const char *path, int follow)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		close(fd);
		errno = 0;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

/* How a trusted link is written through (open_through_link). */
enum through {
	THROUGH_OPENED = 0, /* a descriptor someone holds: o->f writes into it */
	THROUGH_FILE,	    /* a regular file elsewhere: o->target, replaced atomically */
	THROUGH_OTHER,	    /* a device, a FIFO, or nothing yet: as if the link's own path */
};

/*
 * A trusted link: through /proc to a regular file (/dev/stdout -> /proc/self/fd/1 of a
 * shell's `> file`) it is a descriptor someone holds, written through (truncated); to another
 * regular file, that file is replaced atomically and the link kept. An enum through, or -errno.
 */
static int open_through_link(struct outfile *o, const char *path)
{
	struct stat st;
	int fd;

	if (!realpath(path, o->target) || stat(o->target, &st) || !S_ISREG(st.st_mode)) {
		snprintf(o->target, sizeof(o->target), "%s", path);
		return THROUGH_OTHER;
	}
	if (strncmp(o->target, "/proc/", 6))
		return THROUGH_FILE;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	o->direct = 1;
	return THROUGH_OPENED;
}

int outfile_open(struct outfile *o, const char *path)
{
	struct stat lst, st;
	int link, trusted, how = THROUGH_OTHER;

	o->f = stdout;
	o->path = path;
	o->tmp[0] = 0;
	o->direct = 0;
	if (!path)
		return 0;
	snprintf(o->target, sizeof(o->target), "%s", path);
	link = !lstat(path, &lst) && S_ISLNK(lst.st_mode);
	trusted = !link || symlink_trusted(&lst);
	if (link && trusted && (how = open_through_link(o, path)) < 0)
		return how;
	if (how == THROUGH_OPENED)
		return 0;
	errno = 0;
	if (how == THROUGH_OTHER && trusted && !stat(path, &st) && !S_ISREG(st.st_mode) &&
	    !S_ISDIR(st.st_mode)) {
		o->f = open_direct(path, link);
		o->direct = o->f != NULL;
		if (o->f || errno)
			return o->f ? 0 : -errno;
	}
	/*
	 * A temporary file beside the target (mkstemp: O_EXCL, never through a planted name),
	 * renamed over it: a link another user planted there is replaced, not followed.
	 */
	o->f = open_temp_beside(o->target, o->tmp, sizeof(o->tmp));
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
	if (!err && rename(o->tmp, o->target))
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
