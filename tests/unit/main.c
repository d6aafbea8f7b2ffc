// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The unit-test runner: every test, one line each, then "unit: N passed, N failed". */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "test.h"

int test_failed_checks;

#define TESTS(X)                                                                                   \
	X(test_line_table_sizes)                                                                   \
	X(test_line_table_single_entry)                                                            \
	X(test_line_table_hostile)                                                                 \
	X(test_string_embedded_and_heap)                                                           \
	X(test_string_hostile_length)                                                              \
	X(test_pathobj_forms)                                                                      \
	X(test_iseq_label_path_lines)                                                              \
	X(test_iseq_hostile)                                                                       \
	X(test_symbolizer_cache)                                                                   \
	X(test_hashmap_retain)                                                                     \
	X(test_symcache_revalidate)                                                                \
	X(test_symcache_lru)                                                                       \
	X(test_aggregate_bounds)                                                                   \
	X(test_aggregate_extract)                                                                  \
	X(test_proc_table_free_exited)                                                             \
	X(test_names_trim)                                                                         \
	X(test_push_ingest_url)                                                                    \
	X(test_push_series_name)                                                                   \
	X(test_push_url_check)                                                                     \
	X(test_push_auth_forms)                                                                    \
	X(test_push_retry_then_sent)                                                               \
	X(test_push_basic_auth)                                                                    \
	X(test_push_refused_not_retried)                                                           \
	X(test_push_queue_drops_oldest)                                                            \
	X(test_push_close_deadline)                                                                \
	X(test_push_oversized_dropped)                                                             \
	X(test_walk_frame_kinds)                                                                   \
	X(test_walk_leaf_jit)                                                                      \
	X(test_walk_deep_stack_truncated)                                                          \
	X(test_walk_hostile)                                                                       \
	X(test_walk_static_tls)                                                                    \
	X(test_walk_gc_state)                                                                      \
	X(test_walk_global_ec)                                                                     \
	X(test_walk_owner_capture)                                                                 \
	X(test_escape)                                                                             \
	X(test_text_escapes)                                                                       \
	X(test_container_ids)                                                                      \
	X(test_wall_flags)                                                                         \
	X(test_wall_vm_state)                                                                      \
	X(test_wall_living_threads)                                                                \
	X(test_wall_fixtures)                                                                      \
	X(test_wall_dump_text)                                                                     \
	X(test_profile_proc_label)                                                                 \
	X(test_frame_text_kinds)                                                                   \
	X(test_methods_table)                                                                      \
	X(test_aggregate_and_write)                                                                \
	X(test_aggregate_many_stacks)                                                              \
	X(test_write_order_is_strcmp)                                                              \
	X(test_svg_hostile_names)                                                                  \
	X(test_svg_thread_frames)                                                                  \
	X(test_svg_deep_stack)                                                                     \
	X(test_svg_box_limit)                                                                      \
	X(test_svg_many_stacks)                                                                    \
	X(test_speedscope_processes)                                                               \
	X(test_speedscope_threads)                                                                 \
	X(test_pprof_processes)                                                                    \
	X(test_pprof_threads)                                                                      \
	X(test_tls_dynamic_libruby)                                                                \
	X(test_tls_dlopened_libruby)                                                               \
	X(test_tls_static_in_pie)                                                                  \
	X(test_tls_static_binary)                                                                  \
	X(test_tls_musl_dynamic_libruby)                                                           \
	X(test_tls_musl_dlopened_libruby)                                                          \
	X(test_tls_musl_static_in_pie)                                                             \
	X(test_tls_musl_static_binary)                                                             \
	X(test_probe_not_ruby_and_gone)                                                            \
	X(test_names_ids)                                                                          \
	X(test_names_class_paths)                                                                  \
	X(test_names_method_labels)                                                                \
	X(test_names_hostile_class)                                                                \
	X(test_template_labels)                                                                    \
	X(test_shapes_class_paths)                                                                 \
	X(test_shapes_hostile)                                                                     \
	X(test_code_tls_forms)                                                                     \
	X(test_code_global_forms)                                                                  \
	X(test_code_stripped_tls_models)                                                           \
	X(test_code_stripped_static)                                                               \
	X(test_code_forced_on_debian_libruby)                                                      \
	X(test_code_stripped_live)                                                                 \
	X(test_symbols_from_debug_sources)                                                         \
	X(test_qualified_ruby_frames)                                                              \
	X(test_shared_and_late_owners)                                                             \
	X(test_module_function_owners)                                                             \
	X(test_define_method_owners)                                                               \
	X(test_unfinished_cframe)                                                                  \
	X(test_leaf_jit_line)                                                                      \
	X(test_layout_every_release)                                                               \
	X(test_layout_split_ranges)                                                                \
	X(test_layout_check_reads)                                                                 \
	X(test_layout_not_a_release)                                                               \
	X(test_event_decode)                                                                       \
	X(test_stack_frames)                                                                       \
	X(test_thread_frames)                                                                      \
	X(test_memrecord_pieces)                                                                   \
	X(test_fixtures_replay)                                                                    \
	X(test_fixture_unknown_version)                                                            \
	X(test_fixtures_hostile)                                                                   \
	X(test_dwarf_lookalike_shapes)                                                             \
	X(test_dwarf_missing_member)                                                               \
	X(test_dwarf_separate_debug_file)                                                          \
	X(test_dwarf_discovery_policy)                                                             \
	X(test_dwarf_not_read_for_table_versions)                                                  \
	X(test_dwarf_real_rubies)                                                                  \
	X(test_tick_every_nearest)                                                                 \
	X(test_hz_of_jiffies)                                                                      \
	X(test_kconfig_hz)                                                                         \
	X(test_kallsyms_find)                                                                      \
	X(test_sample_clock_describe)

#define DECLARE(name) void name(void);
TESTS(DECLARE)

/*
 * Each test has this long (s): the slowest, the uploader's against a server that never
 * answers, takes ~2 s; one that hangs (a stand-in child that never exits, a pipe never
 * closed) fails the run, with its name, instead of blocking CI.
 */
#ifndef TEST_TIME_LIMIT_S
#define TEST_TIME_LIMIT_S 120
#endif

static const char *running;
static int passed, failed;

/* SIGALRM: the test under way took too long. Only async-signal-safe calls. */
static void timed_out(int sig)
{
	char line[256];
	int n;

	(void)sig;
	n = snprintf(line, sizeof(line),
		     "not ok %d - %s # timed out after %d s\nunit: %d passed, %d failed\n",
		     passed + failed + 1, running, TEST_TIME_LIMIT_S, passed, failed + 1);
	if (n > 0 && write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(2);
	_exit(1);
}

#define RUN(name)                                                                                  \
	do {                                                                                       \
		int before = test_failed_checks;                                                   \
		running = #name;                                                                   \
		alarm(TEST_TIME_LIMIT_S);                                                          \
		name();                                                                            \
		alarm(0);                                                                          \
		if (test_failed_checks == before) {                                                \
			passed++;                                                                  \
			printf("ok %d - %s\n", passed + failed, #name);                            \
		} else {                                                                           \
			failed++;                                                                  \
			printf("not ok %d - %s\n", passed + failed, #name);                        \
		}                                                                                  \
		fflush(stdout);                                                                    \
	} while (0);

int main(void)
{
	signal(SIGALRM, timed_out);
#define RUN_ONE(name) RUN(name)
	TESTS(RUN_ONE)
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed != 0 || !passed;
}
