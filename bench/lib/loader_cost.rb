# The loader's own cost while it samples a running workload at 999 Hz for a while: its CPU
# time as a share of one core over the first seconds (new processes: their iseqs are read,
# and the owners of their methods looked for, up to 64 batches of 100 ms) and over the seconds
# after (steady), and its peak RSS. The loader runs on CPU 0, the workload on the last CPU.
require_relative "kernel_stats"
require_relative "profilers"
require_relative "slowdown"
require_relative "workloads"

module LoaderCost
  HZ = 999

  def self.now = BenchClock.now

  # { workload key => { first_share:, steady_share:, settle:, window:, peak_rss_kib:, samples: } }
  def self.run(workloads, settle:, window:, log:)
    workloads.to_h do |w|
      log.call("  #{w.title}: #{settle} s, then #{window} s")
      [w.key, once(w, settle, window)]
    end
  end

  def self.once(workload, settle, window)
    # long enough to outlast both periods: scale 1 is ~3 s of work
    wl = WorkloadRun.new(workload, scale: (settle + window + 2) / 2.0, cpu: Slowdown::WORKLOAD_CPU)
    wl.wait_ready
    wl.go
    prof = RbprofRun.new(HZ, cpu: Slowdown::PROFILER_CPU)
    prof.wait_attached
    marks = [[now, KernelStats.cpu_ns(prof.pid)]]
    [settle, window].each do |secs|
      sleep secs
      marks << [now, KernelStats.cpu_ns(prof.pid)]
    end
    share = ->(a, b) { (b[1] - a[1]) / 1e9 / (b[0] - a[0]) }
    r = prof.stop
    prof = nil
    { first_share: share.call(marks[0], marks[1]), steady_share: share.call(marks[1], marks[2]),
      settle: settle, window: window, peak_rss_kib: r[:peak_rss_kib], samples: r[:samples] }
  ensure
    prof&.kill
    wl&.kill
  end
end
