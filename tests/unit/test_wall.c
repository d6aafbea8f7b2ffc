// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --wall's verdicts: a thread's leaf from the scheduler's state and the VM's (wall_flags);
 * the VM's state read from a made-up rb_thread_t, hostile ones included; Ruby 2.7's thread
 * list; and the wall fixtures of every supported Ruby (tests/unit/fixtures/ruby-VERSION-wall.fixture.gz,
 * recorded by scripts/capture-fixture.sh of tests/e2e/programs/wall.rb WALL_MODE=all).
 */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/syscalls.h"
#include "aggregate/aggregate.h"
#include "devtools/fixture.h"
#include "output/dump.h"
#include "fakemem.h"
#include "sampling/wall.h"
#include "test.h"

#define NR_READ 0

void test_wall_flags(void)
{
	struct ruby_thread_vm_state waiting = {.status = RUBY_THREAD_RUNNABLE},
				    back_from_io = {.status = RUBY_THREAD_STOPPED,
						    .in_blocking_region = 1},
				    sleeping = {.status = RUBY_THREAD_STOPPED},
				    holder = {.status = RUBY_THREAD_RUNNABLE, .holds_gvl = 1};
	struct rbprof_thread_state futex = {.state = 1, .syscall = RBPROF_NR_FUTEX},
				   read = {.state = 1, .syscall = NR_READ},
				   preempted = {.state = RBPROF_TASK_RUNNING, .syscall = -1},
				   running = {.on_cpu = 1};

	CHECK_EQ_INT(wall_flags(&holder, &running), 0);
	CHECK_EQ_INT(wall_flags(NULL, &running), 0);
	/* in futex, wanting the GVL another holds */
	CHECK_EQ_INT(wall_flags(&waiting, &futex), RBPROF_EV_GVL_WAIT);
	CHECK_EQ_INT(wall_flags(&back_from_io, &futex), RBPROF_EV_GVL_WAIT);
	/* in futex for something else: Thread#join, Queue#pop, sleep; or holding the GVL */
	CHECK_EQ_INT(wall_flags(&sleeping, &futex),
		     RBPROF_EV_OFFCPU | (RBPROF_NR_FUTEX + 1) << RBPROF_EV_SYSCALL_SHIFT);
	CHECK_EQ_INT(wall_flags(&holder, &futex),
		     RBPROF_EV_OFFCPU | (RBPROF_NR_FUTEX + 1) << RBPROF_EV_SYSCALL_SHIFT);
	/* the VM not known: never GVL wait */
	CHECK_EQ_INT(wall_flags(NULL, &futex),
		     RBPROF_EV_OFFCPU | (RBPROF_NR_FUTEX + 1) << RBPROF_EV_SYSCALL_SHIFT);
	CHECK_EQ_INT(wall_flags(&back_from_io, &read),
		     RBPROF_EV_OFFCPU | (NR_READ + 1) << RBPROF_EV_SYSCALL_SHIFT);
	CHECK_EQ_INT(wall_flags(&holder, &preempted), RBPROF_EV_RUNNABLE);
	/* no system call known (a page fault, -1), or a number past the field: none said */
	preempted.state = 2;
	CHECK_EQ_INT(wall_flags(&holder, &preempted), RBPROF_EV_OFFCPU);
	preempted.syscall = 1LL << 40;
	CHECK_EQ_INT(wall_flags(&holder, &preempted), RBPROF_EV_OFFCPU);
	CHECK_STR(syscall_name(NR_READ), "read");
	CHECK_STR(syscall_name(RBPROF_NR_FUTEX), "futex");
	CHECK(syscall_name(-1) == NULL && syscall_name(1 << 20) == NULL);
}

/* A 3.3-like layout's thread-state members, made up: what the reader must follow. */
static const struct ruby_layout thread_layout = {
    .thread_status = 0x60,
    .thread_status_shift = 2,
    .thread_blocking_region = 0x70,
    .thread_sched_base = 0x10,
    .sched_running = 0x28,
    .ec_thread_ptr = 48,
    .thread_ec = 0x30,
    .thread_id = 0x48,
    .vm_living_threads = 0x100,
    .thread_vmlt_node = 0,
};

#define TH   0x10000ULL
#define TH2  0x11000ULL
#define RACT 0x20000ULL

