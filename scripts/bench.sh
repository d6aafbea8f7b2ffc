#!/usr/bin/env bash
# make bench: see scripts/bench.rb.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ruby scripts/bench.rb "$@"
