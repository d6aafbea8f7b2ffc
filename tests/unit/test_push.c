// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --push (user/push/): the request's URL and series name whatever a Ruby program names itself,
 * the base URL's checks, the credentials' forms, and the uploader against a server on loopback
 * (a thread of this test) that answers as each test scripts it: 503 then 200, a connection
 * closed mid-request, 401, a server away while the queue overflows, one that never answers.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "push/push.h"
#include "push/push_auth.h"
#include "push/push_http.h"
#include "push/push_url.h"
#include "test.h"

static const char small_url_expected[] =
    "http://h/ingest?name=n%25&from=1&until=2&format=pprof&sampleRate=3&spyName=rbprof-bpf"
    "&units=samples&aggregationType=sum";

void test_push_ingest_url(void)
{
	char buf[512];

	CHECK_EQ_INT(
	    push_ingest_url(buf, sizeof(buf), "http://h:4040//", "app{pid=1,comm=a b}", 10, 25, 99),
	    0);
	CHECK_STR(buf, "http://h:4040/ingest?name=app%7Bpid%3D1%2Ccomm%3Da%20b%7D&from=10&until=25"
		       "&format=pprof&sampleRate=99&spyName=rbprof-bpf&units=samples"
		       "&aggregationType=sum");
	/* a path prefix is kept; every byte outside the unreserved set is encoded, UTF-8 too */
	CHECK_EQ_INT(
	    push_ingest_url(buf, sizeof(buf), "https://h/pyro", "\xc3\xa9&#?%~.-_", 1, 2, 7), 0);
	CHECK_STR(buf, "https://h/pyro/ingest?name=%C3%A9%26%23%3F%25~.-_&from=1&until=2"
		       "&format=pprof&sampleRate=7&spyName=rbprof-bpf&units=samples"
		       "&aggregationType=sum");
	/* too small: "" and -ENAMETOOLONG, never a cut URL; one byte more and it fits */
	CHECK_EQ_INT(push_ingest_url(buf, sizeof(buf), "http://h", "n%", 1, 2, 3), 0);
	size_t need = strlen(buf) + 1;

	for (size_t cap = 0; cap <= need; cap++) {
		char small[256];

		memset(small, 'x', sizeof(small));
		CHECK_EQ_INT(push_ingest_url(small, cap, "http://h", "n%", 1, 2, 3),
			     cap < need ? -ENAMETOOLONG : 0);
		if (cap && cap < need)
			CHECK_STR(small, "");
	}
	CHECK_STR(buf, small_url_expected);
}

/* Whether s is a name only made of what Pyroscope cannot misread: app{k=v,k=v}. */
static int name_well_formed(const char *s)
{
	const char *brace = strchr(s, '{');

	for (const char *c = s; *c; c++) {
		if (strchr("{}=,", *c))
			continue;
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._-", *c)))
			return 0;
	}
	if (!brace)
		return !strpbrk(s, "}=,");
	if (strchr(brace + 1, '{') || s[strlen(s) - 1] != '}' ||
	    strchr(s, '}') != s + strlen(s) - 1)
		return 0;
	return 1;
}

void test_push_series_name(void)
{
	static const char *const keys[] = {"hostname", "pid", "comm", "9container id"};
	static const char *const hostile[] = {"web-1.example", "42", "ru}by{x=1,y=2\n\"",
					      "\xff\xfe"};
	static const char *const empty[] = {"", "", "", ""};
	char buf[256];

	push_series_name(buf, sizeof(buf), "my app/{1}", keys, hostile, 4);
	CHECK_STR(buf, "my_app__1_{hostname=web-1.example,pid=42,comm=ru_by_x_1_y_2__,"
		       "_container_id=__}");
	push_series_name(buf, sizeof(buf), "", keys, empty, 4);
	CHECK_STR(buf, "unknown{hostname=unknown,pid=unknown,comm=unknown,_container_id=unknown}");
	push_series_name(buf, sizeof(buf), "ruby", keys, hostile, 0);
	CHECK_STR(buf, "ruby");
	/* every room: NUL-terminated, inside it, and a name with labels is still closed */
	for (size_t cap = 1; cap < 80; cap++) {
		char small[80];

		memset(small, '#', sizeof(small));
		push_series_name(small, cap, "ru,by", keys, hostile, 4);
		CHECK(strlen(small) < cap);
		CHECK(name_well_formed(small));
		if (cap >= 8)
			CHECK(strchr(small, '{') && small[strlen(small) - 1] == '}');
	}
	push_series_name(buf, 0, "x", keys, hostile, 4); /* no room: nothing written, no crash */
}

