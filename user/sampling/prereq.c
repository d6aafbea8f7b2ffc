// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* prereq.c - privileges and BTF. */
#include <stdio.h>
#include <unistd.h>
#include "discover/procfs.h"
#include "sampling/prereq.h"

#define CAP_BIT(n)	   (1ULL << (n))
#define CAP_SYS_PTRACE_BIT CAP_BIT(19)
#define CAP_SYS_ADMIN_BIT  CAP_BIT(21)
#define CAP_PERFMON_BIT	   CAP_BIT(38)
#define CAP_BPF_BIT	   CAP_BIT(39)

/* Effective capability set from /proc/self/status. */
static unsigned long long effective_caps(void)
{
	unsigned long long caps = 0;
	char val[64];

	if (proc_self_status("CapEff:", val, sizeof(val)) || sscanf(val, "%llx", &caps) != 1)
		return 0;
	return caps;
}

const char *sampling_missing_prerequisite(void)
{
	unsigned long long caps = effective_caps();
	int bpf = (caps & CAP_SYS_ADMIN_BIT) || ((caps & CAP_BPF_BIT) && (caps & CAP_PERFMON_BIT));

	if (!bpf || !(caps & CAP_SYS_PTRACE_BIT))
		return "must run as root (or with CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE)";
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return "kernel BTF not found at /sys/kernel/btf/vmlinux: needs Linux >= 5.8 built "
		       "with CONFIG_DEBUG_INFO_BTF=y";
	return NULL;
}
