# The workloads' slowdown under each profiler: every configuration of every workload run in
# turn, round after round (A B C ... A B C ...), so that a drift of the machine hits them all
# alike; each run's figures are compared with the unprofiled run of the same round.
require "etc"
require_relative "kernel_stats"
require_relative "profilers"
require_relative "workloads"

Config = Struct.new(:key, :title, :tool, :hz, :clock)

# rbprof-bpf on each clock: perf events at 99 and 999 Hz, and the scheduler tick at -F 99
# (HZ / N nearest: 83 Hz at HZ 250) and at HZ (-F 999 asks for more than it gives).
CONFIGS = [
  Config.new("none", "no profiler", nil, nil),
  Config.new("rbprof99", "rbprof-bpf 99 Hz", :rbprof, 99, "perf"),
  Config.new("rbprof999", "rbprof-bpf 999 Hz", :rbprof, 999, "perf"),
  Config.new("rbproftick99", "rbprof-bpf tick, -F 99", :rbprof, 99, "tick"),
  Config.new("rbproftickhz", "rbprof-bpf tick, HZ", :rbprof, 1000, "tick"),
  Config.new("stackprof99", "stackprof 99 Hz", :stackprof, 99),
  Config.new("stackprof999", "stackprof 999 Hz", :stackprof, 999),
  Config.new("bpftrace99", "bpftrace 99 Hz", :bpftrace, 99),
  Config.new("bpftrace999", "bpftrace 999 Hz", :bpftrace, 999),
].freeze

module Slowdown
  # With two CPUs or more the workload runs alone on the last one and the profiler's own
  # process on CPU 0: the scheduler's placement then adds nothing to the run-to-run noise,
  # and the workload's time is what the sampling itself costs it.
  LAST_CPU = Etc.nprocessors - 1
  WORKLOAD_CPU = LAST_CPU.positive? ? LAST_CPU : nil
  PROFILER_CPU = LAST_CPU.positive? ? 0 : nil

  module_function

  def now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  def start_profiler(config)
    case config.tool
    when :rbprof then RbprofRun.new(config.hz, cpu: PROFILER_CPU, clock: config.clock)
    when :bpftrace then BpftraceRun.new(config.hz, cpu: PROFILER_CPU)
    end
  end

  # One run: the workload's wall and CPU time and its length as timed from here (seconds);
  # for a profiler process (start: config, workload -> a ProfilerRun or nil), its CPU share
  # while the workload ran, its total CPU time, peak RSS, samples, samples lost and the rate
  # it said it sampled at; with bpf (KernelStats.prog_stats's filter of its sampler), the
  # sampler's BPF run time and runs while the workload ran.
  def run_one(workload, config, scale, start: ->(c, _) { start_profiler(c) }, bpf: nil)
    env = config.tool == :stackprof ? { "BENCH_STACKPROF_HZ" => config.hz.to_s } : {}
    wl = WorkloadRun.new(workload, scale: scale, cpu: WORKLOAD_CPU, env: env)
    wl.wait_ready
    prof = start.call(config, wl)
    attached = prof&.wait_attached
    cpu0 = prof && KernelStats.cpu_ns(prof.pid)
    bpf0 = prof && bpf && KernelStats.prog_stats(prof.pid, **bpf)
    t0 = now
    wl.go
    r = wl.finish
    r[:seconds] = now - t0
    if prof
      r[:prof_share] = (KernelStats.cpu_ns(prof.pid) - cpu0) / 1e9 / (now - t0)
      r[:attached_s] = attached
      if bpf0
        bpf1 = KernelStats.prog_stats(prof.pid, **bpf)
        r[:bpf_ns] = bpf1[:ns] - bpf0[:ns]
        r[:bpf_runs] = bpf1[:runs] - bpf0[:runs]
      end
      r.merge!(prof.stop)
      r[:rate] = prof.text[/(?:sampled at|attached:) ([\d.]+) Hz/, 1]&.to_f
      prof = nil
    end
    r[:samples] ||= r[:stackprof_samples]
    r
  ensure
    wl&.kill
    prof&.kill
  end

  # results[workload key][config key] = [run, ...], one per round.
  def run(workloads, rounds:, scale:, log:)
    results = Hash.new { |h, k| h[k] = Hash.new { |h2, k2| h2[k2] = [] } }
    rounds.times do |round|
      workloads.each do |w|
        t = now
        CONFIGS.each { |c| results[w.key][c.key] << run_one(w, c, scale) }
        log.call(format("  round %d/%d, %s: %.0f s", round + 1, rounds, w.title, now - t))
      end
    end
    results
  end
end