void test_push_url_check(void)
{
	static const char *const good[] = {"http://127.0.0.1:4040", "https://pyro.example/",
					   "HTTP://h/base/path", "http://[::1]:4040"};
	static const char *const bad[] = {
	    "ftp://h",	   "127.0.0.1:4040", "http://",	    "http:///x",      "http://u:secret@h",
	    "https://u@h", "http://h/?x=1",  "http://h/#f", "http://h:99999", "",
	};
	char why[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why[0] = 0;
		CHECK_EQ_INT(push_url_check(good[i], why, sizeof(why)), 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		CHECK_EQ_INT(push_url_check(bad[i], why, sizeof(why)), -EINVAL);
		CHECK(!strncmp(why, "--push ", 7) && !strchr(why, '\n'));
		CHECK(!strstr(why, "secret")); /* a password is never shown */
	}
	push_url_masked(why, sizeof(why), "https://u:secret@h:1/p@q");
	CHECK_STR(why, "https://***@h:1/p@q");
}

void test_push_auth_forms(void)
{
	static const struct {
		const char *text;
		enum push_auth_kind kind;
		const char *secret;
	} ok[] = {
	    {"Bearer abc.def\n", PUSH_AUTH_BEARER, "abc.def"},
	    {"  bearer   tok  \r\n", PUSH_AUTH_BEARER, "tok"},
	    {"Basic user:pa ss", PUSH_AUTH_BASIC, "user:pa ss"},
	    {"user:pw\n", PUSH_AUTH_BASIC, "user:pw"},
	    {"token-only", PUSH_AUTH_BEARER, "token-only"},
	};
	static const char *const bad[] = {
	    "",	    " \n\t", "Bearer", "tok\nX-Evil: 1", "Basic nocolon",
	    "a\rb", "t\x7f", "Basic",  "bearer \t "};
	char why[256], big[PUSH_AUTH_FILE_MAX + 8];
	struct push_auth a;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_EQ_INT(
		    push_auth_parse(&a, ok[i].text, strlen(ok[i].text), "f", why, sizeof(why)), 0);
		CHECK_EQ_INT(a.kind, ok[i].kind);
		CHECK_STR(a.secret, ok[i].secret);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		CHECK_EQ_INT(push_auth_parse(&a, bad[i], strlen(bad[i]), "f", why, sizeof(why)),
			     -EINVAL);
		CHECK(!strncmp(why, "f: ", 3) && !strstr(why, "Evil"));
	}
	/* the file: read in full, too large refused before it is parsed */
	char path[] = "/tmp/rbprof-auth-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	memset(big, 'a', sizeof(big));
	CHECK_EQ_INT(write(fd, big, PUSH_AUTH_FILE_MAX), PUSH_AUTH_FILE_MAX);
	CHECK_EQ_INT(push_auth_read(&a, path, why, sizeof(why)), 0);
	CHECK_EQ_INT(a.kind, PUSH_AUTH_BEARER);
	CHECK_EQ_INT((int)strlen(a.secret), PUSH_AUTH_FILE_MAX);
	CHECK_EQ_INT(write(fd, "\n", 1), 1);
	CHECK_EQ_INT(push_auth_read(&a, path, why, sizeof(why)), -EFBIG);
	close(fd);
	unlink(path);
	CHECK(push_auth_read(&a, path, why, sizeof(why)) == -ENOENT);
	CHECK(strstr(why, path) != NULL);
	/* the environment: one of the two, a control byte refused, the file first */
	setenv("RBPROF_PUSH_TOKEN", "t1", 1);
	CHECK_EQ_INT(push_auth_read(&a, NULL, why, sizeof(why)), 0);
	CHECK(a.kind == PUSH_AUTH_BEARER && !strcmp(a.secret, "t1"));
	setenv("RBPROF_PUSH_BASIC_AUTH", "u:p", 1);
	CHECK_EQ_INT(push_auth_read(&a, NULL, why, sizeof(why)), -EINVAL);
	unsetenv("RBPROF_PUSH_TOKEN");
	CHECK_EQ_INT(push_auth_read(&a, NULL, why, sizeof(why)), 0);
	CHECK(a.kind == PUSH_AUTH_BASIC && !strcmp(a.secret, "u:p"));
	setenv("RBPROF_PUSH_BASIC_AUTH", "u:p\r\nX: y", 1);
	CHECK_EQ_INT(push_auth_read(&a, NULL, why, sizeof(why)), -EINVAL);
	unsetenv("RBPROF_PUSH_BASIC_AUTH");
	CHECK_EQ_INT(push_auth_read(&a, NULL, why, sizeof(why)), 0);
	CHECK_EQ_INT(a.kind, PUSH_AUTH_NONE);
	push_auth_wipe(&a);
	CHECK_EQ_INT(a.secret[0], 0);
}

