// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IDs, class paths and C-method labels from a made-up Ruby 3.1 heap; ruby_global_symbols
 * found in code. */
#include <string.h>
#include "discover/elf_ruby.h"
#include "rb31.h"
#include "rubyvm/names.h"
#include "rubyvm/owner.h"
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

/* An iseq of /a.rb for the owner tests: its label, type and local iseq. */
static void owner_iseq(struct fakemem *fm, __u64 addr, const char *label, int type, __u64 local)
{
	static const int pos[] = {0}, lines[] = {1};

	rb31_iseq(fm, addr, label, "/a.rb", 1, 4, pos, lines, 1);
	rb31_iseq_kind(fm, addr, type, local);
}

/* What the symbolizer told the sampler (symbolizer_settle_fn). */
struct settle_log {
	__u64 iseq[16];
	int settled[16], n;
};

static void log_settle(void *ctx, __u64 iseq, int settled)
{
	struct settle_log *l = ctx;

	if (l->n < 16) {
		l->iseq[l->n] = iseq;
		l->settled[l->n++] = settled;
	}
}

/* A symbolizer of fm's process whose word to the sampler goes to log. */
static void symbolizer_logged(struct symbolizer *s, struct fakemem *fm, struct settle_log *log)
{
	symbolizer_init(s, &fm->base, rb31(), GS, 0);
	s->on_settle = log_settle;
	s->settle_ctx = log;
}

/* The label of a frame of iseq addr whose rbprof_frame.ep is word (its self, if is_self). */
static const char *label_of(struct symbolizer *s, __u64 addr, __u64 word, int is_self)
{
	struct iseq_info *info = (struct iseq_info *)symbolizer_iseq(s, addr);
	static char buf[256];

	return info ? iseq_info_display(info, owner_frame_variant(s, info, addr, word, is_self),
					buf, sizeof(buf))
		    : "?";
}

static const char *frame_label(struct symbolizer *s, __u64 addr, __u64 word)
{
	return label_of(s, addr, word, 0);
}

#define ME(x) ((x) | RBPROF_FRAME_ME) /* a method entry the kernel captured */

/*
 * Ruby frames by the method entry the kernel captured with them: "Foo#bar", "Foo.bar",
 * "block in Foo#bar", "block (2 levels) in Foo#bar", a define_method; settled iseqs.
 */
void test_qualified_ruby_frames(void)
{
	__u64 cp = rb31_id(S_CLASSPATH), att = rb31_id(S_ATTACHED);
	__u64 ids[1] = {cp}, vals[1] = {0x3000000}, sing_vals[1] = {0x2000000}, sing_ids[1] = {att};
	struct settle_log log = {0};
	const struct iseq_info *bar, *cls;
	struct fakemem fm;
	struct symbolizer s;

	fakemem_init(&fm);
	rb31_symbols(&fm, GS, names, 7);
	rb31_string(&fm, 0x3000000, "Foo::Bar");
	rb31_class(&fm, 0x2000000, 0, ids, vals, 1);
	rb31_class(&fm, 0x2100000, FL_SINGLETON, sing_ids, sing_vals, 1);
	/* bar (a method of Foo::Bar), a block in it, a block in that block; cls: a class method */
	owner_iseq(&fm, 0x10000000, "bar", ISEQ_TYPE_METHOD, 0x10000000);
	owner_iseq(&fm, 0x11000000, "block in bar", ISEQ_TYPE_BLOCK, 0x10000000);
	owner_iseq(&fm, 0x12000000, "block (2 levels) in bar", ISEQ_TYPE_BLOCK, 0x10000000);
	owner_iseq(&fm, 0x13000000, "cls", ISEQ_TYPE_METHOD, 0x13000000);
	rb31_method_entry(&fm, 0x4000000, rb31_id(S_TIMES), 0x2000000, 0x10000000);
	rb31_method_entry(&fm, 0x4100000, rb31_id(S_TIMES), 0x2100000, 0x13000000);

	symbolizer_logged(&s, &fm, &log);
	/* Blocks: their method's entry, found by the kernel through their envs. */
	CHECK_STR(frame_label(&s, 0x12000000, ME(0x4000000)), "block (2 levels) in Foo::Bar#bar");
	CHECK_STR(frame_label(&s, 0x11000000, ME(0x4000000)), "block in Foo::Bar#bar");
	CHECK_STR(frame_label(&s, 0x10000000, ME(0x4000000)), "Foo::Bar#bar");
	CHECK_STR(frame_label(&s, 0x13000000, ME(0x4100000)), "Foo::Bar.cls");
	/* Each is settled, and the sampler told so: one owner (no other entry shares the def). */
	CHECK_EQ_INT(log.n, 4);
	CHECK(log.iseq[0] == 0x12000000 && log.settled[0] == 1);
	bar = symbolizer_iseq(&s, 0x10000000);
	cls = symbolizer_iseq(&s, 0x13000000);
	CHECK(bar->settled && cls->settled);
	/* A settled iseq's frame that came without its owner is named all the same. */
	CHECK_STR(frame_label(&s, 0x10000000, 0x5000010), "Foo::Bar#bar");
	CHECK_EQ_INT(log.n, 4);
	symbolizer_free(&s);

	/* A method entry of another method (a torn read) is refused: no label, not settled. */
	symbolizer_init(&s, &fm.base, rb31(), GS, 0);
	CHECK_STR(frame_label(&s, 0x13000000, ME(0x4000000)), "cls");
	CHECK_STR(frame_label(&s, 0x13000000, ME(0)), "cls");
	CHECK(!symbolizer_iseq(&s, 0x13000000)->settled);
	CHECK_STR(frame_label(&s, 0x13000000, ME(0x4100000)), "Foo::Bar.cls");
	symbolizer_free(&s);
	fakemem_free(&fm);
}

