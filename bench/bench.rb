# make bench: what rbprof-bpf costs, measured side by side in one run with what a user would
# pick instead (a benchmark, not a test: make test does not run it). See docs/benchmark.md.
#
#   1. the loader's per-sample path on recorded events (bench/userspace.c);
#   2. the BPF run time per sample of rbprof-bpf's and bpftrace's programs, Ruby samples and
#      the others apart (lib/bpf_cost.rb);
#   3. rbprof-bpf's start-up time (lib/startup.rb), the time it takes to discover one Ruby
#      process, from its symbol tables or from its code as for a stripped build
#      (lib/discovery.rb), and its own CPU time and memory while it samples a workload for a
#      while (lib/loader_cost.rb);
#   4. each output format's writer on a profile of 100,000 distinct stacks, and on deep ones
#      (bench/writers.c): time, and memory against the folded output's size (lib/writers.rb);
#   5. following processes through the kernel's exec/fork/exit events against /proc scans
#      alone: pickup time of a short Ruby process, and the loader's CPU under 200 execs/s
#      (lib/process_events.rb);
#   6. four workloads (bench/workloads/) unprofiled and under rbprof-bpf, stackprof and
#      bpftrace at 99 Hz and 999 Hz, interleaved round after round (lib/slowdown.rb);
#   7. --wall next to CPU mode on 16 threads that block and wake ~10,000 times a second:
#      slowdown, BPF time per wall sample, the loader's CPU (lib/wall_cost.rb);
#   8. the symbol caches' budget on a churning host, processes making new code without end
#      and a new process every 0.25 s, under a small budget and none (lib/cache_budget.rb);
#   9. the sampling clock's own cost apart from the BPF program's: a pinned workload under a
#      counting-only program and rbprof-bpf on perf events (HZ, 999 Hz, ~10 kHz) and on the
#      scheduler tick, and stackprof at the tick's sample count (lib/clock_cost.rb).
# The results go to stdout and to bench/results.md, with the machine they come from.
#
# Environment: BENCH_QUICK=1 (a short run while developing: 2 rounds of ~0.75 s workloads),
# BENCH_ROUNDS=N, BENCH_SCALE=X (workload length, 1 = ~3 s), BENCH_OUT=FILE,
# BENCH_ONLY=userspace,writers,bpf,startup,discovery,loader,procs,slowdown,wall,cache,clock
# (parts),
# BENCH_WORKLOADS=mix50,rec1000,threads4,procs20 (workloads to run), BENCH_RUBY=ruby,
# BENCH_STRIPPED_RUBY=path (a stripped Ruby build to discover, too), BENCH_BASELINE=REV (the BPF
# time of rbprof-bpf built at commit REV too, attached at the same time as the work tree's:
# lib/side_by_side.rb, scripts/bench.sh).
require_relative "lib/bpf_cost"
require_relative "lib/cache_budget"
require_relative "lib/clock_cost"
require_relative "lib/discovery"
require_relative "lib/loader_cost"
require_relative "lib/machine"
require_relative "lib/report"
require_relative "lib/side_by_side"
require_relative "lib/slowdown"
require_relative "lib/startup"
require_relative "lib/userspace"
require_relative "lib/writers"
require_relative "lib/process_events"
require_relative "lib/wall_cost"

abort "make bench loads BPF programs: run it as root" unless Process.uid.zero?

QUICK = ENV["BENCH_QUICK"] == "1"
ROUNDS = Integer(ENV.fetch("BENCH_ROUNDS", QUICK ? "2" : "5"))
SCALE = Float(ENV.fetch("BENCH_SCALE", QUICK ? "0.25" : "1"))
# Seconds of each BPF-time window, and of the user-space replay per stack.
WINDOW = QUICK ? 1.0 : 3.0
REPLAY = QUICK ? 1.0 : 3.0
# The BPF-time windows run each workload long enough to outlast the window (scale 1: ~3 s).
COST_SCALE = (WINDOW + 3) / 3.0 * 1.5
OUT = ENV.fetch("BENCH_OUT", File.join(ROOT, "bench", "results.md"))
ONLY = ENV.fetch("BENCH_ONLY", "userspace,writers,bpf,startup,discovery,loader,procs,slowdown,wall,cache,clock").split(",")
# The clock part's rounds: its differences (a fraction of a percent at HZ) want more of them.
CLOCK_ROUNDS = Integer(ENV.fetch("BENCH_CLOCK_ROUNDS", QUICK ? "2" : "7"))
# The loader's first seconds on new processes (owners of methods are looked for in up to 64
# batches of 100 ms), then its steady cost.
LOADER_SETTLE = QUICK ? 2 : 7
LOADER_WINDOW = QUICK ? 1 : 5

