/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * container.h - the container a process runs in, as its cgroup path names it: docker and
 * podman (".../docker/ID", "docker-ID.scope", "libpod-ID.scope"), containerd and CRI-O under
 * kubepods ("cri-containerd-ID.scope", "crio-ID.scope", ".../kubepods/.../ID"), in the cgroup
 * v1 and v2 forms; and the pid the process has in its own pid namespace (NSpid).
 */
#ifndef RBPROF_CONTAINER_H
#define RBPROF_CONTAINER_H

#include <sys/types.h>

/* A container id: 64 hex digits; shown short, as docker ps does, by its first 12. */
#define CONTAINER_ID_LEN   64
#define CONTAINER_SHORT_ID 12

/*
 * The container id in one /proc/PID/cgroup text: the last run of exactly 64 hex digits that
 * a path component holds whole or between '-' and ".scope" (docker-ID.scope). 0 and id set,
 * or -ENOENT.
 */
int container_id_in(const char *cgroup_text, char id[CONTAINER_ID_LEN + 1]);

/* Read pid's container id (-ENOENT: none) and its pid in its innermost namespace (*ns_pid,
 * 0 if it has none but the host's). 0 or -errno. */
int container_of(pid_t pid, char id[CONTAINER_ID_LEN + 1], pid_t *ns_pid);

#endif /* RBPROF_CONTAINER_H */
