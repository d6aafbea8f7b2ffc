// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rotate.c - a profile file per interval, in a directory. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "common/sudo_user.h"
#include "output/outfile.h"
#include "output/rotate.h"

int rotate_dir_ready(const char *dir)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	/* another user's link as DIR would put root's files wherever it points */
	if (!lstat(dir, &st) && S_ISLNK(st.st_mode) && !sudo_trusted_owner(st.st_uid))
		return -ELOOP;
	if (!stat(dir, &st))
		return !S_ISDIR(st.st_mode) ? -ENOTDIR : access(dir, W_OK | X_OK) ? -errno : 0;
	if (errno != ENOENT)
		return -errno;
	if (mkdir(dir, 0755))
		return -errno;
	if (sudo_user(&uid, &gid)) /* the user's directory, as the files in it are */
		(void)!chown(dir, uid, gid);
	return 0;
}

void rotate_name(char *buf, size_t cap, __u64 start_unix_ns, const struct writer *w)
{
	time_t t = (time_t)(start_unix_ns / 1000000000ULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, cap, "rbprof-%s.%s", stamp, writer_extension(w));
}

int rotate_write(const char *dir, const struct writer *w, const struct profile *prof, char *path,
		 size_t cap)
{
	char name[ROTATE_NAME_MAX];
	struct outfile out;
	int err;

	rotate_name(name, sizeof(name), prof->start_unix_ns, w);
	if ((size_t)snprintf(path, cap, "%s/%s", dir, name) >= cap)
		return -ENAMETOOLONG;
	err = outfile_open(&out, path);
	if (err)
		return err;
	return outfile_commit(&out, w->write(out.f, prof));
}
