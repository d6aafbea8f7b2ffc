// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IDs, class paths and C-method labels from a made-up Ruby 3.1 heap; ruby_global_symbols
 * found in code. */
#include <string.h>
#include "discover/elf_ruby.h"
#include "rb31.h"
#include "rubyvm/names.h"
#include "rubyvm/symbolize.h"
#include "rubyvm/template.h"
#include "test.h"

#define GS	     0x1000000ULL
#define FL_SINGLETON (1ULL << 12)

enum {
	S_TIMES = RB31_FIRST_SERIAL,
	S_CLASSPATH,
	S_TMP_CLASSPATH,
	S_ATTACHED,
	S_CLOCK,
	S_UNUSED,
	S_SEMI,
	S_PAST_LAST,
};
static const char *const names[] = {"times",	    "__classpath__", "__tmp_classpath__",
				    "__attached__", "clock_gettime", "unused",
				    "a;b"};

static void setup(struct fakemem *fm, struct ruby_names *n)
{
	fakemem_init(fm);
	rb31_symbols(fm, GS, names, 7);
	ruby_names_init(n, &fm->base, rb31(), GS, 0);
}

void test_names_ids(void)
{
	struct fakemem fm;
	struct ruby_names n;
	int reads;

	setup(&fm, &n);
	CHECK_STR(ruby_id_name(&n, rb31_id(S_TIMES)), "times");
	CHECK_STR(ruby_id_name(&n, rb31_id(S_SEMI)), "a;b");
	reads = fm.reads;
	CHECK_STR(ruby_id_name(&n, rb31_id(S_TIMES)), "times");
	CHECK_EQ_INT(fm.reads, reads); /* cached */
	/* Past last_id, serial 0, and an operator ID with no entry: no name, no crash. */
	CHECK(ruby_id_name(&n, rb31_id(S_PAST_LAST)) == NULL);
	CHECK(ruby_id_name(&n, 0) == NULL);
	CHECK(ruby_id_name(&n, '+') == NULL);
	ruby_names_free(&n);
	/* A table that cannot be read now (being grown, say) is read again later. */
	ruby_names_init(&n, &fm.base, rb31(), GS, 0);
	fakemem_toggle(&fm, GS + 0x10000);
	CHECK(ruby_id_name(&n, rb31_id(S_CLOCK)) == NULL);
	fakemem_toggle(&fm, GS + 0x10000);
	CHECK_STR(ruby_id_name(&n, rb31_id(S_CLOCK)), "clock_gettime");
	ruby_names_free(&n);
	/* Without the symbol table nothing is named. */
	ruby_names_init(&n, &fm.base, rb31(), 0, 0);
	CHECK(ruby_id_name(&n, rb31_id(S_TIMES)) == NULL);
	ruby_names_free(&n);
	fakemem_free(&fm);
}

void test_names_class_paths(void)
{
	__u64 cp_id = rb31_id(S_CLASSPATH), tmp_id = rb31_id(S_TMP_CLASSPATH);
	__u64 vals[2] = {0x3000000, 0x3100000}, ids[2] = {0xdead0, cp_id};
	struct fakemem fm;
	struct ruby_names n;

	setup(&fm, &n);
	rb31_string(&fm, 0x3000000, "junk");
	rb31_string(&fm, 0x3100000, "Outer::Inner");
	rb31_string(&fm, 0x3200000, "#<Class:0x1>::Tmp");
	rb31_class(&fm, 0x2000000, 0, ids, vals, 2); /* an unnamed ivar, then __classpath__ */
	CHECK_STR(ruby_class_path(&n, 0x2000000), "Outer::Inner");
	ids[0] = tmp_id;
	vals[0] = 0x3200000;
	rb31_class(&fm, 0x2100000, 0, ids, vals, 1); /* only a temporary path */
	CHECK_STR(ruby_class_path(&n, 0x2100000), "#<Class:0x1>::Tmp");
	rb31_class(&fm, 0x2200000, 0, NULL, NULL, 0); /* anonymous */
	CHECK_STR(ruby_class_path(&n, 0x2200000), "#<Class:0x0000000002200000>");
	/* Not a class: a String, unmapped memory, a special constant. */
	CHECK(ruby_class_path(&n, 0x3100000) == NULL);
	CHECK(ruby_class_path(&n, 0x7700000) == NULL);
	CHECK(ruby_class_path(&n, 8) == NULL);
	ruby_names_free(&n);
	fakemem_free(&fm);
}

