// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pprof writer: its output of the hand-built profile (writer_fixture.h) inflated and its
 * protobuf walked field by field here, as pprof reads it: the string table, the value types,
 * each sample's locations leaf first down to its process, its values and labels, the
 * functions and locations shared by frames that read alike, and the names cleaned.
 */
#include <stdlib.h>
#include <zlib.h>
#include "test.h"
#include "writer_fixture.h"

/* Bounds of what the fixture's profile holds, with room to spare. */
#define MAX_ITEMS  64
#define MAX_LOCS   8
#define MAX_LABELS 8

/* A protobuf message being read. */
struct pb {
	const unsigned char *p, *end;
	int bad;
};

struct dec_label {
	__u64 key, str, num;
};

struct dec_sample {
	__u64 loc[MAX_LOCS], val[2];
	struct dec_label label[MAX_LABELS];
	int nloc, nval, nlabel;
};

struct decoded {
	char *str[MAX_ITEMS];
	struct dec_sample sample[MAX_ITEMS];
	__u64 loc[MAX_ITEMS][3];  /* id, function id, line */
	__u64 func[MAX_ITEMS][4]; /* id, name, system_name, filename */
	__u64 type[4][2], period_type[2];
	__u64 period, time, duration, comment, dflt;
	int nstr, nsample, nloc, nfunc, ntype, nlines_bad;
};

static __u64 pb_varint(struct pb *b)
{
	__u64 v = 0;
	int shift;

	for (shift = 0; shift < 64 && b->p < b->end; shift += 7) {
		unsigned char c = *b->p++;

		v |= (__u64)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
	}
	b->bad = 1;
	return 0;
}

/*
 * The next field: its number, and its value (varint) or its bytes (*sub). 0 at the end or on
 * anything but the two wire types the writer uses.
 */
static int pb_next(struct pb *b, int *field, __u64 *v, struct pb *sub)
{
	__u64 key, n;

	if (b->bad || b->p >= b->end)
		return 0;
	key = pb_varint(b);
	*field = (int)(key >> 3);
	if ((key & 7) == 0) {
		*v = pb_varint(b);
		return !b->bad;
	}
	n = pb_varint(b);
	if ((key & 7) != 2 || b->bad || n > (__u64)(b->end - b->p)) {
		b->bad = 1;
		return 0;
	}
	*sub = (struct pb){.p = b->p, .end = b->p + n};
	b->p += n;
	return 1;
}

/* Packed varints into out[*n]. */
static void pb_packed(struct pb b, __u64 *out, int *n, int cap)
{
	while (b.p < b.end && !b.bad && *n < cap)
		out[(*n)++] = pb_varint(&b);
	CHECK(b.p == b.end && !b.bad);
}

/* The varint fields 1..n of a message into out[0 .. n). */
static void pb_fields(struct pb b, __u64 *out, int n)
{
	struct pb sub;
	int field;
	__u64 v;

	while (pb_next(&b, &field, &v, &sub))
		if (field >= 1 && field <= n)
			out[field - 1] = v;
	CHECK(!b.bad);
}

static void decode_sample(struct pb b, struct dec_sample *s)
{
	struct pb sub;
	int field;
	__u64 v, l[3];

	while (pb_next(&b, &field, &v, &sub)) {
		if (field == 1)
			pb_packed(sub, s->loc, &s->nloc, MAX_LOCS);
		else if (field == 2)
			pb_packed(sub, s->val, &s->nval, 2);
		else if (field == 3 && s->nlabel < MAX_LABELS) {
			memset(l, 0, sizeof(l));
			pb_fields(sub, l, 3);
			s->label[s->nlabel++] = (struct dec_label){l[0], l[1], l[2]};
		}
	}
	CHECK(!b.bad);
}

/* A Location: its id, and its one Line's function and line. */
static void decode_location(struct pb b, __u64 *loc, int *nlines_bad)
{
	struct pb sub;
	int field, lines = 0;
	__u64 v, line[2] = {0};

	while (pb_next(&b, &field, &v, &sub)) {
		if (field == 1)
			loc[0] = v;
		else if (field == 4) {
			pb_fields(sub, line, 2);
			lines++;
		}
	}
	loc[1] = line[0];
	loc[2] = line[1];
	*nlines_bad += lines != 1;
}

