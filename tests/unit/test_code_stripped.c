// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Stripped builds, read from code: the code-reader stand-ins (fixtures/codefix_*.c, built by
 * make in each TLS model, and stripped as Debian strips) must give, from their code, the
 * places that the unstripped copies' symbol tables give; live, the probe must check them
 * through a thread and land on the EC the program set (and pass over a decoy). Debian's own
 * libruby-3.1 read through its code must give what its .dynsym gives.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "child.h"
#include "discover/probe.h"
#include "discover/tls.h"
#include "sampling/walk_host.h"
#include "test.h"

static const char *fixture_path(const char *model, const char *file, char *buf, size_t cap)
{
	const char *dir = getenv("RBPROF_TEST_OUTPUT");

	snprintf(buf, cap, "%s/codefix/%s/%s", dir ? dir : ".output", model, file);
	return buf;
}

/* Read the stand-in file `file` of `model`: 0 or -errno. */
static int read_fixture(const char *model, const char *file, struct elf_ruby *out)
{
	char path[512];

	return elf_ruby_read(fixture_path(model, file, path, sizeof(path)), NULL, NULL, out);
}

/*
 * The place each TLS model's code gives, against the unstripped symbol table's. An exported
 * variable stays in .dynsym when stripped (Debian's 3.1): its code is read by force.
 */
static void check_model(const char *model, enum tls_ref_kind want, int force)
{
	char stripped_model[64];
	struct elf_ruby sym, code;

	snprintf(stripped_model, sizeof(stripped_model), "%s-stripped", model);
	CHECK_EQ_INT(read_fixture(model, "libruby-codefix.so", &sym), 0);
	if (force)
		setenv("RBPROF_SYMBOLS_FROM", "code", 1);
	CHECK_EQ_INT(read_fixture(stripped_model, "libruby-codefix.so", &code), 0);
	unsetenv("RBPROF_SYMBOLS_FROM");
	CHECK_EQ_INT(sym.ec_from, FROM_SYMTAB);
	CHECK_EQ_INT(code.ec_from, FROM_CODE);
	CHECK(elf_ruby_is_complete(&code));
	CHECK_EQ_INT(code.nec_refs, 3); /* rb_errinfo, rb_thread_current, rb_block_given_p */
	CHECK_EQ_INT(code.ec_refs[0].kind, want);
	CHECK_EQ_INT(code.ec_refs[0].offset, sym.ec_refs[0].offset);
	CHECK_EQ_INT(code.vm_ptr_from, FROM_CODE);
	CHECK_EQ_INT(code.vm_ptr, sym.vm_ptr);
	CHECK_EQ_INT(code.symbols_from, FROM_CODE);
	CHECK_EQ_INT(code.global_symbols, sym.global_symbols);
	if (want == TLS_REF_DTV)
		CHECK_EQ_INT(code.ec_refs[0].slot != 0, 1);
}

void test_code_stripped_tls_models(void)
{
	check_model("gd", TLS_REF_DTV, 0);
	check_model("ld", TLS_REF_DTV, 0);
	check_model("desc", TLS_REF_DESC, 0);
	check_model("ie", TLS_REF_GOT_TPOFF, 0);
	check_model("exported", TLS_REF_DTV, 1);
}

/* A program with the VM compiled in: local exec, at the static TLS offset glibc gives. */
void test_code_stripped_static(void)
{
	struct elf_ruby sym, code;

	CHECK_EQ_INT(read_fixture("static", "codefix", &sym), 0);
	CHECK_EQ_INT(read_fixture("static-stripped", "codefix", &code), 0);
	CHECK_EQ_INT(code.ec_from, FROM_CODE);
	CHECK_EQ_INT(code.ec_refs[0].kind, TLS_REF_TPOFF);
	CHECK_EQ_INT(code.ec_refs[0].offset,
		     tls_static_offset(&sym, sym.ec_refs[0].offset, LIBC_GLIBC));
	CHECK_EQ_INT(code.vm_ptr, sym.vm_ptr);
}

/* RBPROF_SYMBOLS_FROM=code on a file that has the symbols reads it as if stripped. */
void test_code_forced_on_debian_libruby(void)
{
	const char *lib = "/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1";
	struct elf_ruby sym, code;

	CHECK_EQ_INT(elf_ruby_read(lib, NULL, NULL, &sym), 0);
	setenv("RBPROF_SYMBOLS_FROM", "code", 1);
	CHECK_EQ_INT(elf_ruby_read(lib, NULL, NULL, &code), 0);
	unsetenv("RBPROF_SYMBOLS_FROM");
	CHECK_EQ_INT(sym.ec_from, FROM_SYMTAB);
	CHECK_EQ_INT(sym.vm_ptr_from, FROM_SYMTAB);
	CHECK_EQ_INT(code.ec_from, FROM_CODE);
	CHECK_EQ_INT(code.vm_ptr_from, FROM_CODE);
	/* what .dynsym says, from the code of rb_errinfo and rb_get_coverages */
	CHECK_EQ_INT(code.ec_refs[0].kind, TLS_REF_DTV);
	CHECK_EQ_INT(code.ec_refs[0].offset, sym.ec_refs[0].offset);
	CHECK_EQ_INT(code.ec_refs[0].slot, sym.ec_refs[0].slot);
	CHECK_EQ_INT(code.vm_ptr, sym.vm_ptr);
	/* ruby_global_symbols is in neither of Debian's tables: both read it from code */
	CHECK_EQ_INT(code.global_symbols, sym.global_symbols);
	CHECK(code.global_symbols != 0);
}