void test_names_method_labels(void)
{
	__u64 cp = rb31_id(S_CLASSPATH), att = rb31_id(S_ATTACHED);
	__u64 int_ids[1] = {cp}, int_vals[1] = {0x3000000};
	__u64 proc_vals[1] = {0x3100000}, sing_ids[1] = {att}, sing_vals[1] = {0x2100000};
	struct fakemem fm;
	struct ruby_names n;
	char buf[RUBY_NAME_MAX];

	setup(&fm, &n);
	rb31_string(&fm, 0x3000000, "Integer");
	rb31_string(&fm, 0x3100000, "Process");
	rb31_class(&fm, 0x2000000, 0, int_ids, int_vals, 1);
	rb31_class(&fm, 0x2100000, 0x1 /* T_MODULE */, int_ids, proc_vals, 1);
	rb31_class(&fm, 0x2200000, FL_SINGLETON, sing_ids, sing_vals, 1); /* Process's singleton */
	rb31_method_entry(&fm, 0x4000000, rb31_id(S_TIMES), 0x2000000, 0);
	rb31_method_entry(&fm, 0x4100000, rb31_id(S_CLOCK), 0x2200000, 0);
	rb31_method_entry(&fm, 0x4200000, rb31_id(S_SEMI), 0x2000000, 0);
	CHECK_EQ_INT(ruby_method_label(&n, 0x4000000, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "Integer#times");
	CHECK_EQ_INT(ruby_method_label(&n, 0x4100000, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "Process.clock_gettime");
	/* the label is raw here; folded output escapes it */
	CHECK_EQ_INT(ruby_method_label(&n, 0x4200000, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "Integer#a;b");
	/* an owner with no permanent name is left out, as Ruby 3.4's backtraces leave it */
	rb31_class(&fm, 0x2300000, 0, NULL, NULL, 0); /* anonymous */
	rb31_method_entry(&fm, 0x4300000, rb31_id(S_TIMES), 0x2300000, 0);
	CHECK_EQ_INT(ruby_method_label(&n, 0x4300000, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "times");
	/* Not a method entry: an iseq-like imemo, a String, nothing. */
	CHECK(ruby_method_label(&n, 0x3000000, buf, sizeof(buf)) < 0);
	CHECK(ruby_method_label(&n, 0x9900000, buf, sizeof(buf)) < 0);
	CHECK(ruby_method_label(&n, 0, buf, sizeof(buf)) < 0);
	ruby_names_free(&n);
	fakemem_free(&fm);
}

void test_names_hostile_class(void)
{
	const struct ruby_layout *L = rb31();
	__u64 cp = rb31_id(S_CLASSPATH), att = rb31_id(S_ATTACHED);
	__u64 ids[2] = {cp, att}, vals[2] = {0x3000000, 0x2000000};
	struct fakemem fm;
	struct ruby_names n;
	__u64 v;

	setup(&fm, &n);
	rb31_string(&fm, 0x3000000, "Selfish");
	/* A singleton class attached to itself: named once, no loop. */
	rb31_class(&fm, 0x2000000, FL_SINGLETON, ids, vals, 2);
	CHECK_STR(ruby_class_path(&n, 0x2000000), "Selfish");
	/* An ivar table claiming 2^40 entries: cut to RUBY_CLASS_IVARS_MAX, whose read fails: no
	 * name this time (not cached, not a made-up anonymous one), and no crash. */
	rb31_class(&fm, 0x2100000, 0, ids, vals, 1);
	v = 1ULL << 40;
	memcpy(fm.r[fm.n - 2].bytes + L->st_entries_bound, &v, 8);
	CHECK(ruby_class_path(&n, 0x2100000) == NULL);
	CHECK(hashmap_get(&n.classes, 0x2100000, 0) == NULL);
	/* bound below start */
	rb31_class(&fm, 0x2200000, 0, ids, vals, 1);
	v = 5;
	memcpy(fm.r[fm.n - 2].bytes + L->st_entries_start, &v, 8);
	v = 1;
	memcpy(fm.r[fm.n - 2].bytes + L->st_entries_bound, &v, 8);
	CHECK_STR(ruby_class_path(&n, 0x2200000), "#<Class:0x0000000002200000>");
	ruby_names_free(&n);
	fakemem_free(&fm);
}

/* Ruby frames: "Foo#bar", "Foo.bar", "block in Foo#bar", "block (2 levels) in Foo#bar". */
void test_qualified_ruby_frames(void)
{
	static const int pos[] = {0}, lines[] = {1};
	__u64 cp = rb31_id(S_CLASSPATH), att = rb31_id(S_ATTACHED);
	__u64 ids[1] = {cp}, vals[1] = {0x3000000}, sing_vals[1] = {0x2000000}, sing_ids[1] = {att};
	const struct iseq_info *bar, *blk, *blk2, *cls;
	struct fakemem fm;
	struct symbolizer s;
	char buf[256];

	fakemem_init(&fm);
	rb31_symbols(&fm, GS, names, 7);
	rb31_string(&fm, 0x3000000, "Foo::Bar");
	rb31_class(&fm, 0x2000000, 0, ids, vals, 1);
	rb31_class(&fm, 0x2100000, FL_SINGLETON, sing_ids, sing_vals, 1);
	/* bar (a method of Foo::Bar), a block in it, a block in that block; cls: a class method */
	rb31_iseq(&fm, 0x10000000, "bar", "/a.rb", 1, 4, pos, lines, 1);
	rb31_iseq_kind(&fm, 0x10000000, ISEQ_TYPE_METHOD, 0x10000000);
	rb31_iseq(&fm, 0x11000000, "block in bar", "/a.rb", 1, 4, pos, lines, 1);
	rb31_iseq_kind(&fm, 0x11000000, ISEQ_TYPE_BLOCK, 0x10000000);
	rb31_iseq(&fm, 0x12000000, "block (2 levels) in bar", "/a.rb", 1, 4, pos, lines, 1);
	rb31_iseq_kind(&fm, 0x12000000, ISEQ_TYPE_BLOCK, 0x10000000);
	rb31_iseq(&fm, 0x13000000, "cls", "/a.rb", 1, 4, pos, lines, 1);
	rb31_iseq_kind(&fm, 0x13000000, ISEQ_TYPE_METHOD, 0x13000000);
	rb31_method_entry(&fm, 0x4000000, rb31_id(S_TIMES), 0x2000000, 0x10000000);
	rb31_method_entry(&fm, 0x4100000, rb31_id(S_TIMES), 0x2100000, 0x13000000);
	/* envs: bar's (local, me), the block's (-> bar's), the inner block's (-> the block's) */
	rb31_env(&fm, 0x5000010, 0x4000000, 0, 0x2);
	rb31_env(&fm, 0x5100010, 0, 0x5000010 | 1, 0);
	rb31_env(&fm, 0x5200010, 0, 0x5100010, 0);
	rb31_env(&fm, 0x5300010, 0x4100000, 0, 0x2);

	symbolizer_init(&s, &fm.base, rb31(), GS, 0);
	blk2 = symbolizer_iseq(&s, 0x12000000);
	blk = symbolizer_iseq(&s, 0x11000000);
	bar = symbolizer_iseq(&s, 0x10000000);
	cls = symbolizer_iseq(&s, 0x13000000);
	CHECK_STR(iseq_info_display(blk2, buf, sizeof(buf)), "block (2 levels) in bar");
	/* The innermost block's env leads to bar's method entry through two prev links. */
	symbolizer_qualify(&s, blk2, 0x12000000, 0x5200010);
	CHECK_STR(iseq_info_display(bar, buf, sizeof(buf)), "Foo::Bar#bar");
	/* a block links to its method when first seen; the method is known by then */
	symbolizer_qualify(&s, blk, 0x11000000, 0x5100010);
	CHECK_STR(iseq_info_display(blk, buf, sizeof(buf)), "block in Foo::Bar#bar");
	CHECK_STR(iseq_info_display(blk2, buf, sizeof(buf)), "block (2 levels) in Foo::Bar#bar");
	/* A stale env (another method's entry now) is refused, retried in a later epoch only. */
	/* (symbolizer_qualify says 1 once the label is final, 0 while it may change) */
	CHECK_EQ_INT(symbolizer_qualify(&s, cls, 0x13000000, 0x5000010), 0);
	CHECK_STR(iseq_info_display(cls, buf, sizeof(buf)), "cls");
	CHECK_EQ_INT(symbolizer_qualify(&s, cls, 0x13000000, 0x5300010), 0);
	CHECK_STR(iseq_info_display(cls, buf, sizeof(buf)), "cls"); /* same epoch: not tried */
	s.epoch++;
	CHECK_EQ_INT(symbolizer_qualify(&s, cls, 0x13000000, 0x5300010), 1);
	CHECK_STR(iseq_info_display(cls, buf, sizeof(buf)), "Foo::Bar.cls");
	CHECK_EQ_INT(symbolizer_qualify(&s, bar, 0x10000000, 0x5000010), 1); /* known already */
	/* A block that is no define_method: final once its tries at being one are spent. */
	{
		int i, settled = 0;

		for (i = 0; i < 100 && !settled; i++, s.epoch++)
			settled = symbolizer_qualify(&s, blk, 0x11000000, 0x5100010);
		CHECK(settled && i > 60);
		CHECK_STR(iseq_info_display(blk, buf, sizeof(buf)), "block in Foo::Bar#bar");
	}
	/* A stale env that now holds another method's entry names that method, for free. */
	{
		struct symbolizer s2;
		const struct iseq_info *bar2, *cls2;

		symbolizer_init(&s2, &fm.base, rb31(), GS, 0);
		bar2 = symbolizer_iseq(&s2, 0x10000000);
		cls2 = symbolizer_iseq(&s2, 0x13000000);
		symbolizer_qualify(&s2, cls2, 0x13000000, 0x5000010); /* bar's env */
		CHECK_STR(iseq_info_display(cls2, buf, sizeof(buf)), "cls");
		CHECK_STR(iseq_info_display(bar2, buf, sizeof(buf)), "Foo::Bar#bar");
		symbolizer_free(&s2);
	}
	/* An env chain that loops never ends the walk badly. */
	rb31_env(&fm, 0x5400010, 0, 0x5400010, 0);
	s.epoch++;
	symbolizer_qualify(&s, symbolizer_iseq(&s, 0x11000000), 0x11000000, 0x5400010);
	symbolizer_free(&s);
	fakemem_free(&fm);
}

/* ActionView's compiled template methods are labelled by their template's path. */
void test_template_labels(void)
{
	char out[256];

	CHECK_EQ_INT(ruby_template_label("_app_views_products_index_html_erb__3539995722093609599_5920",
					 "/srv/shop/app/views/products/index.html.erb", out,
					 sizeof(out)),
		     1);
	CHECK_STR(out, "app/views/products/index.html.erb");
	/* a partial, and a negative hash (its '-' made '_') */
	CHECK_EQ_INT(ruby_template_label("_app_views_products__row_html_erb___811_64",
					 "/srv/shop/app/views/products/_row.html.erb", out,
					 sizeof(out)),
		     1);
	CHECK_STR(out, "app/views/products/_row.html.erb");
	/* a template outside the application root: its whole path is encoded (digits too: _) */
	CHECK_EQ_INT(ruby_template_label("__opt_t_v__erb__1_2", "/opt/t/v1.erb", out, sizeof(out)), 1);
	CHECK_STR(out, "/opt/t/v1.erb");
	/* not one: a plain method, a name of another form, a file it does not encode */
	CHECK_EQ_INT(ruby_template_label("index", "/srv/shop/app/x.rb", out, sizeof(out)), 0);
	CHECK_EQ_INT(ruby_template_label("_helper", "/srv/shop/app/x.rb", out, sizeof(out)), 0);
	CHECK_EQ_INT(ruby_template_label("__1_2", "/srv/x.erb", out, sizeof(out)), 0);
	CHECK_EQ_INT(ruby_template_label("_app_views_x_html_erb__1_2", "/srv/shop/app/views/y.html.erb",
					 out, sizeof(out)),
		     0);
}
