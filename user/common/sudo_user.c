// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sudo_user.c - the user who ran sudo. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "common/sudo_user.h"

/* A whole decimal id from the environment variable `name`, or -1. */
static long env_id(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno || *end || v < 0 || v >= (long)(uid_t)-1 ? -1 : v;
}

int sudo_user(uid_t *uid, gid_t *gid)
{
	long u = env_id("SUDO_UID"), g = env_id("SUDO_GID");

	if (u < 0 || g < 0 || geteuid() != 0)
		return 0;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 1;
}

int sudo_trusted_owner(uid_t owner)
{
	uid_t uid;
	gid_t gid;

	return owner == geteuid() || (sudo_user(&uid, &gid) && owner == uid);
}