static void decode_field(struct decoded *d, int field, __u64 v, struct pb sub)
{
	if (field == 1 && d->ntype < 4)
		pb_fields(sub, d->type[d->ntype++], 2);
	else if (field == 2 && d->nsample < MAX_ITEMS)
		decode_sample(sub, &d->sample[d->nsample++]);
	else if (field == 4 && d->nloc < MAX_ITEMS)
		decode_location(sub, d->loc[d->nloc++], &d->nlines_bad);
	else if (field == 5 && d->nfunc < MAX_ITEMS)
		pb_fields(sub, d->func[d->nfunc++], 4);
	else if (field == 6 && d->nstr < MAX_ITEMS)
		d->str[d->nstr++] = strndup((const char *)sub.p, (size_t)(sub.end - sub.p));
	else if (field == 9)
		d->time = v;
	else if (field == 10)
		d->duration = v;
	else if (field == 11)
		pb_fields(sub, d->period_type, 2);
	else if (field == 12)
		d->period = v;
	else if (field == 13)
		d->comment = v;
	else if (field == 14)
		d->dflt = v;
}

/* gunzip data into *out (malloc'd); its length, or 0. */
static size_t gunzip(const char *data, size_t len, unsigned char **out)
{
	size_t cap = 1 << 16; /* doubled as it fills */
	z_stream z = {0};
	int ret = Z_OK;

	*out = malloc(cap);
	/* 15 + 16: a gzip stream, as the writer makes */
	if (!*out || inflateInit2(&z, 15 + 16) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	while (ret == Z_OK) {
		if (z.total_out == cap) {
			unsigned char *bigger = realloc(*out, 2 * cap);

			if (!bigger)
				break;
			*out = bigger;
			cap *= 2;
		}
		z.next_out = *out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		ret = inflate(&z, Z_NO_FLUSH);
	}
	inflateEnd(&z);
	return ret == Z_STREAM_END && z.avail_in == 0 ? z.total_out : 0;
}

static void decode(const char *data, size_t len, struct decoded *d)
{
	unsigned char *raw;
	size_t n = gunzip(data, len, &raw);
	struct pb b = {.p = raw, .end = raw + n}, sub = {0};
	int field;
	__u64 v = 0;

	memset(d, 0, sizeof(*d));
	CHECK(n > 0);
	while (pb_next(&b, &field, &v, &sub))
		decode_field(d, field, v, sub);
	CHECK(!b.bad && b.p == b.end);
	free(raw);
}

static void decoded_free(struct decoded *d)
{
	int i;

	for (i = 0; i < d->nstr; i++)
		free(d->str[i]);
}

static const char *str(const struct decoded *d, __u64 i)
{
	return i < (__u64)d->nstr ? d->str[i] : "(no such string)";
}

/* The function of id. */
static const __u64 *function(const struct decoded *d, __u64 id)
{
	int i;

	for (i = 0; i < d->nfunc; i++)
		if (d->func[i][0] == id)
			return d->func[i];
	return NULL;
}

/* "name (file:line)" of location id, or "name" when it has no file. */
static void location_text(const struct decoded *d, __u64 id, char *buf, size_t cap)
{
	const __u64 *loc = NULL, *fn;
	int i;

	for (i = 0; i < d->nloc; i++)
		if (d->loc[i][0] == id)
			loc = d->loc[i];
	fn = loc ? function(d, loc[1]) : NULL;
	if (!fn)
		snprintf(buf, cap, "(no location %llu)", (unsigned long long)id);
	else if (fn[3])
		snprintf(buf, cap, "%s (%s:%llu)", str(d, fn[1]), str(d, fn[3]),
			 (unsigned long long)loc[2]);
	else
		snprintf(buf, cap, "%s", str(d, fn[1]));
}

/* The sample of count `count` (each of the fixture's has its own). */
static const struct dec_sample *sample_of(const struct decoded *d, __u64 count)
{
	int i;

	for (i = 0; i < d->nsample; i++)
		if (d->sample[i].nval == 2 && d->sample[i].val[0] == count)
			return &d->sample[i];
	return NULL;
}

/* Its locations, leaf first, joined by ";". */
static void stack_text(const struct decoded *d, const struct dec_sample *s, char *buf, size_t cap)
{
	char frame[256];
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 0; s && i < s->nloc && len < cap; i++) {
		location_text(d, s->loc[i], frame, sizeof(frame));
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ";" : "", frame);
	}
}