/*
 * One iseq under several owners (an alias into another class, a module_function copy): each
 * frame's label follows its own method entry, and the iseq never settles. A method that set
 * $~ has an svar where its method entry was. A frame that came without its owner is looked
 * up after the fact through its env chain, and the sampler is told.
 */
void test_shared_and_late_owners(void)
{
	__u64 cp = rb31_id(S_CLASSPATH);
	__u64 ids[1] = {cp}, vals_a[1] = {0x3000000}, vals_b[1] = {0x3100000};
	struct settle_log log = {0};
	const struct iseq_info *m;
	struct fakemem fm;
	struct symbolizer s;
	unsigned char *svar;

	fakemem_init(&fm);
	rb31_symbols(&fm, GS, names, 7);
	rb31_string(&fm, 0x3000000, "A");
	rb31_string(&fm, 0x3100000, "B");
	rb31_class(&fm, 0x2000000, 0, ids, vals_a, 1);
	rb31_class(&fm, 0x2100000, 0, ids, vals_b, 1);
	owner_iseq(&fm, 0x10000000, "run", ISEQ_TYPE_METHOD, 0x10000000);
	owner_iseq(&fm, 0x11000000, "block in run", ISEQ_TYPE_BLOCK, 0x10000000);
	rb31_method_entry(&fm, 0x4000000, rb31_id(S_TIMES), 0x2000000, 0x10000000);
	rb31_method_entry(&fm, 0x4100000, rb31_id(S_TIMES), 0x2100000, 0x10000000);
	rb31_method_entry_share(&fm, 0x4000000);
	rb31_method_entry_share(&fm, 0x4100000);

	symbolizer_logged(&s, &fm, &log);
	CHECK_STR(frame_label(&s, 0x10000000, ME(0x4000000)), "A#run");
	CHECK_STR(frame_label(&s, 0x10000000, ME(0x4100000)), "B#run");
	CHECK_STR(frame_label(&s, 0x11000000, ME(0x4100000)), "block in B#run");
	CHECK_STR(frame_label(&s, 0x10000000, ME(0x4000000)), "A#run");
	m = symbolizer_iseq(&s, 0x10000000);
	CHECK(!m->settled && m->nvariants == 2);
	CHECK_EQ_INT(log.n, 0);
	/* A frame whose owner is not known shows the plain label: two owners were seen. */
	{
		char buf[64];

		CHECK_STR(iseq_info_display(m, 0, buf, sizeof(buf)), "run");
	}
	/* An svar (the method set $~) holds the method entry in its cref_or_me. */
	svar = fakemem_map(&fm, 0x4800000, 40);
	memset(svar, 0, 40);
	svar[0] = RUBY_T_IMEMO;
	svar[1] = RUBY_IMEMO_SVAR << (RUBY_IMEMO_SHIFT - 8);
	memcpy(svar + 8, &(__u64){0x4100000}, 8);
	CHECK_STR(frame_label(&s, 0x10000000, ME(0x4800000)), "B#run");
	/*
	 * After the fact: the block's env leads to its method's (local) env through ep[-1]; the
	 * sampler hears that the frame came without its owner (its bit shared).
	 */
	rb31_env(&fm, 0x5000010, 0x4000000, 0, 0x2);
	rb31_env(&fm, 0x5100010, 0, 0x5000010 | 1, 0);
	CHECK_STR(frame_label(&s, 0x11000000, 0x5100010), "block in A#run");
	CHECK(log.n == 1 && log.iseq[0] == 0x11000000 && !log.settled[0]);
	/* an env chain that loops ends the walk, and is tried once per batch only */
	rb31_env(&fm, 0x5400010, 0, 0x5400010, 0);
	CHECK_STR(frame_label(&s, 0x10000000, 0x5400010), "run");
	CHECK_EQ_INT(symbolizer_iseq(&s, 0x10000000)->owner_tries, 1);
	CHECK_STR(frame_label(&s, 0x10000000, 0x5400010), "run");
	CHECK_EQ_INT(symbolizer_iseq(&s, 0x10000000)->owner_tries, 1);
	s.epoch++;
	CHECK_STR(frame_label(&s, 0x10000000, 0x5400010), "run");
	CHECK_EQ_INT(symbolizer_iseq(&s, 0x10000000)->owner_tries, 2);
	symbolizer_free(&s);
	fakemem_free(&fm);
}

