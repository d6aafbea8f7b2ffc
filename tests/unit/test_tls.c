// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Discovery and TLS resolution on live processes: the tlsfix programs print, for each of
 * their threads, the thread pointer and where their ruby_current_ec is; the probe plus the
 * kernel walker's rbprof_find_ec (reading the live process) must land on the same EC.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "child.h"
#include "discover/probe.h"
#include "test.h"
#include "sampling/walk_host.h"

/*
 * want_static: 1 if libruby's TLS block must be found in static TLS (the sampler then learns
 * its offset from the thread pointer from one thread and uses it for all: it must be the same
 * in every thread), 0 if it must not (a block allocated apart), -1 if not reached via the DTV.
 */
static void check_program(const char *name, enum libc_kind want_libc, __u64 want_kind,
			  int want_static)
{
	long first_offset = 0;
	char prog[512], why[128], line[256];
	const char *dir = getenv("RBPROF_TEST_OUTPUT");
	struct discover d;
	struct ruby_target t;
	struct procmem pm;
	FILE *out;
	pid_t pid;
	int threads = 0;

	snprintf(prog, sizeof(prog), "%s/%s", dir ? dir : ".output", name);
	pid = child_spawn(prog, NULL, &out);
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	discover_init(&d);
	procmem_init(&pm, pid);
	walk_mem = &pm.base;
	while (threads < 3 && fgets(line, sizeof(line), out)) {
		unsigned long tp, ec_addr, ec_want;
		__u64 ec = 0;

		if (sscanf(line, "tp %lx ec_addr %lx ec %lx", &tp, &ec_addr, &ec_want) != 3)
			continue;
		if (!threads++) {
			/* Probe once the process runs main(): its libraries are mapped by then. */
			CHECK_EQ_INT(discover_probe(&d, pid, &t, why, sizeof(why)), PROBE_RUBY);
			CHECK_STR(t.version, "3.1.2");
			CHECK_EQ_INT(t.bpf.tls_kind, want_kind);
			CHECK_EQ_INT(t.libc, want_libc);
		}
		CHECK_EQ_INT(rbprof_find_ec(&t.bpf, tp, &ec), RBPROF_WALK_OK);
		CHECK_EQ_INT(ec, ec_want);
		if (want_static >= 0) {
			__u64 loc = 0;
			int in_static;

			CHECK_EQ_INT(rbprof_ec_location(&t.bpf, tp, &loc, &in_static),
				     RBPROF_WALK_OK);
			CHECK_EQ_INT(loc, ec_addr);
			CHECK_EQ_INT(in_static, want_static);
			if (threads == 1)
				first_offset = (long)(loc - tp);
			else if (want_static)
				CHECK_EQ_INT((long)(loc - tp), first_offset);
		}
	}
	CHECK_EQ_INT(threads, 3);
	child_stop(pid, out);
	discover_free(&d);
}

void test_tls_dynamic_libruby(void)
{
	check_program("tlsfix", LIBC_GLIBC, RBPROF_TLS_DTV, 1);
}

void test_tls_dlopened_libruby(void)
{
	check_program("tlsfix-dlopen", LIBC_GLIBC, RBPROF_TLS_DTV, 0);
}

void test_tls_static_in_pie(void)
{
	check_program("tlsfix-exe", LIBC_GLIBC, RBPROF_TLS_STATIC, -1);
}

void test_tls_static_binary(void)
{
	check_program("tlsfix-static", LIBC_GLIBC, RBPROF_TLS_STATIC, -1);
}

/*
 * musl: one-word DTV entries, its own static TLS placement. The sampler does not learn a
 * static offset there (musl's DTV entries do not say which blocks are static), so want 0.
 */
void test_tls_musl_dynamic_libruby(void)
{
	check_program("tlsfix-musl", LIBC_MUSL, RBPROF_TLS_DTV, 0);
}

void test_tls_musl_dlopened_libruby(void)
{
	check_program("tlsfix-musl-dlopen", LIBC_MUSL, RBPROF_TLS_DTV, 0);
}

void test_tls_musl_static_in_pie(void)
{
	check_program("tlsfix-musl-exe", LIBC_MUSL, RBPROF_TLS_STATIC, -1);
}

void test_tls_musl_static_binary(void)
{
	check_program("tlsfix-musl-static", LIBC_MUSL, RBPROF_TLS_STATIC, -1);
}

void test_probe_not_ruby_and_gone(void)
{
	struct discover d;
	struct ruby_target t;
	char why[128];
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sleep", "sleep", "20", (char *)NULL);
		_exit(127);
	}
	usleep(100 * 1000);
	discover_init(&d);
	CHECK_EQ_INT(discover_probe(&d, pid, &t, why, sizeof(why)), PROBE_NOT_RUBY);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_EQ_INT(discover_probe(&d, pid, &t, why, sizeof(why)), PROBE_GONE);
	discover_free(&d);
}