/* Its labels, as "key=value" joined by " " in the sample's order. */
static void labels_text(const struct decoded *d, const struct dec_sample *s, char *buf, size_t cap)
{
	size_t len = 0;
	int i;

	buf[0] = 0;
	for (i = 0; s && i < s->nlabel && len < cap; i++) {
		const struct dec_label *l = &s->label[i];

		if (l->str)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s=%s", i ? " " : "",
						str(d, l->key), str(d, l->str));
		else
			len += (size_t)snprintf(buf + len, cap - len, "%s%s=%llu", i ? " " : "",
						str(d, l->key), (unsigned long long)l->num);
	}
}

static void written(int thread_frames, struct decoded *d)
{
	struct writer_fixture f;
	size_t len = 0;
	char *out;

	writer_fixture_init(&f, thread_frames);
	out = writer_fixture_write(&pprof_writer, &f, &len);
	decode(out ? out : "", out ? len : 0, d);
	free(out);
	writer_fixture_free(&f);
}

/* The string table: "" first, each string once. */
static void check_strings(const struct decoded *d)
{
	int i, j;

	CHECK(d->nstr > 0 && d->nstr < MAX_ITEMS);
	CHECK_STR(str(d, 0), "");
	for (i = 0; i < d->nstr; i++)
		for (j = i + 1; j < d->nstr; j++)
			CHECK(strcmp(d->str[i], d->str[j]));
}

/* What every profile of the fixture says of itself, whatever -t. */
static void check_head(const struct decoded *d)
{
	check_strings(d);
	CHECK_EQ_INT(d->ntype, 2);
	CHECK_STR(str(d, d->type[0][0]), "samples");
	CHECK_STR(str(d, d->type[0][1]), "count");
	CHECK_STR(str(d, d->type[1][0]), "cpu");
	CHECK_STR(str(d, d->type[1][1]), "nanoseconds");
	CHECK_STR(str(d, d->period_type[0]), "cpu");
	CHECK_STR(str(d, d->period_type[1]), "nanoseconds");
	CHECK_STR(str(d, d->dflt), "cpu");
	CHECK_EQ_INT(d->period, FIX_PERIOD);
	CHECK(d->time == 1700000000123456789ULL);
	CHECK_EQ_INT(d->duration, 2500000000LL);
	CHECK_STR(str(d, d->comment), FIX_COMMAND_CLEAN);
	CHECK_EQ_INT(d->nsample, 5);
	CHECK_EQ_INT(d->nlines_bad, 0);
}

/* count, count * period; then the stack's text and its labels' text. */
static void check_sample(const struct decoded *d, __u64 count, const char *stack,
			 const char *labels)
{
	const struct dec_sample *s = sample_of(d, count);
	char buf[1024];

	CHECK(s != NULL);
	CHECK(s && s->val[1] == count * FIX_PERIOD);
	stack_text(d, s, buf, sizeof(buf));
	CHECK_STR(buf, stack);
	labels_text(d, s, buf, sizeof(buf));
	CHECK_STR(buf, labels);
}

#define EVIL_FRAME FIX_EVIL_CLEAN " (/d&<'\"/p\\q.rb:3)"
#define LABELS_0   "pid=100 comm=ruby tid=1 thread_name=main"
#define LABELS_1   "pid=101 comm=" FIX_COMM_1_CLEAN " tid=7 thread_name=" FIX_THREAD_2_CLEAN