/* The label of a frame of iseq addr that the kernel sent with its self (RBPROF_FRAME_SELF). */
static const char *self_frame_label(struct symbolizer *s, __u64 addr, __u64 self)
{
	return label_of(s, addr, self, 1);
}

/*
 * module_function: one iseq, a private method of the module and a public one of its
 * singleton class. It settles with both labels once one is seen; then the frame's self
 * tells them apart (the module itself: "M.work"), blocks too. A twin whose definition is
 * shared does not settle; a self sent for an iseq that is not settled names nothing.
 */
void test_module_function_owners(void)
{
	__u64 cp = rb31_id(S_CLASSPATH), att = rb31_id(S_ATTACHED), id = rb31_id(S_TIMES);
	__u64 ids[1] = {cp}, vals[1] = {0x3000000}, sids[1] = {att}, svals[1] = {0x2000000};
	__u64 id2 = rb31_id(S_CLOCK), mids[2] = {id, id2};
	struct settle_log log = {0};
	const struct iseq_info *m;
	struct fakemem fm;
	struct symbolizer s;

	fakemem_init(&fm);
	rb31_symbols(&fm, GS, names, 7);
	rb31_string(&fm, 0x3000000, "M");
	rb31_class(&fm, 0x2000000, 0x1 /* T_MODULE */, ids, vals, 1);
	rb31_class(&fm, 0x2100000, FL_SINGLETON, sids, svals, 1); /* M's singleton class */
	rb31_class_klass(&fm, 0x2000000, 0x2100000);
	owner_iseq(&fm, 0x10000000, "work", ISEQ_TYPE_METHOD, 0x10000000);
	owner_iseq(&fm, 0x11000000, "block in work", ISEQ_TYPE_BLOCK, 0x10000000);
	rb31_method_entry(&fm, 0x4000000, id, 0x2000000, 0x10000000);
	rb31_method_entry_private(&fm, 0x4000000);
	rb31_method_entry(&fm, 0x4100000, id, 0x2100000, 0x10000000);
	/* "rest": a twin whose definition is shared (an alias of it) */
	owner_iseq(&fm, 0x12000000, "rest", ISEQ_TYPE_METHOD, 0x12000000);
	rb31_method_entry(&fm, 0x4200000, id2, 0x2000000, 0x12000000);
	rb31_method_entry_private(&fm, 0x4200000);
	rb31_method_entry(&fm, 0x4300000, id2, 0x2100000, 0x12000000);
	rb31_method_entry_share(&fm, 0x4300000);
	rb31_method_table(&fm, 0x2000000, mids, (__u64[]){0x4000000, 0x4200000}, 2);
	rb31_method_table(&fm, 0x2100000, mids, (__u64[]){0x4100000, 0x4300000}, 2);

	symbolizer_logged(&s, &fm, &log);
	CHECK_STR(frame_label(&s, 0x10000000, ME(0x4100000)), "M.work");
	m = symbolizer_iseq(&s, 0x10000000);
	CHECK(m->settled && m->twin_module == 0x2000000 && m->nvariants == 2);
	CHECK(log.n == 1 && log.iseq[0] == 0x10000000 && log.settled[0]);
	CHECK_STR(self_frame_label(&s, 0x10000000, 0x2000000), "M.work");
	CHECK_STR(self_frame_label(&s, 0x10000000, 0x7000000), "M#work"); /* an includer's */
	CHECK_STR(self_frame_label(&s, 0x10000000, 0x15), "M#work"); /* self may be any VALUE */
	/* a frame captured before the kernel heard: its own method entry */
	CHECK_STR(frame_label(&s, 0x10000000, ME(0x4000000)), "M#work");
	/* a block settles the same way, from the module's side this time */
	CHECK_STR(frame_label(&s, 0x11000000, ME(0x4000000)), "block in M#work");
	CHECK(symbolizer_iseq(&s, 0x11000000)->settled);
	CHECK_STR(self_frame_label(&s, 0x11000000, 0x2000000), "block in M.work");
	CHECK_STR(self_frame_label(&s, 0x11000000, 0x7000000), "block in M#work");

	/* a twin whose definition is shared (an alias of it): no settling */
	CHECK_STR(frame_label(&s, 0x12000000, ME(0x4200000)), "M#rest");
	CHECK(!symbolizer_iseq(&s, 0x12000000)->settled);
	/* its bit shared with a settled iseq's, it came with a self: the sampler hears */
	CHECK_STR(self_frame_label(&s, 0x12000000, 0x2000000), "M#rest");
	CHECK(log.n == 3 && log.iseq[2] == 0x12000000 && !log.settled[2]);
	symbolizer_free(&s);
	fakemem_free(&fm);
}

