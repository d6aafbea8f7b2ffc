#!/usr/bin/env bash
# make bench: see bench/bench.rb.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ruby bench/bench.rb "$@"
