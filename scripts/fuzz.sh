#!/usr/bin/env bash
# make fuzz: run each libFuzzer harness (tests/fuzz/fuzz_*.c, built by make) for FUZZ_SECONDS
# (default 10: five harnesses and Debian's libruby, a minute in all) from its
# committed corpus (tests/fuzz/corpus/NAME) and, for fuzz_elf, the stand-in ELF files make
# builds. A crash, a leak, an input slower than FUZZ_INPUT_TIMEOUT s or an RSS past 2 GiB
# fails the harness; the input is kept in .output/fuzz/artifacts/ to become a regression
# test. Ends with "fuzz: N passed, N failed".
#
#   make fuzz                          every harness, FUZZ_SECONDS each
#   FUZZ_SECONDS=600 make fuzz         longer, in development
#   FUZZ_MERGE=1 make fuzz             and add what grew the coverage to the committed corpus
set -u
cd "$(dirname "$0")/.."

secs=${FUZZ_SECONDS:-10}
input_timeout=${FUZZ_INPUT_TIMEOUT:-10}
artifacts=.output/fuzz/artifacts
passed=0
failed=0
mkdir -p "$artifacts"

# Debian's own libruby (3.4 MiB, stripped: its VM found from its code), mutated by fuzz_elf in
# a run of its own: the stand-ins' small inputs never grow into a file of that size.
DEBIAN_LIBRUBY=/usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1

# The stand-in Rubies make builds: with symbols and DWARF, stripped, TLS models, musl.
elf_seeds() {
	find .output -maxdepth 3 \( -name 'libruby-*.so' -o -name 'tlsfix*' -o -name codefix \) \
		-type f 2>/dev/null | head -40
}

# run_one LABEL BIN SECONDS CORPUS-DIR [ARGS]: one harness from CORPUS-DIR (a scratch copy it
# grows), with libFuzzer's ARGS.
run_one() {
	local label=$1 bin=$2 time=$3 work=$4 log rc runs edges
	shift 4
	log=$(mktemp)
	# the harness's own bound, and one around it for a hang libFuzzer cannot stop
	timeout --kill-after=10 $((time * 2 + 120)) "$bin" -max_total_time="$time" \
		-timeout="$input_timeout" -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$artifacts/$label-" "$@" "$work" >"$log" 2>&1
	rc=$?
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n 1)
	edges=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | awk '{print $2}')
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		echo "ok - $label: ${runs:-0} runs in $time s, ${edges:-0} edges, $(ls "$work" | wc -l) inputs"
	else
		failed=$((failed + 1))
		echo "not ok - $label (exit $rc): the input is in $artifacts/"
		grep -E 'ERROR|SUMMARY|Test unit written|timeout|out-of-memory|leak' "$log" | head -20 |
			sed 's/^/#   /'
	fi
	rm -f "$log"
	return "$rc"
}

for bin in "$@"; do
	name=$(basename "$bin")
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	if [ "$name" = fuzz_elf ]; then
		i=0
		for f in $(elf_seeds); do
			cp "$f" "$work/seed-$i"
			i=$((i + 1))
		done
	fi
	run_one "$name" "$bin" "$secs" "$work"
	rc=$?
	# fuzz_elf's seeds are what make builds; its mutants are too large to keep
	if [ -n "${FUZZ_MERGE:-}" ] && [ "$rc" = 0 ] && [ "$name" != fuzz_elf ]; then
		mkdir -p "tests/fuzz/corpus/$name"
		"$bin" -merge=1 "tests/fuzz/corpus/$name" "$work" >/dev/null 2>&1
	fi
	rm -rf "$work"
	if [ "$name" = fuzz_elf ] && [ -f "$DEBIAN_LIBRUBY" ]; then
		work=$(mktemp -d)
		cp "$DEBIAN_LIBRUBY" "$work/"
		# whole-file mutants from the start, not prefixes grown slowly (-len_control)
		run_one "$name-debian-libruby" "$bin" "$secs" "$work" -len_control=0 \
			-max_len=$(($(stat -L -c %s "$DEBIAN_LIBRUBY") + 4096))
		rm -rf "$work"
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
