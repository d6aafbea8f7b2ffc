/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * event.h - a ring-buffer record of the sampler as a struct rbprof_event (bpf/rbprof.h),
 * checked against its size before anything reads its frames.
 */
#ifndef RBPROF_EVENT_H
#define RBPROF_EVENT_H

#include <stddef.h>
#include <linux/types.h>
#include "rbprof.h"

/*
 * A ring-buffer record as an event, or NULL if it is malformed (shorter than its header or
 * than the frames it claims, or more frames than the kernel sends).
 */
const struct rbprof_event *event_decode(const void *data, size_t len);

#endif /* RBPROF_EVENT_H */
