# What --wall costs (issue #14), next to CPU mode, on a Puma-like workload
# (bench/workloads/blocking.rb: 16 threads that block in read(2) and wake ~10,000 times a
# second), round after round (none, CPU mode, --wall, ...), each at 99 Hz with -p:
#   - the workload's slowdown against its unprofiled run of the same round;
#   - the BPF run time (bpf_stats) of each of rbprof-bpf's programs by type: the perf_event
#     sampler, the context-switch hook rbprof_switch (tracing), the raw tracepoints (the
#     process and thread events), per run and runs;
#   - the loader's CPU, as a share of a core and per wall sample (its walks of the threads
#     not on a CPU through process_vm_readv).
require_relative "kernel_stats"
require_relative "profilers"
require_relative "workloads"
require_relative "stats"

module WallCost
  extend BenchStats

  HZ = 99
  WORKLOAD = Workload.new("blocking16", "16 threads blocking and waking", "blocking.rb", 1)
  MODES = { "none" => nil, "cpu" => [], "wall" => ["--wall"] }.freeze
  # bpf_prog_type of each of the programs (include/uapi/linux/bpf.h): tracing is rbprof_switch
  # (tp_btf, at every context switch) and the thread iterator (which runs only as a process
  # is registered, before the window); raw_tp the process and thread exit events
  TYPES = { 7 => "perf_event", 26 => "switch", 17 => "raw_tp" }.freeze
  # The workload's messages a run (BENCH_SCALE 1): each a block and a wake-up.
  WAKES = 32_000

  Run = RbprofArgvRun

  def self.now = BenchClock.now

  # run_time_ns and run_cnt of pid's BPF programs, by TYPES name.
  def self.bpf_by_type(pid)
    TYPES.to_h { |type, name| [name, KernelStats.prog_stats(pid, type: type)] }
  end

  def self.run_one(mode, scale)
    wl = WorkloadRun.new(WORKLOAD, scale: scale)
    wl.wait_ready
    if (extra = MODES.fetch(mode))
      prof = Run.new([PROFILER, "-v", "-F", HZ.to_s, "--clock", "perf", "-p", wl.pids.first.to_s, *extra,
                      "-o", "/dev/null"], cpu: nil)
      prof.wait_for(/^rbprof-bpf: sampling [\d.]+ s after start/)
      cpu0 = KernelStats.cpu_ns(prof.pid)
      bpf0 = bpf_by_type(prof.pid)
    end
    t0 = now
    wl.go
    r = wl.finish
    r[:seconds] = now - t0
    return r unless prof

    r[:loader_share] = (KernelStats.cpu_ns(prof.pid) - cpu0) / 1e9 / r[:seconds]
    bpf1 = bpf_by_type(prof.pid)
    r[:bpf] = TYPES.values.to_h do |name|
      [name, { ns: bpf1[name][:ns] - bpf0[name][:ns], runs: bpf1[name][:runs] - bpf0[name][:runs] }]
    end
    prof.stop
    r[:wall_samples] = prof.text[/--wall: (\d+) samples of threads off/, 1]&.to_i
    r[:samples] = prof.text[/process \d+ \(ruby\) ruby [\d.]+: (\d+) samples/, 1]&.to_i
    r
  ensure
    wl&.kill
    prof&.kill if prof&.alive?
  end

  # { mode => [run, ...] }, one run a round.
  def self.run(rounds:, scale:, log:)
    results = Hash.new { |h, k| h[k] = [] }
    rounds.times do |round|
      t = now
      MODES.each_key { |m| results[m] << run_one(m, scale) }
      log.call(format("  round %d/%d: %.0f s", round + 1, rounds, now - t))
    end
    results
  end
end
