#!/bin/bash
# The long run of docs/continuous.md, in development (not in CI: it takes an hour): whole-host
# profiling with --push to the tests' Pyroscope stand-in on loopback while a short Ruby
# process starts every PERIOD seconds and a Rails app under puma (2 workers, one of them
# killed and respawned every 5 minutes) serves a loopback client. Every 30 s it logs the
# loader's RSS, peak RSS, open files and threads, and the entries of the BPF maps keyed by
# process or thread, to OUT/monitor.tsv; the loader's stderr goes to OUT/rbprof.log.
#
#   sudo scripts/soak.sh [SECONDS [OUT [PERIOD]]]     (default 3600 /tmp/rbprof-soak 1)
set -euo pipefail

SECONDS_TOTAL=${1:-3600}
OUT=${2:-/tmp/rbprof-soak}
PERIOD=${3:-1}
HERE=$(cd "$(dirname "$0")/.." && pwd)
BIN=${RBPROF:-$HERE/rbprof-bpf}

[ "$(id -u)" = 0 ] || { echo "soak.sh: run as root (the profiler needs it)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "soak.sh: $BIN: not built (make)" >&2; exit 2; }
rm -rf "$OUT"
mkdir -p "$OUT/received"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

# The receiver: it keeps every request under received/ and writes its port there.
python3 "$HERE/tests/e2e/lib/pyroscope_receiver.py" "$OUT/received" \
	--lifetime $((SECONDS_TOTAL + 300)) &
pids+=($!)
for _ in $(seq 50); do [ -s "$OUT/received/port" ] && break; sleep 0.1; done
port=$(cat "$OUT/received/port")

# The Rails app, and a client that asks for a page every 50 ms.
web=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
puma -t 4:4 -w 2 -b "tcp://127.0.0.1:$web" --dir "$HERE/tests/e2e/programs/rails_shop" \
	-e production "$HERE/tests/e2e/programs/rails_shop/config.ru" >"$OUT/puma.log" 2>&1 &
puma_pid=$!
pids+=($puma_pid)
for _ in $(seq 300); do
	curl -sf -o /dev/null "http://127.0.0.1:$web/products" && break
	sleep 0.2
done
(while :; do curl -s -o /dev/null "http://127.0.0.1:$web/products"; sleep 0.05; done) &
pids+=($!)

# The profiler, for the whole run.
"$BIN" -d "$SECONDS_TOTAL" --push "http://127.0.0.1:$port" >"$OUT/rbprof.out" \
	2>"$OUT/rbprof.log" &
prof=$!
pids+=($prof)
sleep 2

# The churn: a new short process every PERIOD seconds, each burning 0.2 s.
ruby "$HERE/tests/e2e/programs/churn.rb" "$OUT/churn.pids" $((SECONDS_TOTAL - 10)) "$PERIOD" 0.2 \
	<<<go >/dev/null &
pids+=($!)

maps() {
	local ids
	ids=$(bpftool map show 2>/dev/null | awk -F'[: ]+' '/ name (procs|threads) /{print $1":"$4}')
	for e in $ids; do
		printf '%s=%s ' "${e#*:}" "$(bpftool map dump id "${e%%:*}" 2>/dev/null |
			grep -c '"key"' || true)"
	done
}
printf 'seconds\trss_kb\thwm_kb\tfds\tthreads\tmaps\n' >"$OUT/monitor.tsv"
start=$(date +%s)
n=0
while kill -0 "$prof" 2>/dev/null; do
	now=$(( $(date +%s) - start ))
	rss=$(awk '/^VmRSS/{print $2}' "/proc/$prof/status" 2>/dev/null || echo -)
	hwm=$(awk '/^VmHWM/{print $2}' "/proc/$prof/status" 2>/dev/null || echo -)
	fds=$(ls "/proc/$prof/fd" 2>/dev/null | wc -l)
	thr=$(ls "/proc/$prof/task" 2>/dev/null | wc -l)
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$now" "$rss" "$hwm" "$fds" "$thr" "$(maps)" \
		>>"$OUT/monitor.tsv"
	n=$((n + 1))
	# Every 5 minutes a puma worker dies and its master starts another.
	if [ $((n % 10)) = 0 ]; then
		w=$(pgrep -P "$puma_pid" | head -1 || true)
		[ -n "$w" ] && kill "$w" 2>/dev/null || true
	fi
	sleep 30
done
wait "$prof" && rc=0 || rc=$?
echo "rbprof-bpf exit $rc" >>"$OUT/rbprof.log"

# What it comes to: RSS and open files after a minute and at the end, and how many of the
# churn's processes reached the receiver.
cat "$OUT"/received/*.json 2>/dev/null | grep -o 'pid=[0-9]*' | sed 's/pid=//' | sort -u \
	>"$OUT/uploaded.pids"
started=$(wc -l <"$OUT/churn.pids")
arrived=$(sort "$OUT/churn.pids" | comm -12 - <(sort "$OUT/uploaded.pids") | wc -l)
awk -F'\t' -v started="$started" -v arrived="$arrived" -v rc="$rc" '
	NR == 2 { rss0 = $2; fd0 = $4 }
	NR > 1 && $1 >= 60 && !rss60 { rss60 = $2 }
	NR > 1 { if ($2 > rssmax) rssmax = $2; if ($4 > fdmax) fdmax = $4; rss = $2; fd = $4; t = $1 }
	END {
		printf "soak: %d s, exit %s; RSS %.1f MiB at 60 s, %.1f MiB at the end, %.1f MiB at most; ", \
			t, rc, rss60 / 1024, rss / 1024, rssmax / 1024
		printf "open files %d at the start, %d at the end, %d at most; ", fd0, fd, fdmax
		printf "%d of %d churn processes uploaded\n", arrived, started
	}' "$OUT/monitor.tsv" | tee "$OUT/summary.txt"
