# What the sampling clock costs, apart from what the BPF program costs (issue #17): one
# workload pinned to the last CPU (the 50-frame method mix), the profiler's process on CPU 0,
# unprofiled and under each configuration, interleaved round after round (reversed every other
# round):
#   - a trivial counting program (bench/count.c) on perf events at 999 Hz and ~10 kHz, and on
#     the scheduler tick at HZ: the interrupt floor, the walk left out;
#   - rbprof-bpf on perf events at HZ, 999 Hz and ~10 kHz, and on the tick at HZ;
#   - stackprof (:cpu, every 1 ms: its timer rides the tick too, so HZ samples a second), at
#     the tick's sample count;
#   - the unprofiled run again, whose change against the first is the noise of the machine.
# Per run: the workload's wall time against the unprofiled run of its round, the samples
# taken, and the sampler's BPF run time (bpf_stats): per sample, and as a share of the
# workload's time, which on the tick clock is the whole of what sampling should cost.
require_relative "kernel_stats"
require_relative "profilers"
require_relative "workloads"
require_relative "stats"
require_relative "slowdown"

module ClockCost
  extend BenchStats

  WORKLOAD = Workload.new("mix50", "50-frame method mix", "method_mix.rb", 1)
  # ~10 kHz: perf's cpu-clock tops out about there (perf_event_max_sample_rate)
  HIGH_HZ = 9999

  Config = Struct.new(:key, :title, :tool, :clock, :hz)

  # The kernel's HZ, from its config as rbprof-bpf reads it (user/sampling/sample_clock.c).
  def self.kernel_hz
    boot = "/boot/config-#{File.read('/proc/sys/kernel/osrelease').chomp}"
    text = File.exist?(boot) ? File.read(boot) : IO.popen(%w[zcat /proc/config.gz], &:read)
    Integer(text[/^CONFIG_HZ=(\d+)$/, 1])
  end

  def self.configs(hz)
    [Config.new("none", "no profiler", nil),
     Config.new("count-perf-999", "counting only, perf events 999 Hz", :count, "perf", 999),
     Config.new("count-perf-high", "counting only, perf events #{HIGH_HZ} Hz", :count, "perf", HIGH_HZ),
     Config.new("count-tick", "counting only, tick #{hz} Hz", :count, "tick", hz),
     Config.new("rbprof-perf-hz", "rbprof-bpf, perf events #{hz} Hz", :rbprof, "perf", hz),
     Config.new("rbprof-perf-999", "rbprof-bpf, perf events 999 Hz", :rbprof, "perf", 999),
     Config.new("rbprof-perf-high", "rbprof-bpf, perf events #{HIGH_HZ} Hz", :rbprof, "perf", HIGH_HZ),
     Config.new("rbprof-tick", "rbprof-bpf, tick #{hz} Hz", :rbprof, "tick", hz),
     Config.new("stackprof", "stackprof, every 1 ms (the tick: #{hz} Hz)", :stackprof, nil, 1000),
     Config.new("none-again", "no profiler, again (the noise)", nil)]
  end

  def self.now = BenchClock.now

  def self.start(config, pid)
    case config.tool
    when :count then CountRun.new(config.hz, cpu: Slowdown::PROFILER_CPU, clock: config.clock)
    when :rbprof then RbprofRun.new(config.hz, cpu: Slowdown::PROFILER_CPU, clock: config.clock,
                                               args: ["-p", pid.to_s, "-o", "/dev/null"])
    end
  end

  def self.sampler_filter(config)
    config.tool == :count ? CountRun.sampler(config.clock) : (config.clock == "tick" ? RbprofTickRun : RbprofRun).sampler
  end

  def self.run_one(config, scale)
    Slowdown.run_one(WORKLOAD, config, scale, start: ->(c, wl) { start(c, wl.pids.first) },
                                              bpf: config.tool && sampler_filter(config))
  end

  # { hz:, configs: [Config], runs: { key => [run, ...] } }
  def self.run(rounds:, scale:, log:)
    hz = kernel_hz
    configs = configs(hz)
    runs = configs.to_h { |c| [c.key, []] }
    rounds.times do |round|
      t = now
      order = round.odd? ? configs.reverse : configs
      # the baseline first in every round, whatever the order of the others
      order = [configs.first] + (order - [configs.first])
      order.each { |c| runs[c.key] << run_one(c, scale) }
      log.call(format("  round %d/%d: %.0f s", round + 1, rounds, now - t))
    end
    { hz: hz, configs: configs, runs: runs }
  end
end