LOG = ->(msg) { $stderr.puts(msg) }
started = Process.clock_gettime(Process::CLOCK_MONOTONIC)

info = Machine.describe(RUBY)
userspace = []
if ONLY.include?("userspace")
  LOG.call("== user-space path on recorded events (#{REPLAY} s per stack)")
  userspace = Userspace.run(REPLAY)
end
writers = []
if ONLY.include?("writers")
  LOG.call("== each writer on a large profile")
  writers = Writers.run(log: LOG)
end
cost = {}
side = nil
if ONLY.include?("bpf")
  LOG.call("== BPF time per sample (bpf_stats, #{BpfCost::HZ} Hz, #{WINDOW} s windows)")
  rev = ENV["BENCH_BASELINE_REV"]
  cost = KernelStats.with_bpf_stats do
    tools = { "rbprof-bpf" => RbprofRun, "rbprof-bpf (tick)" => RbprofTickRun, "bpftrace" => BpftraceRun }
    BpfCost.run(tools, WORKLOADS, seconds: WINDOW, scale: COST_SCALE, log: LOG)
  end
  if rev
    sessions = QUICK ? 4 : 8
    LOG.call("== BPF time per sample, side by side with rbprof-bpf #{rev} (#{sessions} sessions)")
    base = baseline_run_class(rev, ENV.fetch("BENCH_BASELINE_BIN"))
    side = { rev: rev, sessions: sessions, seconds: WINDOW,
             workloads: KernelStats.with_bpf_stats do
               SideBySide.run(RbprofRun, base, WORKLOADS, sessions: sessions, seconds: WINDOW,
                              scale: COST_SCALE, log: LOG)
             end }
  end
end
startup = {}
if ONLY.include?("startup")
  LOG.call("== rbprof-bpf start-up, a workload running")
  startup = Startup.run(WORKLOADS, reps: QUICK ? 1 : 3, log: LOG)
end
discovery = {}
if ONLY.include?("discovery")
  LOG.call("== discovery of one Ruby process")
  discovery = Discovery.run(reps: QUICK ? 3 : 7, log: LOG)
end
loader = {}
if ONLY.include?("loader")
  LOG.call("== rbprof-bpf's own cost at #{LoaderCost::HZ} Hz")
  loader = LoaderCost.run(WORKLOADS, settle: LOADER_SETTLE, window: LOADER_WINDOW, log: LOG)
end
procs = {}
if ONLY.include?("procs")
  LOG.call("== following processes: the kernel's events against /proc scans")
  procs = ProcessEvents.run(seconds: QUICK ? 2 : 5, log: LOG)
end
runs = {}
if ONLY.include?("slowdown")
  LOG.call("== workloads under each profiler: #{ROUNDS} rounds x #{WORKLOADS.size} workloads x " \
           "#{CONFIGS.size} configurations (scale #{SCALE})")
  runs = Slowdown.run(WORKLOADS, rounds: ROUNDS, scale: SCALE, log: LOG)
end

wall = {}
if ONLY.include?("wall")
  LOG.call("== --wall next to CPU mode: #{WallCost::WORKLOAD.title}, #{ROUNDS} rounds")
  wall = KernelStats.with_bpf_stats { WallCost.run(rounds: ROUNDS, scale: SCALE, log: LOG) }
end

cache = {}
if ONLY.include?("cache")
  LOG.call("== the symbol caches' budget on a churning host")
  cache = CacheBudget.run(seconds: QUICK ? 15 : 40, log: LOG)
end

clock = {}
if ONLY.include?("clock")
  LOG.call("== the sampling clock's cost: #{ClockCost::WORKLOAD.title} pinned, #{CLOCK_ROUNDS} rounds")
  clock = KernelStats.with_bpf_stats { ClockCost.run(rounds: CLOCK_ROUNDS, scale: SCALE * 0.8, log: LOG) }
end

settings = format("%d interleaved rounds, workload scale %.2f (1 = ~3 s), %.0f s BPF windows, " \
                  "%.1f min in all%s", ROUNDS, SCALE, WINDOW,
                  (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) / 60,
                  QUICK ? " (BENCH_QUICK: a development run, not a result)" : "")
text = Report.new(info: info, settings: settings, userspace: userspace, writers: writers,
                  procs: procs, wall: wall, cache: cache, clock: clock, cost: cost, side: side,
                  startup: startup, discovery: discovery, loader: loader, runs: runs).markdown
puts text
File.write(OUT, text)
LOG.call("wrote #{OUT}")
