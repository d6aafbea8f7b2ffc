// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Strings, Arrays, iseqs read from a made-up Ruby 3.1 heap; hostile memory never crashes. */
#include <stdlib.h>
#include <string.h>
#include "rb31.h"
#include "rubyvm/object.h"
#include "rubyvm/symbolize.h"
#include "test.h"

void test_string_embedded_and_heap(void)
{
	struct fakemem fm;
	char buf[64];
	const char *longs = "/app/vendor/bundle/ruby/3.1.0/gems/x.rb";

	fakemem_init(&fm);
	rb31_string(&fm, 0x10000, "<main>");
	rb31_string(&fm, 0x20000, longs);
	CHECK_EQ_INT(ruby_string_read(&fm.base, rb31(), 0x10000, buf, sizeof(buf)), 6);
	CHECK_STR(buf, "<main>");
	CHECK_EQ_INT(ruby_string_read(&fm.base, rb31(), 0x20000, buf, sizeof(buf)), strlen(longs));
	CHECK_STR(buf, longs);
	/* Cut to the buffer, NUL-terminated. */
	CHECK_EQ_INT(ruby_string_read(&fm.base, rb31(), 0x20000, buf, 5), 4);
	CHECK_STR(buf, "/app");
	/* Not a String, not an object, not mapped. */
	CHECK(ruby_string_read(&fm.base, rb31(), 0x10008, buf, sizeof(buf)) < 0);
	CHECK(ruby_string_read(&fm.base, rb31(), 0x8, buf, sizeof(buf)) < 0);
	CHECK(ruby_string_read(&fm.base, rb31(), 0x30000, buf, sizeof(buf)) < 0);
	fakemem_free(&fm);
}

void test_string_hostile_length(void)
{
	const struct ruby_layout *L = rb31();
	struct fakemem fm;
	unsigned char *o;
	char *big = malloc(RUBY_STR_MAX);
	__u64 v;

	fakemem_init(&fm);
	o = fakemem_map(&fm, 0x10000, 40);
	v = RUBY_T_STRING | L->rstring_noembed;
	memcpy(o, &v, 8);
	v = 1ULL << 62; /* a length no string has */
	memcpy(o + L->rstring_heap_len, &v, 8);
	v = 0x50000;
	memcpy(o + L->rstring_heap_ptr, &v, 8);
	memset(fakemem_map(&fm, 0x50000, 8192), 'a', 8192);
	/* Bounded to RUBY_STR_MAX - 1 bytes, whatever the length field says. */
	CHECK_EQ_INT(ruby_string_read(&fm.base, L, 0x10000, big, RUBY_STR_MAX), RUBY_STR_MAX - 1);
	v = (__u64)-16; /* negative length */
	memcpy(o + L->rstring_heap_len, &v, 8);
	CHECK(ruby_string_read(&fm.base, L, 0x10000, big, RUBY_STR_MAX) < 0);
	free(big);
	fakemem_free(&fm);
}

