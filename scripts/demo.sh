#!/usr/bin/env bash
# make demo: start a small Ruby workload, profile the whole host for 5 seconds into a flame
# graph (.output/demo.svg) with the summary of the hottest methods on the terminal, then stop
# the workload.
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
mkdir -p .output
echo "== profiling every Ruby process for 5 s (demo workload: pid $demo)" >&2
./rbprof-bpf -d 5 -F 199 -o .output/demo.svg
echo "== flame graph: $PWD/.output/demo.svg (open it in a browser: click to zoom, Ctrl-F to search)" >&2
echo "== the same as folded stacks, for other tools: ./rbprof-bpf -d 5 -o .output/demo.folded" >&2