/* The uploader's counts: submitted, sent, retried, dropped, rejected. */
#define CHECK_STATS(st, submitted_, sent_, retried_, dropped_, rejected_)                          \
	do {                                                                                       \
		CHECK_EQ_INT((st).submitted, submitted_);                                          \
		CHECK_EQ_INT((st).sent, sent_);                                                    \
		CHECK_EQ_INT((st).retried, retried_);                                              \
		CHECK_EQ_INT((st).dropped, dropped_);                                              \
		CHECK_EQ_INT((st).rejected, rejected_);                                            \
	} while (0)

/* The loopback server: what it does with each request, in order; the last one repeats. */
enum reply { R_200, R_503, R_401, R_CLOSE, R_HANG };

#define SRV_MAX_REQ 16

struct server {
	int fd, port;
	int listening; /* 0: bound, not listening (connections refused) */
	enum reply script[8];
	int nscript;
	pthread_t thread;
	pthread_mutex_t lock;
	int stop;
	int nreq; /* requests read in full */
	char target[SRV_MAX_REQ][256];
	char auth[SRV_MAX_REQ][128];
	size_t body_len[SRV_MAX_REQ];
	char body[SRV_MAX_REQ][16];
};

/* A field of s that both threads touch, read under its lock. */
static int srv_get(struct server *s, const int *field)
{
	int v;

	pthread_mutex_lock(&s->lock);
	v = *field;
	pthread_mutex_unlock(&s->lock);
	return v;
}

static int srv_stopping(struct server *s)
{
	return srv_get(s, &s->stop);
}

/* More of the request on c after the len bytes in buf (NUL-terminated): the new length, or -1. */
static ssize_t srv_more(int c, char *buf, size_t len, size_t cap)
{
	struct pollfd pfd = {c, POLLIN, 0};
	ssize_t got;

	if (len + 1 >= cap || poll(&pfd, 1, 5000) <= 0)
		return -1;
	got = read(c, buf + len, cap - 1 - len);
	if (got <= 0)
		return -1;
	buf[len + got] = 0;
	return len + got;
}

/* Read one request on c into slot n: 0, or -1 if the peer went away or took too long. */
static int srv_read(struct server *s, int c, int n)
{
	char buf[8192], *end = NULL, *cl, *au;
	size_t want;
	ssize_t len = 0;

	buf[0] = 0;
	while (!(end = strstr(buf, "\r\n\r\n")))
		if ((len = srv_more(c, buf, len, sizeof(buf))) < 0)
			return -1;
	cl = strcasestr(buf, "\r\nContent-Length:");
	want = (end - buf) + 4 + (cl ? strtoul(cl + 17, NULL, 10) : 0);
	while ((size_t)len < want && (size_t)len < sizeof(buf) - 1)
		if ((len = srv_more(c, buf, len, sizeof(buf))) < 0)
			return -1;
	if (n >= SRV_MAX_REQ)
		return 0;
	pthread_mutex_lock(&s->lock);
	sscanf(buf, "POST %255s", s->target[n]);
	au = strcasestr(buf, "\r\nAuthorization: ");
	if (au)
		sscanf(au + 17, "%127[^\r]", s->auth[n]);
	s->body_len[n] = want - ((end - buf) + 4);
	memcpy(s->body[n], end + 4, s->body_len[n] < 15 ? s->body_len[n] : 15);
	s->nreq = n + 1;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static void srv_answer(struct server *s, int c, enum reply r)
{
	static const char *const text[] = {
	    [R_200] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
	    [R_503] = "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	    [R_401] = "HTTP/1.1 401 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	};

	if (r == R_HANG) {
		while (!srv_stopping(s))
			usleep(10000);
		return;
	}
	if (r != R_CLOSE && write(c, text[r], strlen(text[r])) < 0)
		return;
}

static void *srv_main(void *arg)
{
	struct server *s = arg;
	struct pollfd pfd = {s->fd, POLLIN, 0};
	int n = 0;

	while (!srv_stopping(s)) {
		int c;

		if (poll(&pfd, 1, 20) <= 0)
			continue;
		c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		if (!srv_read(s, c, n)) {
			srv_answer(s, c, s->script[n < s->nscript ? n : s->nscript - 1]);
			n++;
		}
		close(c);
	}
	return NULL;
}

/* A server on 127.0.0.1, bound to a free port; listening now or (listen 0) once srv_listen. */
static int srv_start(struct server *s, int listen_now, const enum reply *script, int nscript)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);

	memset(s, 0, sizeof(*s));
	memcpy(s->script, script, nscript * sizeof(*script));
	s->nscript = nscript;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen))
		return -1;
	s->port = ntohs(a.sin_port);
	if (listen_now && listen(s->fd, 16))
		return -1;
	s->listening = listen_now;
	return pthread_create(&s->thread, NULL, srv_main, s) ? -1 : 0;
}