void test_pathobj_forms(void)
{
	struct fakemem fm;
	__u64 pair[2] = {0x20000, 0x30000}, self = 0x40000;
	char buf[64];

	fakemem_init(&fm);
	rb31_string(&fm, 0x20000, "app.rb");
	rb31_string(&fm, 0x30000, "/srv/app.rb");
	rb31_array(&fm, 0x10000, pair, 2);
	CHECK(ruby_pathobj_read(&fm.base, rb31(), 0x20000, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "app.rb");
	CHECK(ruby_pathobj_read(&fm.base, rb31(), 0x10000, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "app.rb");
	/* An Array holding itself is not a path, and is not followed again. */
	rb31_array(&fm, 0x40000, &self, 1);
	CHECK(ruby_pathobj_read(&fm.base, rb31(), 0x40000, buf, sizeof(buf)) < 0);
	/* An empty Array. */
	rb31_array(&fm, 0x50000, NULL, 0);
	CHECK(ruby_pathobj_read(&fm.base, rb31(), 0x50000, buf, sizeof(buf)) < 0);
	fakemem_free(&fm);
}

/* positions / lines of a 600-instruction method: entries past the immediate table too. */
static const int pos600[] = {0, 3, 10, 53, 54, 60, 200, 565, 566, 599};
static const int lines600[] = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};

void test_iseq_label_path_lines(void)
{
	struct fakemem fm;
	struct iseq_info info;
	__u64 enc;
	size_t i;

	fakemem_init(&fm);
	enc = rb31_iseq(&fm, 0x100000, "block in run", "/app/lib/work.rb", 9, 600, pos600, lines600,
			10);
	CHECK_EQ_INT(iseq_info_read(&fm.base, rb31(), 0x100000, &info), 0);
	CHECK_STR(info.label, "block in run");
	CHECK_STR(info.path, "/app/lib/work.rb");
	CHECK_EQ_INT(info.first_lineno, 9);
	for (i = 0; i < 10; i++) {
		/* The pc of a frame points past the executing instruction (calc_pos: pos - 1). */
		__u64 pc = enc + 8 * (__u64)(pos600[i] + 1);

		CHECK_EQ_INT(iseq_info_line(&info, pc), lines600[i]);
	}
	CHECK_EQ_INT(iseq_info_line(&info, enc + 8 * 59), 14); /* pos 58: in the entry at 54 */
	CHECK_EQ_INT(iseq_info_line(&info, enc), 10);	       /* pc at the start: pos 0 */
	/* A pc outside the iseq, or misaligned: the method's first line. */
	CHECK_EQ_INT(iseq_info_line(&info, enc + 8 * 5000), 9);
	CHECK_EQ_INT(iseq_info_line(&info, enc - 8), 9);
	CHECK_EQ_INT(iseq_info_line(&info, enc + 3), 9);
	iseq_info_free(&info);
	fakemem_free(&fm);
}

void test_iseq_hostile(void)
{
	const struct ruby_layout *L = rb31();
	struct fakemem fm;
	struct iseq_info info;
	unsigned char *body;
	__u32 v32;
	__u64 v;

	fakemem_init(&fm);
	rb31_iseq(&fm, 0x100000, "m", "/a.rb", 1, 600, pos600, lines600, 10);
	body = fm.r[1].bytes;
	/* insns_info.size larger than the iseq: no line table, the name stays. */
	v32 = 100000;
	memcpy(body + L->body_insns_size, &v32, 4);
	CHECK_EQ_INT(iseq_info_read(&fm.base, L, 0x100000, &info), 0);
	CHECK_EQ_INT(iseq_info_line(&info, 0x100000 + 0x10000 + 80), 1);
	iseq_info_free(&info);
	/* An absurd iseq_size is refused. */
	v32 = 0xffffffff;
	memcpy(body + L->body_iseq_size, &v32, 4);
	CHECK(iseq_info_read(&fm.base, L, 0x100000, &info) < 0);
	/* Not an iseq: an imemo of another type, and a String. */
	v = RUBY_T_IMEMO | (6ULL << RUBY_IMEMO_SHIFT);
	memcpy(fm.r[0].bytes, &v, 8);
	CHECK(iseq_info_read(&fm.base, L, 0x100000, &info) < 0);
	CHECK(iseq_info_read(&fm.base, L, 0x100400, &info) < 0);
	/* Unmapped, NULL, misaligned. */
	CHECK(iseq_info_read(&fm.base, L, 0x900000, &info) < 0);
	CHECK(iseq_info_read(&fm.base, L, 0, &info) < 0);
	CHECK(iseq_info_read(&fm.base, L, 0x100001, &info) < 0);
	fakemem_free(&fm);
}

void test_symbolizer_cache(void)
{
	struct fakemem fm;
	struct symbolizer s;
	const struct iseq_info *a, *b;
	int reads;

	fakemem_init(&fm);
	rb31_iseq(&fm, 0x100000, "burn", "/a.rb", 3, 600, pos600, lines600, 10);
	symbolizer_init(&s, &fm.base, rb31(), 0, 0);
	a = symbolizer_iseq(&s, 0x100000);
	CHECK(a != NULL);
	reads = fm.reads;
	b = symbolizer_iseq(&s, 0x100000);
	CHECK(a == b);
	CHECK_EQ_INT(fm.reads, reads); /* a hit reads nothing */
	/* A failure is cached too, and every frame it costs is counted. */
	CHECK(symbolizer_iseq(&s, 0x700000) == NULL);
	reads = fm.reads;
	CHECK(symbolizer_iseq(&s, 0x700000) == NULL);
	CHECK_EQ_INT(fm.reads, reads);
	CHECK_EQ_INT(s.failed, 2);
	/* The process is gone: cached names survive. */
	fakemem_free(&fm);
	CHECK_STR(symbolizer_iseq(&s, 0x100000)->label, "burn");
	symbolizer_free(&s);
}
