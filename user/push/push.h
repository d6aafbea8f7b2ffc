/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * push.h - --push: continuous upload of profiles to a Pyroscope-compatible server (POST
 * BASE/ingest, format=pprof). The profiler hands each finished profile to push_submit, which
 * only queues it; a thread of its own sends the queue in order through libcurl, retrying with
 * a backoff while the server is away, so that profiling never waits on the network. The queue
 * is bounded (PUSH_QUEUE_MAX profiles, PUSH_QUEUE_BYTES bytes): when full, the oldest profile
 * is dropped. Messages: one line the first time the server cannot be reached, one when it
 * answers again, one for each distinct HTTP status that refuses a profile; never one per try.
 *
 * Credentials never come from the command line (a URL with user:password@ is refused):
 * - --push-auth-file FILE (wins over the environment): at most 4 KiB, one line, white space
 *   around it ignored:
 *     "Bearer TOKEN"         -> Authorization: Bearer TOKEN
 *     "Basic USER:PASSWORD"  -> HTTP basic authentication
 *     "USER:PASSWORD"        -> the same (a bare line with a ':')
 *     "TOKEN"                -> bearer (a bare line without a ':')
 * - else RBPROF_PUSH_TOKEN=TOKEN (bearer) or RBPROF_PUSH_BASIC_AUTH=USER:PASSWORD (basic);
 *   both set is an error.
 * Without either, requests carry no credentials.
 * A control character (CR, LF, ...) in a credential is refused: it could end the header and
 * start another. No message ever shows a credential.
 */
#ifndef RBPROF_PUSH_H
#define RBPROF_PUSH_H

#include <stddef.h>
#include <linux/types.h>

/*
 * At most this many profiles wait: every process is a series of its own, each giving one
 * profile an interval, so the count is the guard for many small profiles (1024 is 64 series
 * through a 4-minute outage at a 15 s interval) and the byte budget below the one that
 * usually binds.
 */
#define PUSH_QUEUE_MAX 1024
/*
 * At most this many bytes of profiles wait: a gzipped pprof of a busy process is some 100 KiB,
 * so 64 MiB is some 4 minutes of 40 such series at a 15 s interval, and a bound on what an
 * outage costs in memory on a host the profiler shares with its workload.
 */
#define PUSH_QUEUE_BYTES (64u << 20)
/* The first retry waits 1 s: a server restarting or a load balancer's hiccup is back by then. */
#define PUSH_BACKOFF_FIRST_MS 1000
/*
 * Each failure doubles the wait up to 30 s (and a Retry-After is honoured up to that): under
 * one profile interval or two, so a server back from an outage gets the queue soon.
 */
#define PUSH_BACKOFF_MAX_MS 30000

struct push_stats {
	__u64 submitted; /* profiles handed to push_submit */
	__u64 sent;	 /* answered 2xx */
	__u64 retried;	 /* attempts that failed and were tried again later (timeouts, refused
			  * connections, 5xx, 429, 408) */
	__u64 dropped;	 /* never sent: pushed out of a full queue (oldest first), or still
			  * queued when push_close's deadline passed */
	__u64 rejected;	 /* answered 4xx other than 408/429 (or 3xx): not retried */
};

struct push; /* opaque */

/*
 * Validate url (http:// or https:// only, a host; no user:password@ in it: credentials never
 * on the command line; no ?query or #fragment), read the credentials (auth_file may be NULL),
 * set up curl (ca_file, if not NULL: the CA certificates, PEM, that an https server's chain
 * must lead to instead of the system's: a private CA), start the sender thread. 0, or -errno /
 * -EINVAL with ONE human sentence in why (e.g. "--push ftp://x: not an http:// or https:// URL").
 */
int push_open(struct push **out, const char *url, const char *auth_file, const char *ca_file,
	      char *why, size_t why_cap);

/*
 * Queue one profile for upload; takes ownership of body (malloc'd, len bytes: a gzipped
 * pprof). name is the series name with its labels, unescaped, e.g.
 * "ruby{hostname=h1,pid=42,comm=ruby}" (copied; push_series_name builds one). from_s, until_s:
 * unix seconds. sample_rate: samples per second. Never blocks on the network: if the queue is
 * full, the OLDEST queued profile is dropped (counted) to make room. 0 or -ENOMEM (body freed
 * either way).
 */
int push_submit(struct push *p, const char *name, __u64 from_s, __u64 until_s, int sample_rate,
		void *body, size_t len);

/* Stats so far (thread-safe). */
void push_get_stats(struct push *p, struct push_stats *st);

/*
 * Stop: keep sending what is queued for at most flush_ms (no retry whose backoff ends past
 * the deadline; a request still under way at the deadline is aborted), then stop the thread;
 * what is left is counted dropped. Frees everything. p NULL is fine; final_stats may be NULL.
 */
void push_close(struct push *p, int flush_ms, struct push_stats *final_stats);

/*
 * For tests: the first retry's wait and the longest (default PUSH_BACKOFF_FIRST_MS,
 * PUSH_BACKOFF_MAX_MS), and the queue's limits (default PUSH_QUEUE_MAX, PUSH_QUEUE_BYTES).
 */
void push_set_backoff_ms(struct push *p, int first_ms, int max_ms);
void push_set_queue_limits(struct push *p, int max_profiles, size_t max_bytes);

/*
 * The request's URL: BASE/ingest?name=NAME&from=T0&until=T1&format=pprof&sampleRate=F&
 * spyName=rbprof-bpf&units=samples&aggregationType=sum, BASE being base without its trailing
 * '/'s (a path prefix is kept), NAME percent-encoded (every byte outside A-Za-z0-9-._~).
 * 0, or -ENAMETOOLONG if it does not fit in cap (buf then holds "").
 */
int push_ingest_url(char *buf, size_t cap, const char *base, const char *name, __u64 from,
		    __u64 until, int rate);

/*
 * A series name "app{k1=v1,k2=v2}" that nothing a Ruby program names itself can break: in app
 * and in every value each byte outside [A-Za-z0-9._-] becomes '_', in keys each byte outside
 * [A-Za-z0-9_] (and a leading digit) becomes '_' (Pyroscope splits names on '{', '}', ',',
 * '='; label names are Prometheus's); an empty one is "unknown". Cut to fit cap, the labels
 * last, always NUL-terminated and closed with '}' if cap leaves room for "{}".
 */
void push_series_name(char *buf, size_t cap, const char *app, const char *const *keys,
		      const char *const *values, int n);

#endif /* RBPROF_PUSH_H */