void test_wall_vm_state(void)
{
	const struct ruby_layout *L = &thread_layout;
	struct ruby_thread_vm_state vm;
	struct ruby_layout none = {0};
	struct fakemem fm;
	__u8 status = RUBY_THREAD_STOPPED << 2 | 3; /* neighbouring bits set: masked off */
	__u64 v;

	fakemem_init(&fm);
	fakemem_map(&fm, TH, 0x100);
	fakemem_map(&fm, RACT, 0x100);
	fakemem_write(&fm, TH + L->thread_status, &status, 1);
	v = 0x7fff0000;
	fakemem_write(&fm, TH + L->thread_blocking_region, &v, 8);
	v = RACT;
	fakemem_write(&fm, TH + L->thread_sched_base, &v, 8);
	v = TH2;
	fakemem_write(&fm, RACT + L->sched_running, &v, 8);
	CHECK_EQ_INT(ruby_thread_vm_state(L, &fm.base, TH, &vm), 0);
	CHECK_EQ_INT(vm.status, RUBY_THREAD_STOPPED);
	CHECK_EQ_INT(vm.in_blocking_region, 1);
	CHECK_EQ_INT(vm.holds_gvl, 0);
	v = TH;
	fakemem_write(&fm, RACT + L->sched_running, &v, 8);
	CHECK_EQ_INT(ruby_thread_vm_state(L, &fm.base, TH, &vm), 0);
	CHECK_EQ_INT(vm.holds_gvl, 1);
	/* no scheduler yet: holds nothing */
	v = 0;
	fakemem_write(&fm, TH + L->thread_sched_base, &v, 8);
	CHECK_EQ_INT(ruby_thread_vm_state(L, &fm.base, TH, &vm), 0);
	CHECK_EQ_INT(vm.holds_gvl, 0);
	/* hostile: a scheduler pointer into nothing, a thread that is no pointer, no layout */
	v = 0xdead0000;
	fakemem_write(&fm, TH + L->thread_sched_base, &v, 8);
	CHECK(ruby_thread_vm_state(L, &fm.base, TH, &vm) < 0);
	CHECK(ruby_thread_vm_state(L, &fm.base, 0, &vm) < 0);
	CHECK(ruby_thread_vm_state(L, &fm.base, TH + 3, &vm) < 0);
	CHECK(ruby_thread_vm_state(L, &fm.base, 0x90000, &vm) < 0);
	CHECK_EQ_INT(ruby_thread_vm_state(&none, &fm.base, TH, &vm), -ENOTSUP);
	fakemem_free(&fm);
}

#define EC  0x30000ULL
#define VM  0x40000ULL
#define TH3 0x12000ULL

/* Ruby 2.7: a thread found by its pthread id in the VM's list; a list that loops is cut. */
void test_wall_living_threads(void)
{
	const struct ruby_layout *L = &thread_layout;
	struct fakemem fm;
	__u64 th = 0, v, head = VM + L->vm_living_threads;

	fakemem_init(&fm);
	fakemem_map(&fm, EC, 0x100);
	fakemem_map(&fm, VM, 0x200);
	fakemem_map(&fm, TH, 0x100);
	fakemem_map(&fm, TH2, 0x100);
	fakemem_map(&fm, TH3, 0x100);
	v = TH;
	fakemem_write(&fm, EC + L->ec_thread_ptr, &v, 8);
	v = VM;
	fakemem_write(&fm, TH + L->thread_sched_base, &v, 8);
	/* head -> TH -> TH2 -> TH3 -> head */
	fakemem_write(&fm, head, &(__u64){TH}, 8);
	fakemem_write(&fm, TH, &(__u64){TH2}, 8);
	fakemem_write(&fm, TH2, &(__u64){TH3}, 8);
	fakemem_write(&fm, TH3, &head, 8);
	fakemem_write(&fm, TH + L->thread_id, &(__u64){0x7f0001}, 8);
	fakemem_write(&fm, TH2 + L->thread_id, &(__u64){0x7f0002}, 8);
	fakemem_write(&fm, TH3 + L->thread_id, &(__u64){0x7f0003}, 8);
	CHECK_EQ_INT(ruby_thread_by_tp(L, &fm.base, EC, 0x7f0003, &th), 0);
	CHECK_EQ_INT(th, TH3);
	CHECK_EQ_INT(ruby_thread_by_tp(L, &fm.base, EC, 0x7f0009, &th), -ESRCH);
	/* a list that loops without its head: cut after RUBY_LIVING_THREADS_MAX */
	fakemem_write(&fm, TH3, &(__u64){TH}, 8);
	CHECK_EQ_INT(ruby_thread_by_tp(L, &fm.base, EC, 0x7f0009, &th), -ESRCH);
	/* torn: a next pointer into nothing */
	fakemem_write(&fm, TH2, &(__u64){0xbad000}, 8);
	CHECK(ruby_thread_by_tp(L, &fm.base, EC, 0x7f0009, &th) < 0);
	fakemem_free(&fm);
}

