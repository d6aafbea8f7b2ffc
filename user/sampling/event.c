// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* event.c - ring-buffer records as events. */
#include "sampling/event.h"

const struct rbprof_event *event_decode(const void *data, size_t len)
{
	const struct rbprof_event *ev = data;

	if (len < RBPROF_EVENT_HDR_SIZE || ev->nframes > RBPROF_MAX_FRAMES ||
	    len < RBPROF_EVENT_HDR_SIZE + ev->nframes * sizeof(struct rbprof_frame))
		return NULL;
	return ev;
}
