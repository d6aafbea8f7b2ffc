// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * push.c - --push's queue and its sender thread: push_submit appends under a mutex and wakes
 * the thread; the thread sends the head of the queue, puts it back at the head to retry after
 * a backoff, or lets it go. The mutex is never held across a request.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "push/curl_lib.h"
#include "push/push.h"
#include "push/push_auth.h"
#include "push/push_http.h"
#include "push/push_tell.h"
#include "push/push_url.h"

/*
 * A request URL's room beyond the base and the encoded name: "/ingest?name=" and the fixed
 * parameters with two 20-digit times and an int come to 156 bytes.
 */
#define PUSH_URL_EXTRA 256

struct push_item {
	struct push_item *next;
	void *body;
	size_t len;
	char url[]; /* the whole request URL */
};

struct push {
	pthread_mutex_t lock; /* guards everything below up to `http` */
	pthread_cond_t wake;  /* a profile queued, or push_close */
	struct push_item *head, *tail;
	size_t count, bytes;	     /* what is queued */
	size_t max_count, max_bytes; /* the queue's limits */
	int backoff_first_ms, backoff_max_ms;
	int backoff_ms;	   /* the last wait; 0 after a success */
	__u64 next_try_ms; /* no request before this (monotonic ms) */
	int stopping;	   /* push_close was called */
	__u64 deadline_ms; /* and must be done by then (atomic: read by curl's callback) */
	struct push_stats st;
	/* the sender thread's own */
	struct push_http http;
	struct push_told told;
	pthread_t thread;
	int thread_started, curl_started;
	char base[]; /* --push URL */
};

/* A profile let go: its body and itself. */
static void item_free(struct push_item *it)
{
	free(it->body);
	free(it);
}

static struct push_item *queue_pop(struct push *p)
{
	struct push_item *it = p->head;

	p->head = it->next;
	if (!p->head)
		p->tail = NULL;
	p->count--;
	p->bytes -= it->len;
	it->next = NULL;
	return it;
}

static void queue_push_head(struct push *p, struct push_item *it)
{
	it->next = p->head;
	p->head = it;
	if (!p->tail)
		p->tail = it;
	p->count++;
	p->bytes += it->len;
}

static void queue_push_tail(struct push *p, struct push_item *it)
{
	it->next = NULL;
	if (p->tail)
		p->tail->next = it;
	else
		p->head = it;
	p->tail = it;
	p->count++;
	p->bytes += it->len;
}

/* Whether a profile of len bytes fits beside what is queued. */
static int queue_has_room(const struct push *p, size_t len)
{
	return p->count < p->max_count && p->bytes + len <= p->max_bytes;
}

/* Drop everything queued (counted dropped). */
static void queue_drop_all(struct push *p)
{
	while (p->head) {
		item_free(queue_pop(p));
		p->st.dropped++;
	}
}

/* Wait until `at_ms` (monotonic) or a wake-up. */
static void wait_until(struct push *p, __u64 at_ms)
{
	struct timespec ts = {(time_t)(at_ms / 1000), (long)(at_ms % 1000) * 1000000};

	pthread_cond_timedwait(&p->wake, &p->lock, &ts);
}

/*
 * The next profile to send, taken out of the queue; NULL once push_close's deadline came, or
 * its queue emptied, or the next retry would start past the deadline (the rest then dropped).
 */
static struct push_item *next_item(struct push *p)
{
	__u64 now, deadline;

	for (;;) {
		now = push_now_ms();
		deadline = __atomic_load_n(&p->deadline_ms, __ATOMIC_ACQUIRE);
		if (p->stopping && (!p->head || now >= deadline || p->next_try_ms >= deadline)) {
			queue_drop_all(p);
			return NULL;
		}
		if (!p->head)
			pthread_cond_wait(&p->wake, &p->lock);
		else if (now < p->next_try_ms)
			wait_until(p, p->next_try_ms);
		else
			return queue_pop(p);
	}
}