struct live {
	__u64 tp;
};

static int live_tp(void *ctx, pid_t pid, __u64 *tp)
{
	(void)pid;
	*tp = ((struct live *)ctx)->tp;
	return 0;
}

/* Probe a running stand-in: the place from code, checked through its thread, is the EC's. */
static void check_live(const char *model, const char *want_note)
{
	unsigned long tp, ec_addr, ec_want;
	struct ruby_target t;
	struct discover d;
	struct procmem pm;
	struct live live;
	char path[512], why[256], line[256];
	__u64 ec = 0;
	FILE *out;
	pid_t pid = child_spawn(fixture_path(model, "codefix", path, sizeof(path)), NULL, &out);

	CHECK(pid > 0);
	if (pid <= 0)
		return;
	if (!fgets(line, sizeof(line), out) ||
	    sscanf(line, "tp %lx ec_addr %lx ec %lx", &tp, &ec_addr, &ec_want) != 3) {
		CHECK(!"the stand-in said where its EC is");
		child_stop(pid, out);
		return;
	}
	live.tp = tp;
	discover_init(&d);
	d.thread_pointer = live_tp;
	d.thread_pointer_ctx = &live;
	CHECK_EQ_INT(discover_probe(&d, pid, &t, why, sizeof(why)), PROBE_RUBY);
	if (!strstr(t.ec_note, want_note))
		fprintf(stderr, "  %s: ec_note \"%s\", why \"%s\"\n", model, t.ec_note, why);
	CHECK(strstr(t.ec_note, want_note) != NULL);
	procmem_init(&pm, pid);
	walk_mem = &pm.base;
	CHECK_EQ_INT(rbprof_find_ec(&t.bpf, tp, &ec), RBPROF_WALK_OK);
	CHECK_EQ_INT(ec, ec_want);
	/* without a way to its threads, a place from code is not used */
	d.thread_pointer = NULL;
	CHECK_EQ_INT(discover_probe(&d, pid, &t, why, sizeof(why)), PROBE_FAILED);
	CHECK(strstr(why, "cannot be read to check it") != NULL);
	child_stop(pid, out);
	discover_free(&d);
}

void test_code_stripped_live(void)
{
	check_live("gd-stripped", "from the code of rb_errinfo");
	check_live("ld-stripped", "from the code of rb_errinfo");
	check_live("desc-stripped", "from the code of rb_errinfo");
	check_live("ie-stripped", "from the code of rb_errinfo");
	check_live("static-stripped", "from the code of rb_errinfo");
	/* rb_errinfo reads a decoy: rejected, rb_thread_current's place used */
	check_live("decoy-stripped", "rb_errinfo: no EC through it");
	check_live("decoy-stripped", "from the code of rb_thread_current");
}

/*
 * Symbols kept apart from a stripped file: its debug file on disk (looked for in the
 * stand-in root), its MiniDebugInfo (looked for with the host's root, which has no debug
 * file of these: the copies share the stand-in's build id).
 */
static void check_symbols_from(const char *lib, enum fact_source want_ec, struct elf_ruby *sym)
{
	const char *dir = getenv("RBPROF_TEST_OUTPUT");
	char root[512], path[1024], name[256];
	struct elf_ruby e;

	snprintf(root, sizeof(root), "%s/symbols-root", dir ? dir : ".output");
	snprintf(name, sizeof(name), "/lib/%s", lib);
	snprintf(path, sizeof(path), "%s%s", root, name);
	CHECK_EQ_INT(elf_ruby_read(path, want_ec == FROM_DEBUG_FILE ? root : "", name, &e), 0);
	if (e.ec_from != want_ec)
		fprintf(stderr, "  %s: ec from %s\n", lib, fact_source_name(e.ec_from));
	CHECK_EQ_INT(e.ec_from, want_ec);
	CHECK(elf_ruby_is_complete(&e));
	CHECK_EQ_INT(e.ec_refs[0].offset, sym->ec_refs[0].offset);
	CHECK_EQ_INT(e.vm_ptr, sym->vm_ptr);
	CHECK_EQ_INT(e.global_symbols, sym->global_symbols);
}

void test_symbols_from_debug_sources(void)
{
	struct elf_ruby sym;

	CHECK_EQ_INT(read_fixture("gd", "libruby-codefix.so", &sym), 0);
	check_symbols_from("libruby-debugfile.so", FROM_DEBUG_FILE, &sym);
	check_symbols_from("libruby-minidebuginfo.so", FROM_MINIDEBUGINFO, &sym);
	/* Fedora keeps functions only: the variables come from code */
	check_symbols_from("libruby-minifuncs.so", FROM_CODE, &sym);
}