static void srv_stop(struct server *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
}

static int srv_requests(struct server *s)
{
	return srv_get(s, &s->nreq);
}

/* Wait (at most timeout_ms) for the uploader's stats to say `sent + rejected` reached n. */
static void wait_settled(struct push *p, __u64 n, int timeout_ms)
{
	struct push_stats st;
	__u64 until = push_now_ms() + timeout_ms;

	do {
		push_get_stats(p, &st);
		if (st.sent + st.rejected >= n)
			return;
		usleep(10000);
	} while (push_now_ms() < until);
}

static void *body_of(const char *text)
{
	return strdup(text);
}

static int open_to(struct push **p, struct server *s)
{
	char url[64], why[256];
	int err;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", s->port);
	err = push_open(p, url, NULL, NULL, why, sizeof(why));
	if (err)
		fprintf(stderr, "  push_open: %s\n", why);
	else
		push_set_backoff_ms(*p, 20, 100);
	return err;
}

/* The server (as srv_start) and an uploader to it; -1, counted failed, if either fails. */
static int start_both(struct server *s, struct push **p, int listen_now, const enum reply *script,
		      int nscript)
{
	if (srv_start(s, listen_now, script, nscript)) {
		fprintf(stderr, "  the loopback server would not start\n");
		test_failed_checks++;
		return -1;
	}
	if (open_to(p, s)) {
		srv_stop(s);
		test_failed_checks++;
		return -1;
	}
	return 0;
}

/* start_both with the credentials variable `var` set to `value` while the uploader reads it. */
static int start_with_env(struct server *s, struct push **p, const enum reply *script, int nscript,
			  const char *var, const char *value)
{
	int err;

	setenv(var, value, 1);
	err = start_both(s, p, 1, script, nscript);
	unsetenv(var);
	return err;
}

/* 503, then a connection closed before the answer, then 200: retried, then sent, in order. */
void test_push_retry_then_sent(void)
{
	static const enum reply script[] = {R_503, R_CLOSE, R_200};
	struct push_stats st;
	struct server s;
	struct push *p;

	if (start_with_env(&s, &p, script, 3, "RBPROF_PUSH_TOKEN", "s3cret"))
		return;
	CHECK_EQ_INT(push_submit(p, "app{pid=7}", 100, 115, 99, body_of("first"), 5), 0);
	CHECK_EQ_INT(push_submit(p, "app{pid=7}", 115, 130, 99, body_of("second"), 6), 0);
	wait_settled(p, 2, 5000);
	push_close(p, 1000, &st);
	CHECK_STATS(st, 2, 2, 2, 0, 0);
	CHECK_EQ_INT(srv_requests(&s), 4);
	/* the same profile three times (503, closed, 200), then the next one */
	CHECK_STR(s.body[0], "first");
	CHECK_STR(s.body[2], "first");
	CHECK_STR(s.body[3], "second");
	CHECK_STR(s.target[3], "/ingest?name=app%7Bpid%3D7%7D&from=115&until=130&format=pprof"
			       "&sampleRate=99&spyName=rbprof-bpf&units=samples"
			       "&aggregationType=sum");
	CHECK_STR(s.auth[3], "Bearer s3cret");
	srv_stop(&s);
}

