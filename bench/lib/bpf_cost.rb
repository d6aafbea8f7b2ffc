# BPF run time per sample of each profiler's program (kernel.bpf_stats_enabled: run_time_ns /
# run_cnt), apart for samples that hit a Ruby thread and samples that did not.
#
# The kernel keeps one run time per program, so the two kinds are told apart by measuring
# twice with every CPU kept busy: once by shell loops (no Ruby anywhere: every sample is a
# non-Ruby one), once by one copy of a workload per CPU (nearly every sample is a Ruby one).
# rbprof-bpf counts its Ruby samples itself (its `counters` map); for bpftrace they are the
# workload's CPU time (schedstat) times the sampling rate. Then, per workload,
#   ruby_ns = (run_time - non_ruby_samples * non_ruby_ns) / ruby_samples.
require "etc"
require_relative "kernel_stats"
require_relative "profilers"
require_relative "workloads"

module BpfCost
  HZ = 999
  WARMUP = 0.5 # seconds after attach before the window: new stacks are symbolized first
  CPUS = (0...Etc.nprocessors).to_a

  # bpf/rbprof.h enum rbprof_counter: the index of RBPROF_CNT_RUBY.
  RUBY_COUNTER = File.read(File.join(ROOT, "bpf", "rbprof.h"))[/enum rbprof_counter \{(.*?)\};/m, 1]
                     .scan(/^\s*(RBPROF_CNT_\w+)/).flatten.index("RBPROF_CNT_RUBY")

  Sample = Struct.new(:ns, :runs, :ruby, :workload_cpu_ns, :time)

  def self.snapshot(prof, pids)
    counters = lambda do
      c = prof.is_a?(RbprofRun) ? KernelStats.rbprof_counters(prof.pid) : nil
      c && c[RUBY_COUNTER]
    end
    before = counters.call
    s = KernelStats.prog_stats(prof.pid, **prof.class.sampler)
    after = counters.call
    ruby = before && after ? (before + after) / 2.0 : nil
    Sample.new(s[:ns], s[:runs], ruby, pids.sum { |p| KernelStats.cpu_ns(p) },
               Process.clock_gettime(Process::CLOCK_MONOTONIC))
  end

  # One window of `seconds` with `tool` (RbprofRun or BpftraceRun) attached, every CPU busy
  # with `workload` (nil: shell loops). Returns the window's totals.
  def self.window(tool, workload, seconds, scale)
    busy = []
    prof = nil
    if workload
      busy = CPUS.map { |c| WorkloadRun.new(workload, scale: scale, cpu: c) }
      busy.each(&:wait_ready)
      busy.each(&:go)
    else
      busy = CPUS.map { |c| Spinner.new(c) }
    end
    pids = workload ? busy.flat_map(&:pids) : []
    prof = tool.new(HZ, cpu: nil)
    prof.wait_attached
    r = {}
    sleep WARMUP
    a = snapshot(prof, pids)
    sleep seconds
    b = snapshot(prof, pids)
    elapsed = b.time - a.time
    r[:ns] = b.ns - a.ns
    r[:runs] = b.runs - a.runs
    rate = r[:runs] / (CPUS.size * elapsed) # samples per second per CPU, as perf made them
    r[:ruby] = if a.ruby
                 b.ruby - a.ruby
               else
                 workload ? (b.workload_cpu_ns - a.workload_cpu_ns) / 1e9 * rate : 0
               end
    r[:ruby_estimated] = (b.workload_cpu_ns - a.workload_cpu_ns) / 1e9 * rate
    r
  ensure
    prof&.kill
    busy.each(&:kill)
  end

  # Per tool: { non_ruby_ns:, workloads: { key => { ruby_ns:, ruby_samples:, ... } },
  # rounds: [the same of each round] }. The tools take turns window by window, in reversed
  # order every other round, so that a slow stretch of the machine falls on all of them; a
  # tool's windows of one kind are summed over the rounds.
  def self.run(tools, workloads, seconds:, scale:, log:, rounds: 1)
    per_round = tools.keys.to_h { |name| [name, []] }
    rounds.times do |round|
      got = tools.keys.to_h { |name| [name, {}] }
      [nil, *workloads].each do |w|
        order = round.odd? ? tools.to_a.reverse : tools.to_a
        order.each do |name, tool|
          what = w ? "#{w.title} on every CPU" : "non-Ruby samples (shell loops on every CPU)"
          log.call("  #{name}: #{what}#{rounds > 1 ? " (round #{round + 1})" : ''}")
          got[name][w ? w.key : :other] = window(tool, w, seconds, scale)
        end
      end
      got.each { |name, r| per_round[name] << r }
    end
    per_round.transform_values do |rs|
      sum = rs.reduce { |a, b| a.merge(b) { |_, x, y| x.merge(y) { |_, m, n| m + n } } }
      solve(sum).merge(rounds: rs.map { |r| solve(r) })
    end
  end

  # Non-Ruby cost from the shell-loop window, corrected for its few Ruby samples (other Ruby
  # processes: the benchmark's own) with the first workload's window; then each workload's
  # Ruby cost.
  def self.solve(windows)
    per = windows.except(:other)
    other = windows[:other]
    first = per.values.first
    o_other = other[:runs] - other[:ruby]
    o_first = first[:runs] - first[:ruby]
    det = first[:ruby] * o_other - other[:ruby] * o_first
    non_ruby = if other[:ruby].zero? || det.zero?
                 other[:ns].to_f / other[:runs]
               else
                 (first[:ruby] * other[:ns] - other[:ruby] * first[:ns]) / det
               end
    workloads = per.transform_values do |w|
      ruby_ns = w[:ruby].positive? ? (w[:ns] - (w[:runs] - w[:ruby]) * non_ruby) / w[:ruby] : nil
      w.merge(ruby_ns: ruby_ns)
    end
    { non_ruby_ns: non_ruby, non_ruby_window: other, workloads: workloads }
  end
end