/*
 * define_method: the block is the method ("A#times"), and a block written in it is "block in
 * A#times"; the same block under two define_methods has two labels. A block of <main> has no
 * owner and settles at once.
 */
void test_define_method_owners(void)
{
	__u64 cp = rb31_id(S_CLASSPATH);
	__u64 ids[1] = {cp}, vals[1] = {0x3000000};
	struct fakemem fm;
	struct symbolizer s;

	fakemem_init(&fm);
	rb31_symbols(&fm, GS, names, 7);
	rb31_string(&fm, 0x3000000, "A");
	rb31_class(&fm, 0x2000000, 0, ids, vals, 1);
	owner_iseq(&fm, 0x10000000, "<class:A>", ISEQ_TYPE_CLASS, 0x10000000);
	owner_iseq(&fm, 0x11000000, "block in <class:A>", ISEQ_TYPE_BLOCK, 0x10000000);
	rb31_iseq_parent(&fm, 0x11000000, 0x10000000);
	owner_iseq(&fm, 0x12000000, "block (2 levels) in <class:A>", ISEQ_TYPE_BLOCK, 0x10000000);
	rb31_iseq_parent(&fm, 0x12000000, 0x11000000);
	owner_iseq(&fm, 0x13000000, "<main>", ISEQ_TYPE_MAIN, 0x13000000);
	owner_iseq(&fm, 0x14000000, "block in <main>", ISEQ_TYPE_BLOCK, 0x13000000);
	rb31_bmethod_entry(&fm, 0x4000000, rb31_id(S_TIMES), 0x2000000, 0x11000000);
	rb31_bmethod_entry(&fm, 0x4400000, rb31_id(S_CLOCK), 0x2000000, 0x11000000);

	symbolizer_init(&s, &fm.base, rb31(), GS, 0);
	CHECK_STR(frame_label(&s, 0x11000000, ME(0x4000000)), "A#times");
	CHECK_STR(frame_label(&s, 0x11000000, ME(0x4400000)), "A#clock_gettime");
	CHECK_STR(frame_label(&s, 0x12000000, ME(0x4000000)), "block in A#times");
	CHECK(!symbolizer_iseq(&s, 0x11000000)->settled);
	/* a frame of the class body itself, and a block of <main>: no owner, settled */
	CHECK_STR(frame_label(&s, 0x10000000, 0x5000010), "<class:A>");
	CHECK(symbolizer_iseq(&s, 0x10000000)->settled);
	CHECK_STR(frame_label(&s, 0x14000000, ME(0)), "block in <main>");
	CHECK(symbolizer_iseq(&s, 0x14000000)->settled);
	symbolizer_free(&s);
	fakemem_free(&fm);
}

