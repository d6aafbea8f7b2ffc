/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * push_tell.h - what --push says on stderr, from the sender thread: how each request ended
 * (sent, to retry, refused), and the few lines the user sees of it: the first time the server
 * cannot be reached, the first time it answers again, each distinct refusing status once.
 */
#ifndef RBPROF_PUSH_TELL_H
#define RBPROF_PUSH_TELL_H

#include <stddef.h>
#include <linux/types.h>
#include "push/push_http.h"

enum push_outcome {
	PUSH_SENT,    /* 2xx */
	PUSH_RETRY,   /* no answer, or 5xx, 408, 429: the server may take it later */
	PUSH_REFUSED, /* any other status: it never will */
	PUSH_ABORTED, /* cut short by push_close's deadline */
};

/* What the sender thread has said so far (only it touches this). */
struct push_told {
	int outage;	       /* the server is away now */
	int told_outage;       /* its first outage was told */
	int told_back;	       /* its first return was told */
	__u64 told_status[10]; /* bit s: HTTP status s (< 640) was told */
};

enum push_outcome push_outcome_of(const struct push_reply *r);

/* Say what this request's end calls for: `url` shown, `queued` profiles still waiting. */
void push_tell(struct push_told *t, const char *url, enum push_outcome o,
	       const struct push_reply *r, size_t queued);

#endif /* RBPROF_PUSH_TELL_H */
