// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A container's id from the cgroup paths of the runtimes, v1 and v2; and none where none is. */
#include <errno.h>
#include <string.h>
#include "discover/container.h"
#include "test.h"

#define ID "3f2a9c1b7d10e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3"

void test_container_ids(void)
{
	static const char *const with[] = {
	    "12:pids:/docker/" ID "\n11:memory:/docker/" ID "\n", /* docker, cgroupfs, v1 */
	    "0::/system.slice/docker-" ID ".scope\n",		  /* docker, systemd, v2 */
	    "0::/machine.slice/libpod-" ID ".scope/container\n",  /* podman */
	    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_4e5f_6a7b_"
	    "8c9d_0e1f2a3b4c5d.slice/cri-containerd-" ID ".scope\n", /* containerd */
	    "0::/kubepods.slice/kubepods-besteffort.slice/x.slice/crio-" ID ".scope\n", /* CRI-O */
	    "4:cpu:/kubepods/burstable/pod0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/" ID "\n",
	};
	static const char *const without[] = {
	    "0::/\n",
	    "0::/user.slice/user-1000.slice/session-2.scope\n",
	    "4:memory:/process_api/eeff338831ae738dd899796893e502ce\n", /* 32 hex: no container */
	    "0::/docker/" ID "0\n",					/* 65 hex */
	    "0::/x" ID "\n",						/* not a whole component */
	};
	char id[CONTAINER_ID_LEN + 1];
	size_t i;

	for (i = 0; i < sizeof(with) / sizeof(with[0]); i++) {
		memset(id, 0, sizeof(id));
		CHECK_EQ_INT(container_id_in(with[i], id), 0);
		CHECK_STR(id, ID);
	}
	for (i = 0; i < sizeof(without) / sizeof(without[0]); i++)
		CHECK_EQ_INT(container_id_in(without[i], id), -ENOENT);
	/* upper case, as some runtimes' tools print it: docker's own form */
	CHECK_EQ_INT(
	    container_id_in(
		"0::/docker/3F2A9C1B7D10E4F5A6B7C8D9E0F1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3\n",
		id),
	    0);
	CHECK_STR(id, ID);
}
