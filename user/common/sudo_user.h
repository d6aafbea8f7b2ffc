/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sudo_user.h - who ran us, when root through sudo: what rbprof-bpf writes and runs for the
 * user (the -o file, a -- COMMAND) is theirs, not root's.
 */
#ifndef RBPROF_SUDO_USER_H
#define RBPROF_SUDO_USER_H

#include <sys/types.h>

/*
 * 1 and *uid, *gid set if we run as root with SUDO_UID and SUDO_GID set to whole decimal ids,
 * else 0.
 */
int sudo_user(uid_t *uid, gid_t *gid);

/*
 * Whether what `uid` owns (a symbolic link on the way to where we write) may be followed:
 * ours, or the sudo user's. Another user's could point root anywhere.
 */
int sudo_trusted_owner(uid_t uid);

#endif /* RBPROF_SUDO_USER_H */
