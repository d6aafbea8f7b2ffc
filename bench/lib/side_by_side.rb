# The BPF time per sample of the work tree's rbprof-bpf against a baseline build of it
# (BENCH_BASELINE=REV), both attached at once: each CPU sample runs both programs, so a slow
# stretch of this shared VM (steal, frequency, another guest's cache traffic) falls on both
# alike. Windows taken one tool after the other vary by +-15% here, which hides a 10% change;
# two programs sampling the same seconds differ by a few percent.
#
# Two programs side by side still differ by where the kernel put each one's maps (cache
# sets): so each session starts fresh processes of both, the start order alternating, and
# the result is the median over the sessions of the ratio of their times per sample.
require "etc"
require_relative "kernel_stats"
require_relative "profilers"
require_relative "workloads"

module SideBySide
  HZ = 999
  # Seconds after both attached before the window: a new process's iseqs are settled within
  # its first seconds (20 processes sharing the CPUs take longest), and until then the work
  # tree's program captures their owners, which the baseline's may not do; that start-up cost
  # is not the steady per-sample one this compares.
  WARMUP = 3.0
  CPUS = (0...Etc.nprocessors).to_a

  # { workload key => { ratios: [per session], mine_ns: [...], base_ns: [...] } }. mine and
  # base are RbprofRun classes; every CPU runs a copy of each workload.
  def self.run(mine, base, workloads, sessions:, seconds:, scale:, log:)
    workloads.to_h do |w|
      r = { ratios: [], mine_ns: [], base_ns: [] }
      sessions.times do |i|
        log.call("  #{w.title} on every CPU, both attached (session #{i + 1} of #{sessions})")
        m, b = session(i.even? ? [mine, base] : [base, mine], w, seconds, scale)
        m, b = b, m if i.odd?
        r[:mine_ns] << m
        r[:base_ns] << b
        r[:ratios] << m / b
      end
      [w.key, r]
    end
  end

  # One session: the tools (in start order) on `workload`; each one's ns per program run.
  def self.session(tools, workload, seconds, scale)
    busy = CPUS.map { |c| WorkloadRun.new(workload, scale: scale, cpu: c) }
    busy.each(&:wait_ready)
    busy.each(&:go)
    profs = tools.map { |t| t.new(HZ, cpu: nil) }
    profs.each(&:wait_attached)
    sleep WARMUP
    a = profs.map { |p| KernelStats.prog_stats(p.pid) }
    sleep seconds
    z = profs.map { |p| KernelStats.prog_stats(p.pid) }
    a.zip(z).map { |x, y| (y[:ns] - x[:ns]).to_f / [y[:runs] - x[:runs], 1].max }
  ensure
    profs&.each(&:kill)
    busy&.each(&:kill)
  end
end
