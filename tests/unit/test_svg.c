// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SVG flame graph (output/svg.c, output/flametree.c): hostile names escaped into valid
 * XML (xmllint reads it back), processes and frames of one text merged, narrow siblings
 * folded or dropped, labels cut to their box, thread frames shown or merged, the height of a
 * deep stack, and 100,000 distinct stacks written quickly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "aggregate/aggregate.h"
#include "output/flametree.h"
#include "output/writer.h"
#include "test.h"

static char *svg_of(const struct profile *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK_EQ_INT(svg_writer.write(f, p), 0);
	fclose(f);
	return out;
}

static int count_of(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

/* The boxes drawn: a frame's <g>, or a folded run's. */
static int boxes_of(const char *svg)
{
	return count_of(svg, "<g><title>") + count_of(svg, "<g class=\"fold\"><title>");
}

/* The value of attribute attr (e.g. "fill=\"") in the box whose title starts with title. */
static void attr_of(const char *svg, const char *title, const char *attr, char *buf, size_t cap)
{
	const char *at = strstr(svg, title), *end;

	buf[0] = 0;
	if (!at || !(at = strstr(at, attr)) || !(end = strchr(at + strlen(attr), '"')))
		return;
	at += strlen(attr);
	snprintf(buf, cap, "%.*s", (int)(end - at), at);
}

/* xmllint reads the file back: the one XML parser every check of the format trusts. */
static int xml_valid(const char *svg, const char *name)
{
	const char *dir = getenv("RBPROF_TEST_OUTPUT");
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".output", name);
	if (!(f = fopen(path, "w")))
		return 0;
	fputs(svg, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
	return system(cmd) == 0;
}

void test_svg_hostile_names(void)
{
	static const struct profile_proc procs[] = {
	    {.comm = "ru<by&", .pid = 100},
	    {.comm = "ru<by&", .pid = 100},
	    {.comm = "other", .pid = 200}};
	struct iseq_info main_i = {.label = "<main>", .path = "/app/a&b'.rb"};
	struct iseq_info evil_i = {.label = "ev<il&\"q'", .path = "/d/x]]>y\x01\xff.rb"};
	struct iseq_info cdata_i = {.label = "S]]>t#<<"}; /* a C method: no path */
	struct iseq_info parent_i = {.label = "parent", .path = "/p.rb"};
	struct iseq_info lonely_i = {.label = "lonely", .path = "/l.rb"};
	struct iseq_info long_i = {.label = NULL, .path = "/long.rb"};
	struct iseq_info narrow_i[50];
	char longname[201], names[50][8], fill_evil[32], fill_c[32], fill_gc[32], buf[256];
	__u32 m, evil, cdata, parent, lonely, lng, st[3], i;
	struct profile p = {.procs = procs,
			    .nprocs = 3,
			    .command = "rbprof-bpf -o <x>.svg",
			    .duration_ns = 2500000000ull, /* 2.5 s */
			    .period_ns = 10101010,
			    .rate = 99};
	struct aggregate a;
	char *svg, *again;

	memset(longname, 'x', 200);
	longname[200] = 0;
	long_i.label = longname;
	CHECK_EQ_INT(aggregate_init(&a), 0);
	p.agg = &a;
	aggregate_ruby_frame(&a, &main_i, 1, 0, &m);
	aggregate_ruby_frame(&a, &evil_i, 7, 0, &evil);
	aggregate_ruby_frame(&a, &cdata_i, 0, 0, &cdata);
	aggregate_ruby_frame(&a, &parent_i, 3, 0, &parent);
	aggregate_ruby_frame(&a, &lonely_i, 4, 0, &lonely);
	aggregate_ruby_frame(&a, &long_i, 5, 0, &lng);
	st[0] = m, st[1] = evil, st[2] = cdata;
	aggregate_stack(&a, 0, st, 3, 60000);
	aggregate_stack(&a, 1, st, 3, 40000); /* the same pid and comm: one process box */
	st[1] = FRAME_GC;
	aggregate_stack(&a, 0, st, 2, 10000);
	aggregate_stack(&a, 2, &lng, 1, 20000);
	st[1] = parent;
	aggregate_stack(&a, 0, st, 2, 1000);
	/* 50 children of parent, each 1 sample of ~131k: 0.009 px each, 0.45 px together */
	for (i = 0; i < 50; i++) {
		snprintf(names[i], sizeof(names[i]), "n%02u", i);
		narrow_i[i] = (struct iseq_info){.label = names[i], .path = "/n.rb"};
		aggregate_ruby_frame(&a, &narrow_i[i], 1, 0, &st[2]);
		aggregate_stack(&a, 0, st, 3, 1);
	}
	/* alone between wider siblings, too narrow, with a child: neither is drawn */
	st[1] = lonely, st[2] = cdata;
	aggregate_stack(&a, 0, st, 3, 1);

	svg = svg_of(&p);
	CHECK(xml_valid(svg, "test-svg-hostile.svg"));
	CHECK_EQ_INT(count_of(svg, "]]>"), 1); /* the script's own CDATA end, no name's */
	CHECK(
	    strstr(svg, "<title>ev&lt;il&amp;&quot;q&apos; (/d/x]]&gt;y\\x01\xef\xbf\xbd.rb:7) "));
	CHECK(strstr(svg, "<title>S]]&gt;t#&lt;&lt; (100000 samples, "));
	CHECK(strstr(svg, "<title>&lt;main&gt; (/app/a&amp;b&apos;.rb:1) (111051 samples, "));
	CHECK(!strchr(svg, '\x01') && !strchr(svg, '\xff'));
	CHECK_EQ_INT(count_of(svg, "<title>ru&lt;by&amp; [100] (111051 samples"), 1);
	CHECK(strstr(svg, "<title>all (131051 samples, 100.00%)</title>"));
	CHECK(strstr(svg, ">rbprof-bpf -o &lt;x&gt;.svg</text>"));
	CHECK(strstr(svg, ">2.5 s at 99 Hz, 131051 samples</text>"));
	/* all, 2 processes, <main>, evil, cdata, GC, parent, its 50 children folded, the long one
	 */
	CHECK_EQ_INT(boxes_of(svg), 10);
	CHECK(strstr(svg, "<g class=\"fold\"><title>(50 narrower frames) (50 samples, 0.04%)"));
	CHECK(!strstr(svg, "lonely") && !strstr(svg, "n00"));
	/* 20000 of 131051 samples: 180 px, room for 23 characters: 21 and ".." */
	CHECK(strstr(svg, ">xxxxxxxxxxxxxxxxxxxxx..</text>"));
	/* colours by kind, the same in every run */
	attr_of(svg, "<title>ev&lt;il", "fill=\"", fill_evil, sizeof(fill_evil));
	attr_of(svg, "<title>S]]&gt;t", "fill=\"", fill_c, sizeof(fill_c));
	attr_of(svg, "<title>(garbage collection)", "fill=\"", fill_gc, sizeof(fill_gc));
	CHECK(fill_evil[0] && fill_c[0] && fill_gc[0]);
	CHECK(strcmp(fill_evil, fill_c) && strcmp(fill_evil, fill_gc) && strcmp(fill_c, fill_gc));
	again = svg_of(&p);
	CHECK_STR(again, svg);
	/* the root at the bottom, below 4 levels: the process, <main>, evil, cdata */
	attr_of(svg, "<title>all (", "y=\"", buf, sizeof(buf));
	CHECK_EQ_INT(atoi(buf), 66 + 4 * 16); /* the title's 66 px, then 4 levels */
	free(again);
	free(svg);
	aggregate_free(&a);
}

void test_svg_thread_frames(void)
{
	static const struct profile_proc procs[] = {{.comm = "ruby", .pid = 7}};
	struct iseq_info w1 = {.label = "w<x"}, w2 = {.label = "w<x"};
	struct iseq_info m_i = {.label = "m", .path = "/m.rb"};
	struct profile p = {
	    .procs = procs, .nprocs = 1, .thread_roots = 1, .period_ns = 10101010, .rate = 99};
	struct aggregate a;
	__u32 st[2], m;
	char *svg;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	p.agg = &a;
	aggregate_ruby_frame(&a, &m_i, 2, 0, &m);
	st[1] = m;
	aggregate_thread_frame(&a, &w1, 5, &st[0]);
	aggregate_stack(&a, 0, st, 2, 3);
	aggregate_thread_frame(&a, &w2, 6, &st[0]);
	aggregate_stack(&a, 0, st, 2, 4);
	svg = svg_of(&p); /* thread roots, not shown: merged into one m */
	CHECK(!strstr(svg, "thread"));
	CHECK(strstr(svg, "<title>m (/m.rb:2) (7 samples, 100.00%)</title>"));
	CHECK_EQ_INT(boxes_of(svg), 3);
	free(svg);
	p.thread_frames = 1;
	svg = svg_of(&p);
	CHECK(strstr(svg, "<title>thread w&lt;x [5] (3 samples, 42.86%)</title>"));
	CHECK(strstr(svg, "<title>thread w&lt;x [6] (4 samples, 57.14%)</title>"));
	CHECK_EQ_INT(boxes_of(svg), 6);
	CHECK(xml_valid(svg, "test-svg-threads.svg"));
	free(svg);
	aggregate_free(&a);
}

void test_svg_deep_stack(void)
{
	static const struct profile_proc procs[] = {{.comm = "ruby", .pid = 7}};
	enum { DEPTH = 1000 };
	struct iseq_info m_i = {.label = "deep", .path = "/d.rb"};
	struct profile p = {.procs = procs, .nprocs = 1, .period_ns = 10101010, .rate = 99};
	struct aggregate a;
	__u32 st[DEPTH], i;
	char *svg, want[64];

	CHECK_EQ_INT(aggregate_init(&a), 0);
	p.agg = &a;
	for (i = 0; i < DEPTH; i++)
		aggregate_ruby_frame(&a, &m_i, (int)i + 1, 0, &st[i]);
	aggregate_stack(&a, 0, st, DEPTH, 10);
	aggregate_stack(&a, 0, st, DEPTH / 2, 10);
	svg = svg_of(&p);
	/* 1002 levels (all, the process, 1000 frames) of 16 px, 66 above, 34 below */
	snprintf(want, sizeof(want), "height=\"%d\"", 66 + (DEPTH + 2) * 16 + 34);
	CHECK(strstr(svg, want));
	CHECK_EQ_INT(boxes_of(svg), DEPTH + 2);
	CHECK(strstr(svg, "<title>deep (/d.rb:501) (10 samples, 50.00%)</title>"));
	free(svg);
	aggregate_free(&a);
}

/*
 * Deep stacks that part near the root, two samples each: a tower of 0.17 px boxes per stack,
 * 600,000 boxes, until the narrowest are left out (flametree_limit) and the subtitle says so.
 */
void test_svg_box_limit(void)
{
	static const struct profile_proc procs[] = {{.comm = "ruby", .pid = 7}};
	enum { TOWERS = 2000, DEPTH = 300 };
	struct iseq_info m_i = {.label = "m", .path = "/m.rb"};
	struct profile p = {.procs = procs, .nprocs = 1, .period_ns = 10101010, .rate = 99};
	struct aggregate a;
	__u32 st[DEPTH], i, tower;
	char *svg;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	p.agg = &a;
	for (i = 0; i < DEPTH; i++)
		aggregate_ruby_frame(&a, &m_i, (int)i + 1, 0, &st[i]);
	for (tower = 0; tower < TOWERS; tower++) {
		aggregate_ruby_frame(&a, &m_i, 100000 + (int)tower, 0, &st[1]);
		aggregate_stack(&a, 0, st, DEPTH, 2);
	}
	aggregate_stack(&a, 0, st, 1, 10000); /* the root's frame wide, with a self share */
	svg = svg_of(&p);
	CHECK(boxes_of(svg) <= 30000);
	CHECK(strstr(svg, " px left out</text>"));
	CHECK(strstr(svg, "<title>m (/m.rb:1) (14000 samples, 100.00%)</title>"));
	CHECK(xml_valid(svg, "test-svg-limit.svg"));
	free(svg);
	aggregate_free(&a);
}

struct box_stats {
	__u64 boxes, folded;
	__u64 width[8]; /* the samples drawn per depth */
};

static int count_box(void *ctx, const struct flame_box *b)
{
	struct box_stats *s = ctx;

	s->boxes++;
	s->folded += b->folded ? 1 : 0;
	if (b->depth < 8)
		s->width[b->depth] += b->value;
	return 0;
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void test_svg_many_stacks(void)
{
	static const struct profile_proc procs[] = {{.comm = "ruby", .pid = 7}};
	/* 5 levels of 20 labels each (20^5 = 3.2 M combinations): 100 k distinct stacks */
	enum { NSTACKS = 100000, LEVELS = 5, FANOUT = 20 };
	struct iseq_info info[LEVELS * FANOUT];
	char labels[LEVELS * FANOUT][24];
	struct profile p = {.procs = procs, .nprocs = 1, .period_ns = 10101010, .rate = 99};
	struct box_stats stats = {0};
	struct flametree t;
	struct aggregate a;
	__u32 ids[LEVELS * FANOUT], st[LEVELS], i, l, v;
	char *out = NULL;
	size_t len = 0;
	double took;
	FILE *f;

	CHECK_EQ_INT(aggregate_init(&a), 0);
	p.agg = &a;
	for (i = 0; i < LEVELS * FANOUT; i++) {
		snprintf(labels[i], sizeof(labels[i]), "Level%u#m%u", i / FANOUT, i % FANOUT);
		info[i] = (struct iseq_info){.label = labels[i], .path = "/app/many.rb"};
		aggregate_ruby_frame(&a, &info[i], (int)i, 0, &ids[i]);
	}
	for (i = 0; i < NSTACKS; i++) {
		for (l = 0, v = i * 7919u % 3200000u; l < LEVELS; l++, v /= FANOUT)
			st[l] = ids[l * FANOUT + v % FANOUT];
		aggregate_stack(&a, 0, st, LEVELS, 1 + i % 3);
	}
	CHECK_EQ_INT(a.nstacks, NSTACKS);
	f = open_memstream(&out, &len);
	took = seconds();
	CHECK_EQ_INT(svg_writer.write(f, &p), 0);
	took = seconds() - took;
	fclose(f);
	/* 2 s for the optimized build: this one runs under ASan, a few times slower */
	CHECK(took < 2.0);
	CHECK(len > 13 && !strcmp(out + len - 12, "</g>\n</svg>\n"));
	CHECK(xml_valid(out, "test-svg-many.svg"));
	free(out);
	/* every level's boxes share the root's samples; the narrow ones folded or dropped */
	CHECK_EQ_INT(flametree_init(&t, &p, 0.1 / 1180), 0);
	CHECK_EQ_INT(flametree_walk(&t, count_box, &stats), 0);
	CHECK_EQ_INT(stats.width[0], t.total);
	CHECK_EQ_INT(stats.width[1], t.total);
	for (l = 2; l < 8; l++)
		CHECK(stats.width[l] <= t.total);
	CHECK(stats.folded > 0);
	CHECK(stats.boxes < (__u64)NSTACKS);
	flametree_free(&t);
	aggregate_free(&a);
}
