#!/usr/bin/env bash
# make test: the unit tests (AddressSanitizer + UBSan), a minute of fuzzing (scripts/fuzz.sh)
# and the end-to-end tests, which load the real BPF program and profile real Ruby processes.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "make test loads BPF programs: run it as root (sudo make test)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
skipped=0

# How long a suite may run (s): the unit tests take ~1 min, an e2e pass ~10 min on the CI
# machine; past this a suite hangs (a child that never exits) and fails instead of blocking.
UNIT_LIMIT=600
E2E_LIMIT=2400
FUZZ_LIMIT=600 # six runs of 10 s each, and their start

# Run one suite for at most LIMIT seconds, echo its output, and add the counts of its closing
# "X: N passed, N failed[, N skipped]" line; a suite that dies without that line, runs over
# its time, ran no test, or exits non-zero with none failed counts as one failure.
run_suite() {
	local name=$1 limit=$2 log rc line p f s
	shift 2
	log=$(mktemp)
	timeout --kill-after=30 "$limit" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
	rm -f "$log"
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "$name: still running after $limit s: stopped, counted as a failure"
		failed=$((failed + 1))
		return
	fi
	if [ -z "$line" ]; then
		echo "$name: no summary (exit $rc): counted as a failure"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		echo "$name: no test ran: counted as a failure"
		failed=$((failed + 1))
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "$name: exit $rc despite no failed test: counted as a failure"
		failed=$((failed + 1))
	fi
}

echo "== unit tests (ASan + UBSan)"
run_suite unit "$UNIT_LIMIT" env RBPROF_TEST_OUTPUT=.output ASAN_OPTIONS=detect_leaks=1 .output/unit-tests
echo "== fuzzing (libFuzzer + ASan + UBSan, a minute from the committed corpus)"
run_suite fuzz "$FUZZ_LIMIT" scripts/fuzz.sh .output/fuzz/fuzz_*
echo "== end-to-end tests (real BPF, real Ruby processes)"
run_suite e2e "$E2E_LIMIT" ruby tests/e2e/run.rb ./rbprof-bpf
echo "== end-to-end tests again, every Ruby read as a stripped build is (from its code)"
# Debian's libruby-3.1 has its symbols; RBPROF_SYMBOLS_FROM=code makes the profiler find
# ruby_current_ec and ruby_current_vm_ptr in the code of rb_errinfo and rb_get_coverages, and
# check them against each live process, as for a stripped 3.3+. The stand-in Rubies of the
# DWARF, version, debuginfod and hostile tests have no such code: they are left out.
run_suite e2e "$E2E_LIMIT" env RBPROF_SYMBOLS_FROM=code E2E_EXCLUDE="DWARF:|unsupported Ruby|--force-version|debuginfod:|formats:|top:|install:|hostile:" \
	ruby tests/e2e/run.rb ./rbprof-bpf

# skipped tests (each "# SKIP why" above) neither passed nor failed: shown, not hidden
[ "$skipped" = 0 ] || echo "$skipped skipped (each named with # SKIP above)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
