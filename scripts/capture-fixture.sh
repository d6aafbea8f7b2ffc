#!/usr/bin/env bash
# Record a unit-test fixture of a Ruby: scripts/capture-fixture.sh RUBY OUT.fixture.gz [PROGRAM]
# Runs PROGRAM (default scripts/fixture_target.rb; the benchmark's fixtures are of
# bench/workloads/method_mix.rb and recursion.rb) with RUBY, lets it run for a second and a
# half, then stops it and records what the walker and symbolizer read (rbprof-bpf --capture).
# Run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ruby_bin=${1:?usage: capture-fixture.sh RUBY OUT [PROGRAM]}
out=${2:?usage: capture-fixture.sh RUBY OUT [PROGRAM]}
program=${3:-scripts/fixture_target.rb}
"$ruby_bin" "$program" </dev/null >/dev/null &
target=$!
trap 'kill $target 2>/dev/null || true' EXIT
sleep 1.5
./rbprof-bpf --capture "$out" -p "$target"
zcat "$out" | sed -n '/^expected/,/^regions/p' | sed '1d;$d' >&2