/* Functions by (label, file): run's two lines and two iseqs are one function, two locations. */
static void check_shared(const struct decoded *d, int nfuncs)
{
	int i, runs = 0;

	CHECK_EQ_INT(d->nfunc, nfuncs);
	for (i = 0; i < d->nfunc; i++) {
		runs += !strcmp(str(d, d->func[i][1]), "run");
		CHECK_EQ_INT(d->func[i][2], 0); /* no system_name: pprof would demangle */
	}
	CHECK_EQ_INT(runs, 1);
}

/* A sample the profile must have: its count, stack (leaf first) and labels. */
struct want_sample {
	__u64 count;
	const char *stack, *labels;
};

/* The fixture's profile written (-t or not) and read back: its tables' sizes, its samples. */
static void check_profile(int thread_frames, int nfuncs, int nlocs, const struct want_sample *want,
			  int nwant)
{
	struct decoded d;
	int i;

	written(thread_frames, &d);
	check_head(&d);
	check_shared(&d, nfuncs);
	CHECK_EQ_INT(d.nloc, nlocs);
	for (i = 0; i < nwant; i++)
		check_sample(&d, want[i].count, want[i].stack, want[i].labels);
	decoded_free(&d);
}

void test_pprof_processes(void)
{
	static const struct want_sample want[] = {
	    {3, EVIL_FRAME ";run (/a.rb:10);ruby [100]", LABELS_0},
	    {2, "Array#each;run (/a.rb:10);ruby [100]", "pid=100 comm=ruby tid=2 thread_name=work"},
	    {5, "run (/a.rb:11);" FIX_COMM_1_CLEAN " [101]", LABELS_1},
	    {1, "ruby [100]", LABELS_0},
	    {4, "run (/a.rb:10);" FIX_COMM_1_CLEAN " [101]", LABELS_1},
	};

	/* functions: Array#each, evil, run, the two processes; locations: run:10 and run:11 */
	check_profile(0, 5, 6, want, sizeof(want) / sizeof(want[0]));
}

/* -t: the thread a location between the process and the stack, labels alike. */
void test_pprof_threads(void)
{
	static const struct want_sample want[] = {
	    {3, EVIL_FRAME ";run (/a.rb:10);thread main [1];ruby [100]", LABELS_0},
	    {1, "thread main [1];ruby [100]", LABELS_0},
	    {4, "run (/a.rb:10);thread " FIX_THREAD_2_CLEAN " [7];" FIX_COMM_1_CLEAN " [101]",
	     LABELS_1},
	};

	/* and the three threads, a function and a location each */
	check_profile(1, 8, 9, want, sizeof(want) / sizeof(want[0]));
}

/* How many samples data holds, and the sums of their two values. */
static void count_samples(const char *data, size_t len, __u64 *n, __u64 *count, __u64 *cpu)
{
	unsigned char *raw;
	size_t rawlen = gunzip(data, len, &raw);
	struct pb b = {.p = raw, .end = raw + rawlen}, sub;
	struct dec_sample s;
	int field;
	__u64 v;

	*n = *count = *cpu = 0;
	CHECK(rawlen > 0);
	while (pb_next(&b, &field, &v, &sub)) {
		if (field != 2)
			continue;
		memset(&s, 0, sizeof(s));
		decode_sample(sub, &s);
		CHECK_EQ_INT(s.nval, 2);
		(*n)++;
		*count += s.val[0];
		*cpu += s.val[1];
	}
	CHECK(!b.bad && b.p == b.end);
	free(raw);
}

/* 20000 stacks: every one a sample, no count lost, streamed through more than one chunk. */
void test_pprof_many_stacks(void)
{
	struct writer_fixture f;
	__u64 n, count, cpu, total;
	size_t len = 0;
	char *out;

	writer_fixture_many(&f, 20000);
	total = profile_samples(&f.p);
	out = writer_fixture_write(&pprof_writer, &f, &len);
	CHECK(out != NULL);
	count_samples(out ? out : "", out ? len : 0, &n, &count, &cpu);
	CHECK_EQ_INT(n, 20000);
	CHECK_EQ_INT(count, total);
	CHECK_EQ_INT(cpu, total * FIX_PERIOD);
	free(out);
	writer_fixture_free(&f);
}
