/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * clock.h - the monotonic clock the session and the probe time themselves with, and the
 * wall clock a profile is dated by.
 */
#ifndef RBPROF_CLOCK_H
#define RBPROF_CLOCK_H

#include <time.h>
#include <linux/types.h>

static inline __u64 clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000 + (__u64)ts.tv_nsec;
}

/* CLOCK_REALTIME in ns since the epoch: when a profile was taken (pprof's time_nanos). */
static inline __u64 clock_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000 + (__u64)ts.tv_nsec;
}

#endif /* RBPROF_CLOCK_H */