/* After a failed try: the wait before the next, doubled each time, or the server's own. */
static void back_off(struct push *p, const struct push_reply *r)
{
	long wait;

	p->backoff_ms = p->backoff_ms ? 2 * p->backoff_ms : p->backoff_first_ms;
	if (p->backoff_ms > p->backoff_max_ms)
		p->backoff_ms = p->backoff_max_ms;
	wait = p->backoff_ms;
	if (r->retry_after_s > 0)
		wait = r->retry_after_s > p->backoff_max_ms / 1000 ? p->backoff_max_ms
								   : r->retry_after_s * 1000;
	p->next_try_ms = push_now_ms() + wait;
}

/* Account for how the request of `it` ended; it goes back at the head to be tried again. */
static void settle(struct push *p, struct push_item *it, enum push_outcome o,
		   const struct push_reply *r)
{
	__u64 deadline = __atomic_load_n(&p->deadline_ms, __ATOMIC_ACQUIRE);

	if (o == PUSH_SENT || o == PUSH_REFUSED) {
		if (o == PUSH_SENT)
			p->st.sent++;
		else
			p->st.rejected++;
		p->backoff_ms = 0;
		p->next_try_ms = 0;
		item_free(it);
		return;
	}
	if (o == PUSH_RETRY)
		back_off(p, r);
	/* the oldest profile: if the queue filled meanwhile, it is the one that goes */
	if (!queue_has_room(p, it->len)) {
		p->st.dropped++;
		item_free(it);
		return;
	}
	queue_push_head(p, it);
	if (o == PUSH_RETRY && !(p->stopping && p->next_try_ms >= deadline))
		p->st.retried++;
}

/* While stopping: the time left until the deadline, at least 1 ms. */
static long request_budget_ms(struct push *p)
{
	__u64 deadline = __atomic_load_n(&p->deadline_ms, __ATOMIC_ACQUIRE), now = push_now_ms();

	return deadline > now ? (long)(deadline - now) : 1;
}

static void *sender(void *arg)
{
	struct push *p = arg;
	enum push_outcome o;
	struct push_item *it;
	struct push_reply r;
	long budget_ms;
	size_t queued;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		it = next_item(p);
		/* while stopping, a request may take what is left until the deadline; else all */
		budget_ms = p->stopping ? request_budget_ms(p) : 0;
		pthread_mutex_unlock(&p->lock);
		if (!it)
			break;
		push_http_post(&p->http, it->url, it->body, it->len, budget_ms, &r);
		o = push_outcome_of(&r);
		pthread_mutex_lock(&p->lock);
		settle(p, it, o, &r);
		queued = p->count;
		pthread_mutex_unlock(&p->lock);
		push_tell(&p->told, p->base, o, &r, queued);
	}
	return NULL;
}

