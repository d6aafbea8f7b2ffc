// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The escapes every writer but folded uses, and the method table of the summary and --top. */
#include <stdlib.h>
#include <string.h>
#include "aggregate/aggregate.h"
#include "output/frame_text.h"
#include "output/methods.h"
#include "output/writer.h"
#include "test.h"

/* One escape's result, in a buffer of the test's (freed at the end: ASan checks leaks). */
static struct sbuf escaped;

static const char *clean(int (*add)(struct sbuf *, const char *), const char *src)
{
	sbuf_reset(&escaped);
	CHECK_EQ_INT(add(&escaped, src), 0);
	return escaped.s ? escaped.s : "";
}

void test_text_escapes(void)
{
	/* valid UTF-8 stays, whatever the script */
	CHECK_STR(clean(sbuf_add_clean, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"),
		  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5");
	/* a stray continuation byte, a cut sequence, an overlong '/', a surrogate, > U+10FFFF */
	CHECK_STR(clean(sbuf_add_clean, "a\x80"
					"b\xc3"
					"c\xc0\xaf"
					"d\xed\xa0\x80"
					"e\xf4\x90\x80\x80"),
		  "a\xef\xbf\xbd"
		  "b\xef\xbf\xbd"
		  "c\xef\xbf\xbd\xef\xbf\xbd"
		  "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		  "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* a sequence cut by the end of the string */
	CHECK_STR(clean(sbuf_add_clean, "x\xe2\x82"), "x\xef\xbf\xbd\xef\xbf\xbd");
	/* control bytes become the text \xNN, as folded writes them */
	CHECK_STR(clean(sbuf_add_clean, "a\nb\x1b[2J\x7f"), "a\\x0ab\\x1b[2J\\x7f");
	CHECK_STR(clean(sbuf_add_xml, "<a href=\"x\">&'</a>]]>"),
		  "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;]]&gt;");
	CHECK_STR(clean(sbuf_add_xml, "\x01\xff"), "\\x01\xef\xbf\xbd");
	/* JSON: the backslash of \xNN is escaped like any other */
	CHECK_STR(clean(sbuf_add_json, "q\"b\\s\n\xff</script>"),
		  "q\\\"b\\\\s\\\\x0a\xef\xbf\xbd</script>");
	sbuf_free(&escaped);
}

void test_frame_text_kinds(void)
{
	struct iseq_info rb = {.label = "Foo#bar", .path = "/app/foo.rb"};
	struct iseq_info c = {.label = "Array#each"};
	struct iseq_info th = {.label = "puma srv tp 001"};
	struct frame_rec f;
	struct frame_text t;

	f = (struct frame_rec){.info = &rb, .line = 7, .kind = FRAME_RUBY};
	frame_text(&f, &t);
	CHECK_STR(t.label, "Foo#bar");
	CHECK_STR(t.file, "/app/foo.rb");
	CHECK_EQ_INT(t.line, 7);
	CHECK_EQ_INT(t.cls, CLASS_RUBY);
	f = (struct frame_rec){.info = &c, .line = 3, .kind = FRAME_RUBY};
	frame_text(&f, &t);
	CHECK(t.file == NULL && t.line == 0 && t.cls == CLASS_CFUNC);
	f = (struct frame_rec){.info = &th, .line = 4242, .kind = FRAME_THREAD};
	frame_text(&f, &t);
	CHECK_STR(t.label, "thread puma srv tp 001 [4242]");
	CHECK_EQ_INT(t.cls, CLASS_THREAD);
	f = (struct frame_rec){.kind = FRAME_GC_SWEEPING};
	frame_text(&f, &t);
	CHECK_STR(t.label, "(sweeping)");
	CHECK_EQ_INT(t.cls, CLASS_GC);
	f = (struct frame_rec){.kind = FRAME_TRUNCATED};
	frame_text(&f, &t);
	CHECK_EQ_INT(t.cls, CLASS_OTHER);
}

static const struct method *find(const struct method_table *t, const char *name, __u32 proc)
{
	__u32 i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->m[i].name, name) && t->m[i].proc_id == proc)
			return &t->m[i];
	return NULL;
}

/*
 * Self and total by method: lines of one method merge, a recursion counts once per stack,
 * two processes' frames of one method are one row, or two per process; a rebuild after more
 * samples names only the new frames.
 */
void test_methods_table(void)
{
	struct iseq_info a0 = {.label = "a", .path = "/x.rb"}, a1 = {.label = "a", .path = "/x.rb"};
	struct iseq_info b = {.label = "b;\n", .path = "/x.rb"};
	struct method_table t = {0};
	const struct method *m;
	struct aggregate agg;
	__u32 fa, fa2, fb, fa1, s1[3], s2[1];

	CHECK_EQ_INT(aggregate_init(&agg), 0);
	aggregate_ruby_frame(&agg, &a0, 1, 0, &fa);
	aggregate_ruby_frame(&agg, &a0, 2, 0, &fa2);
	aggregate_ruby_frame(&agg, &b, 5, 0, &fb);
	aggregate_ruby_frame(&agg, &a1, 9, 0, &fa1); /* process 1's copy of a */
	s1[0] = fa, s1[1] = fa2, s1[2] = fb;	     /* a -> a (recursion) -> b */
	aggregate_stack(&agg, 0, s1, 3, 3);
	s2[0] = fa1;
	aggregate_stack(&agg, 1, s2, 1, 5);
	aggregate_stack(&agg, 0, s1, 2, 2); /* a -> a */

	CHECK_EQ_INT(methods_build(&t, &agg, 0, 0), 0);
	CHECK_EQ_INT(t.samples, 10);
	m = find(&t, "a (/x.rb)", 0);
	CHECK(m && m->self == 7 && m->total == 10);
	m = find(&t, "b\\x3b\\x0a (/x.rb)", 0);
	CHECK(m && m->self == 3 && m->total == 3);
	methods_sort(&t, 1);
	CHECK_STR(t.m[0].name, "a (/x.rb)");

	CHECK_EQ_INT(methods_build(&t, &agg, 0, 1), 0);
	m = find(&t, "a (/x.rb)", 0);
	CHECK(m && m->self == 2 && m->total == 5);
	m = find(&t, "a (/x.rb)", 1);
	CHECK(m && m->self == 5 && m->total == 5);
	methods_sort(&t, 0);
	CHECK(t.m[0].total == 5 && t.m[1].total == 5 && t.m[0].proc_id == 0);

	/* skip_root: the first frame is no method (a thread's) */
	CHECK_EQ_INT(methods_build(&t, &agg, 1, 0), 0);
	m = find(&t, "a (/x.rb)", 0);
	CHECK(m && m->self == 2 && m->total == 5);
	methods_free(&t);
	aggregate_free(&agg);
}

/* A process's frame: its container and namespace pid when it has them, either alone. */
void test_profile_proc_label(void)
{
	struct profile_proc p = {.comm = "ruby", .pid = 4242};
	char buf[PROFILE_PROC_LABEL_MAX];

	profile_proc_label(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ruby [4242]");
	p.container = "3f2a9c1b7d10";
	p.ns_pid = 1;
	profile_proc_label(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ruby [4242] (container 3f2a9c1b7d10, pid 1)");
	p.ns_pid = 0;
	profile_proc_label(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ruby [4242] (container 3f2a9c1b7d10)");
	p.container = "";
	p.ns_pid = 7;
	profile_proc_label(&p, buf, sizeof(buf));
	CHECK_STR(buf, "ruby [4242] (pid 7)");
}
