#!/usr/bin/env bash
# make test: the unit tests (AddressSanitizer + UBSan) and the end-to-end tests, which load
# the real BPF program and profile real Ruby processes. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "make test loads BPF programs: run it as root (sudo make test)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0

# Run one suite, echo its output, and add the counts of its closing "X: N passed, N failed"
# line; a suite that dies without that line counts as one failure.
run_suite() {
	local name=$1 log rc line
	shift
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "$name: no summary (exit $rc): counted as a failure"
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
	failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
	if [ "$rc" != 0 ] && [ "$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')" = 0 ]; then
		echo "$name: exit $rc despite no failed test: counted as a failure"
		failed=$((failed + 1))
	fi
}

echo "== unit tests (ASan + UBSan)"
run_suite unit env RBPROF_TEST_OUTPUT=.output ASAN_OPTIONS=detect_leaks=1 .output/unit-tests
echo "== end-to-end tests (real BPF, real Ruby processes)"
run_suite e2e ruby tests/e2e/run.rb ./rbprof-bpf
echo "== end-to-end tests again, every Ruby read as a stripped build is (from its code)"
# Debian's libruby-3.1 has its symbols; RBPROF_SYMBOLS_FROM=code makes the profiler find
# ruby_current_ec and ruby_current_vm_ptr in the code of rb_errinfo and rb_get_coverages, and
# check them against each live process, as for a stripped 3.3+. The stand-in Rubies of the
# DWARF, version and debuginfod tests have no such code: they are left out.
run_suite e2e env RBPROF_SYMBOLS_FROM=code E2E_EXCLUDE="DWARF:|unsupported Ruby|--force-version|debuginfod:|formats:|top:|install:" \
	ruby tests/e2e/run.rb ./rbprof-bpf

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
