#!/usr/bin/env bash
# make demo: start a small Ruby workload, profile the whole host for 5 seconds, print the
# folded stacks of that workload, profile it 5 seconds more into a flame graph
# (.output/demo.svg), then stop it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "make demo loads a BPF program: run it as root (sudo make demo)" >&2
	exit 1
fi
ruby scripts/demo_workload.rb &
demo=$!
trap 'kill $demo 2>/dev/null || true' EXIT
sleep 0.5
echo "== profiling every Ruby process for 5 s (demo workload: pid $demo)" >&2
./rbprof-bpf -d 5 -F 199 > .output/demo.folded
echo "== the demo workload's stacks (all: .output/demo.folded)" >&2
# the 15 hottest stacks, hottest first
grep -F "[$demo];" .output/demo.folded | awk '{ print $NF "\t" $0 }' | sort -rn | head -n 15 | cut -f2- || true
echo "== profiling every Ruby process for 5 s more, into a flame graph" >&2
./rbprof-bpf -d 5 -F 199 -q -o .output/demo.svg
echo "== flame graph: .output/demo.svg (open it in a browser: click to zoom, Ctrl-F to search)" >&2