/* The Rubies a wall fixture must exist for: each series the table supports. */
static const char *const wall_versions[] = {"2.7.8", "3.0.7",  "3.1.2", "3.2.11",
					    "3.3.11", "3.4.9", "4.0.5"};

/* What each wall fixture's replayed stacks must say of its threads (wall.rb WALL_MODE=all). */
static void check_wall_fixture(const char *path)
{
	struct fixture f;
	char *got = NULL;
	int err = fixture_load(path, &f);

	CHECK_EQ_INT(err, 0);
	if (err) {
		fprintf(stderr, "  %s: %s\n", path, strerror(-err));
		return;
	}
	CHECK(f.has_states);
	CHECK_EQ_INT(fixture_profile(&f, &f.mem.base, &got), 0);
	if (!got) {
		fixture_free(&f);
		return;
	}
	/* the reader in read(2), the sleeper off-CPU in sleep, a burner waiting for the GVL */
	if (!strstr(got, "IO#read [c];(off-CPU: read) 1\n") ||
	    !strstr(got, "Kernel#sleep [c];(off-CPU: ") ||
	    !strstr(got, ");(GVL wait) "))
		fprintf(stderr, "  %s: replayed\n%s", path, got);
	CHECK(strstr(got, "IO#read [c];(off-CPU: read) 1\n") != NULL);
	CHECK(strstr(got, "Kernel#sleep [c];(off-CPU: ") != NULL);
	CHECK(strstr(got, "Object#burn (tests/e2e/programs/wall.rb:") != NULL);
	CHECK(strstr(got, ");(GVL wait) ") != NULL);
	free(got);
	fixture_free(&f);
}

void test_wall_fixtures(void)
{
	const char *dir = getenv("RBPROF_TEST_FIXTURES") ?: "tests/unit/fixtures";
	size_t i;

	for (i = 0; i < sizeof(wall_versions) / sizeof(wall_versions[0]); i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/ruby-%s-wall.fixture.gz", dir, wall_versions[i]);
		check_wall_fixture(path);
	}
}

/*
 * --dump's text: innermost first, a C method at its caller's line, the leaf state said in the
 * header; names a program chose with newlines and escapes printed clean.
 */
void test_wall_dump_text(void)
{
	struct iseq_info outer = {.label = "Job#run", .path = "/app/job.rb"};
	struct iseq_info evil = {.label = "Evil#\n\x1b[2Jname", .path = "/app/evil\n.rb"};
	struct iseq_info cread = {.label = "IO#read [c]"};
	struct ruby_thread_vm_state vm = {.status = RUBY_THREAD_STOPPED};
	struct aggregate a;
	__u32 ids[4];
	struct dump_thread d = {.tid = 42, .name = "worker\n1", .vm = &vm, .ids = ids, .n = 4};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK_EQ_INT(aggregate_init(&a), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&a, &outer, 12, 0, &ids[0]), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&a, &evil, 7, 0, &ids[1]), 0);
	CHECK_EQ_INT(aggregate_ruby_frame(&a, &cread, 0, 0, &ids[2]), 0);
	CHECK_EQ_INT(aggregate_offcpu_frame(&a, NR_READ, &ids[3]), 0);
	d.flags = RBPROF_EV_OFFCPU | (NR_READ + 1) << RBPROF_EV_SYSCALL_SHIFT;
	CHECK_EQ_INT(dump_process_write(f, 7, "ru\nby", "3.4.9\x1b", 1, 1), 0);
	CHECK_EQ_INT(dump_thread_write(f, &a, &d), 0);
	fclose(f);
	CHECK_STR(text, "Process 7 (ru\\x0aby), Ruby 3.4.9\\x1b, 1 thread\n\n"
			"Thread 42 \"worker\\x0a1\": blocked in read (Thread#status: sleep)\n"
			"    /app/evil\\x0a.rb:7:in 'IO#read'\n"
			"    /app/evil\\x0a.rb:7:in 'Evil#\\x0a\\x1b[2Jname'\n"
			"    /app/job.rb:12:in 'Job#run'\n");
	free(text);
	aggregate_free(&a);
}