/* Basic credentials (RBPROF_PUSH_BASIC_AUTH) go as HTTP basic authentication. */
void test_push_basic_auth(void)
{
	static const enum reply script[] = {R_200};
	struct push_stats st;
	struct server s;
	struct push *p;

	if (start_with_env(&s, &p, script, 1, "RBPROF_PUSH_BASIC_AUTH", "u:p@ss"))
		return;
	push_submit(p, "a", 1, 2, 99, body_of("one"), 3);
	wait_settled(p, 1, 5000);
	push_close(p, 1000, &st);
	CHECK_STATS(st, 1, 1, 0, 0, 0);
	CHECK_STR(s.auth[0], "Basic dTpwQHNz"); /* base64 of u:p@ss */
	srv_stop(&s);
}

/* 401: counted refused, never tried again; the next profile is still sent. */
void test_push_refused_not_retried(void)
{
	static const enum reply script[] = {R_401, R_200};
	struct push_stats st;
	struct server s;
	struct push *p;

	if (start_both(&s, &p, 1, script, 2))
		return;
	push_submit(p, "a", 1, 2, 99, body_of("one"), 3);
	push_submit(p, "a", 2, 3, 99, body_of("two"), 3);
	wait_settled(p, 2, 5000);
	push_close(p, 1000, &st);
	CHECK_STATS(st, 2, 1, 0, 0, 1);
	CHECK_EQ_INT(srv_requests(&s), 2);
	CHECK_STR(s.body[1], "two");
	CHECK_STR(s.auth[0], ""); /* no credentials given, none sent */
	srv_stop(&s);
}

/*
 * The server refuses connections while five profiles come for a queue of three: the two oldest
 * are dropped; once it listens, the three newest arrive, oldest first.
 */
void test_push_queue_drops_oldest(void)
{
	static const enum reply script[] = {R_200};
	struct push_stats st;
	struct server s;
	struct push *p;
	char name[16];

	if (start_both(&s, &p, 0, script, 1))
		return;
	push_set_queue_limits(p, 3, 1 << 20);
	for (int i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		push_submit(p, name, i, i + 1, 99, body_of(name), 2);
		usleep(30000); /* a try or two fails meanwhile */
	}
	push_get_stats(p, &st);
	CHECK_STATS(st, 5, 0, st.retried, 2, 0);
	CHECK(st.retried >= 1);
	CHECK_EQ_INT(listen(s.fd, 16), 0);
	wait_settled(p, 3, 5000);
	push_close(p, 1000, &st);
	CHECK_STATS(st, 5, 3, st.retried, 2, 0);
	CHECK_EQ_INT(srv_requests(&s), 3);
	CHECK_STR(s.body[0], "p3");
	CHECK_STR(s.body[1], "p4");
	CHECK_STR(s.body[2], "p5");
	srv_stop(&s);
}

/*
 * A server that accepts and never answers: push_close gives up at its deadline (the request
 * under way aborted), counts what was left as dropped, and returns.
 */
void test_push_close_deadline(void)
{
	static const enum reply script[] = {R_HANG};
	struct push_stats st;
	struct server s;
	struct push *p;
	__u64 t0;

	if (start_both(&s, &p, 1, script, 1))
		return;
	push_submit(p, "a", 1, 2, 99, body_of("stuck"), 5);
	push_submit(p, "a", 2, 3, 99, body_of("behind"), 6);
	for (int i = 0; i < 300 && srv_requests(&s) < 1; i++)
		usleep(10000);
	CHECK_EQ_INT(srv_requests(&s), 1);
	t0 = push_now_ms();
	push_close(p, 300, &st);
	/* curl calls its progress callback at least once a second */
	CHECK(push_now_ms() - t0 < 2500);
	CHECK_STATS(st, 2, 0, 0, 2, 0);
	srv_stop(&s);
}

/* A profile over the byte budget is dropped at once; one within it still goes. */
void test_push_oversized_dropped(void)
{
	static const enum reply script[] = {R_200};
	struct push_stats st;
	struct server s;
	struct push *p;

	if (start_both(&s, &p, 1, script, 1))
		return;
	push_set_queue_limits(p, 8, 4);
	push_submit(p, "a", 1, 2, 99, body_of("toolarge"), 8);
	push_submit(p, "a", 2, 3, 99, body_of("ok"), 2);
	wait_settled(p, 1, 5000);
	push_close(p, 1000, &st);
	CHECK_STATS(st, 2, 1, 0, 1, 0);
	CHECK_STR(s.body[0], "ok");
	srv_stop(&s);
}