/* ActionView's compiled template methods are labelled by their template's path. */
void test_template_labels(void)
{
	char out[256];

	CHECK_EQ_INT(
	    ruby_template_label("_app_views_products_index_html_erb__3539995722093609599_5920",
				"/srv/shop/app/views/products/index.html.erb", out, sizeof(out)),
	    1);
	CHECK_STR(out, "app/views/products/index.html.erb");
	/* a partial, and a negative hash (its '-' made '_') */
	CHECK_EQ_INT(ruby_template_label("_app_views_products__row_html_erb___811_64",
					 "/srv/shop/app/views/products/_row.html.erb", out,
					 sizeof(out)),
		     1);
	CHECK_STR(out, "app/views/products/_row.html.erb");
	/* a template outside the application root: its whole path is encoded (digits too: _) */
	CHECK_EQ_INT(ruby_template_label("__opt_t_v__erb__1_2", "/opt/t/v1.erb", out, sizeof(out)),
		     1);
	CHECK_STR(out, "/opt/t/v1.erb");
	/* not one: a plain method, a name of another form, a file it does not encode */
	CHECK_EQ_INT(ruby_template_label("index", "/srv/shop/app/x.rb", out, sizeof(out)), 0);
	CHECK_EQ_INT(ruby_template_label("_helper", "/srv/shop/app/x.rb", out, sizeof(out)), 0);
	CHECK_EQ_INT(ruby_template_label("__1_2", "/srv/x.erb", out, sizeof(out)), 0);
	CHECK_EQ_INT(ruby_template_label("_app_views_x_html_erb__1_2",
					 "/srv/shop/app/views/y.html.erb", out, sizeof(out)),
		     0);
}

/* A class anonymous at its first sample and named since: the trim tells, and reads it anew. */
void test_names_trim(void)
{
	__u64 cp_id = rb31_id(S_CLASSPATH), ids[1] = {rb31_id(S_TIMES)}, vals[1] = {0x3100000};
	__u64 named_ids[1] = {cp_id};
	struct fakemem fm;
	struct ruby_names n;

	setup(&fm, &n);
	rb31_string(&fm, 0x3100000, "Later");
	rb31_class(&fm, 0x2200000, 0, ids, vals, 1); /* an ivar, no __classpath__ yet */
	rb31_class(&fm, 0x2000000, 0, named_ids, vals, 1);
	CHECK_STR(ruby_class_path(&n, 0x2200000), "#<Class:0x0000000002200000>");
	CHECK_STR(ruby_class_path(&n, 0x2000000), "Later");
	CHECK(ruby_class_path(&n, 0x7700000) == NULL); /* a failure, cached */
	CHECK_EQ_INT(ruby_names_trim(&n), 0);	       /* still anonymous */
	CHECK_EQ_INT((int)n.classes.len, 1);	       /* only the name stays */
	CHECK_STR(ruby_class_path(&n, 0x2200000), "#<Class:0x0000000002200000>");
	fakemem_write(&fm, 0x2200000 + 0x300 + 8, &cp_id, sizeof(cp_id)); /* Later = Class.new */
	CHECK_EQ_INT(ruby_names_trim(&n), 1);
	CHECK_STR(ruby_class_path(&n, 0x2200000), "Later");
	ruby_names_free(&n);
	fakemem_free(&fm);
}