/* Everything push_open set up, in reverse; the thread is stopped already. */
static void push_free(struct push *p)
{
	queue_drop_all(p);
	push_http_close(&p->http);
	if (p->curl_started)
		cu.global_cleanup();
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* The lock and the condition variable, which waits by the monotonic clock. */
static int init_sync(struct push *p)
{
	pthread_condattr_t attr;
	int err;

	err = pthread_mutex_init(&p->lock, NULL);
	if (err)
		return -err;
	err = pthread_condattr_init(&attr);
	if (!err) {
		err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		if (!err)
			err = pthread_cond_init(&p->wake, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (err)
		pthread_mutex_destroy(&p->lock);
	return -err;
}

int push_open(struct push **out, const char *url, const char *auth_file, const char *ca_file,
	      char *why, size_t why_cap)
{
	struct push_auth auth;
	struct push *p;
	int err;

	*out = NULL;
	err = push_url_check(url, why, why_cap);
	if (err)
		return err;
	p = calloc(1, sizeof(*p) + strlen(url) + 1);
	if (!p || init_sync(p)) {
		free(p);
		snprintf(why, why_cap, "--push: out of memory");
		return -ENOMEM;
	}
	strcpy(p->base, url);
	p->max_count = PUSH_QUEUE_MAX;
	p->max_bytes = PUSH_QUEUE_BYTES;
	p->backoff_first_ms = PUSH_BACKOFF_FIRST_MS;
	p->backoff_max_ms = PUSH_BACKOFF_MAX_MS;

	err = push_auth_read(&auth, auth_file, why, why_cap);
	if (err)
		goto cleanup;
	if (cu.global_init(CURL_GLOBAL_DEFAULT)) {
		err = -ENOMEM;
		snprintf(why, why_cap, "--push: libcurl would not start");
		goto cleanup;
	}
	p->curl_started = 1;
	if (ca_file && access(ca_file, R_OK)) {
		err = -errno;
		snprintf(why, why_cap, "--push-ca-file %s: %s", ca_file, strerror(-err));
		goto cleanup;
	}
	err = push_http_open(&p->http, &auth, ca_file, &p->deadline_ms, why, why_cap);
	if (err)
		goto cleanup;
	err = -pthread_create(&p->thread, NULL, sender, p);
	if (err) {
		snprintf(why, why_cap, "--push: cannot start its thread: %s", strerror(-err));
		goto cleanup;
	}
	p->thread_started = 1;
	*out = p;
cleanup:
	push_auth_wipe(&auth);
	if (err)
		push_free(p);
	return err;
}

int push_submit(struct push *p, const char *name, __u64 from_s, __u64 until_s, int sample_rate,
		void *body, size_t len)
{
	size_t url_cap = strlen(p->base) + 3 * strlen(name) + PUSH_URL_EXTRA;
	struct push_item *it = malloc(sizeof(*it) + url_cap);

	if (!it) {
		free(body);
		return -ENOMEM;
	}
	/* url_cap is enough by construction: an encoded byte is at most 3 */
	push_ingest_url(it->url, url_cap, p->base, name, from_s, until_s, sample_rate);
	it->body = body;
	it->len = len;

	pthread_mutex_lock(&p->lock);
	p->st.submitted++;
	while (p->head && !queue_has_room(p, len)) {
		item_free(queue_pop(p));
		p->st.dropped++;
	}
	if (queue_has_room(p, len)) {
		queue_push_tail(p, it);
		pthread_cond_signal(&p->wake);
	} else {
		/* larger than the whole budget: never queued */
		item_free(it);
		p->st.dropped++;
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void push_get_stats(struct push *p, struct push_stats *st)
{
	pthread_mutex_lock(&p->lock);
	*st = p->st;
	pthread_mutex_unlock(&p->lock);
}

void push_close(struct push *p, int flush_ms, struct push_stats *final_stats)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	/* never 0, which says "no deadline" to the request under way */
	__atomic_store_n(&p->deadline_ms, push_now_ms() + (flush_ms > 0 ? flush_ms : 0) + 1,
			 __ATOMIC_RELEASE);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (p->thread_started)
		pthread_join(p->thread, NULL);
	if (final_stats)
		*final_stats = p->st;
	push_free(p);
}

void push_set_backoff_ms(struct push *p, int first_ms, int max_ms)
{
	pthread_mutex_lock(&p->lock);
	p->backoff_first_ms = first_ms > 0 ? first_ms : 1;
	p->backoff_max_ms = max_ms > p->backoff_first_ms ? max_ms : p->backoff_first_ms;
	pthread_mutex_unlock(&p->lock);
}

void push_set_queue_limits(struct push *p, int max_profiles, size_t max_bytes)
{
	pthread_mutex_lock(&p->lock);
	p->max_count = max_profiles > 0 ? (size_t)max_profiles : 1;
	p->max_bytes = max_bytes;
	pthread_mutex_unlock(&p->lock);
}
