// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sudo_user.c - the user who ran sudo. */
#include <unistd.h>
#include "common/env.h"
#include "common/sudo_user.h"

int sudo_user(uid_t *uid, gid_t *gid)
{
	/* (uid_t)-1 is no id: chown's "leave it" */
	long u = env_number("SUDO_UID", (long)(uid_t)-1 - 1);
	long g = env_number("SUDO_GID", (long)(gid_t)-1 - 1);

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
