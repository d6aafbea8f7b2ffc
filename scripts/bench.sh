#!/usr/bin/env bash
# make bench: see bench/bench.rb.
#
# BENCH_BASELINE=REV (a commit) also measures the BPF time per sample of rbprof-bpf built at
# REV, side by side with the work tree's: it is built here, in a scratch clone under
# .output/baseline/, so that the work tree is not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BENCH_BASELINE:-}" ]; then
	rev=$(git rev-parse --short "$BENCH_BASELINE")
	dir=.output/baseline/$rev
	if [ ! -x "$dir/rbprof-bpf" ]; then
		rm -rf "$dir"
		mkdir -p "$(dirname "$dir")"
		git clone -q --no-checkout . "$dir"
		git -C "$dir" checkout -q --detach "$rev"
		make -C "$dir" -s rbprof-bpf >&2
	fi
	export BENCH_BASELINE_REV=$rev BENCH_BASELINE_BIN=$PWD/$dir/rbprof-bpf
fi
exec ruby bench/bench.rb "$@"
