# The symbol caches' budget on a churning host (issue #15): Ruby processes that make new code
# without end (each method made by an eval and run once: every sample a new iseq, and the GC
# freeing the old ones, whose addresses new code takes) while a short Ruby process starts every
# CHURN_PERIOD s, profiled whole host at HZ with a profile every INTERVAL s (--rotate), the
# same seconds under two budgets side by side: BUDGET_MIB (RBPROF_SYMCACHE_MB), and one no run
# reaches (what the caches would hold unbounded). Figures: the loader's RSS at SETTLE s and at
# the end, what its caches held at most (at a trim) and at the end, frames evicted and
# renamed (found changed by the checks between intervals), and its CPU share of a core.
require "fileutils"
require "tmpdir"
require_relative "kernel_stats"
require_relative "profilers"

module CacheBudget
  HZ = 999
  INTERVAL = 5
  BUDGET_MIB = 4
  UNBOUNDED_MIB = 1 << 20
  MAKERS = 2
  CHURN_PERIOD = 0.25
  SETTLE = 8

  MAKER = "i = 0; t = Process.clock_gettime(Process::CLOCK_MONOTONIC) + Float(ARGV[0]); " \
          "while Process.clock_gettime(Process::CLOCK_MONOTONIC) < t; " \
          "eval(\"def m\#{i}(n); x = 0; n.times { x += 1 }; x; end\"); send(\"m\#{i}\", 2000); " \
          "i += 1; end"
  SHORT = "x = 0; t = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 0.1; " \
          "x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < t"

  Run = RbprofArgvRun

  def self.now = BenchClock.now

  def self.rss_kib(pid)
    File.read("/proc/#{pid}/status")[/^VmRSS:\s+(\d+)/, 1].to_i
  end

  # One budget's run of `seconds`: its figures.
  def self.once(budget_mib, seconds)
    dir = Dir.mktmpdir("rbprof-bench-cache")
    makers = Array.new(MAKERS) { Process.spawn(RbConfig.ruby, "-e", MAKER, (seconds + 5).to_s) }
    prof = Run.new(["env", "RBPROF_SYMCACHE_MB=#{budget_mib}", PROFILER, "-v", "-F", HZ.to_s, "-o", dir,
                    "--rotate", INTERVAL.to_s, "-d", seconds.to_s], cpu: 0)
    prof.wait_for(/^rbprof-bpf: sampling [\d.]+ s after start/)
    t0 = now
    c0 = KernelStats.cpu_ns(prof.pid)
    shorts = []
    settle_rss = nil
    while now - t0 < seconds - 1
      shorts << Process.spawn(RbConfig.ruby, "--disable-gems", "-e", SHORT)
      settle_rss ||= rss_kib(prof.pid) if now - t0 >= SETTLE
      sleep CHURN_PERIOD
    end
    end_rss = rss_kib(prof.pid)
    cpu = (KernelStats.cpu_ns(prof.pid) - c0) / 1e9 / (now - t0)
    prof.wait_for(/^rbprof-bpf: symbol caches/, timeout: seconds + 30)
    m = prof.text.match(/symbol caches: ([\d.]+) MiB held, ([\d.]+) MiB at most .*?; (\d+) frames evicted, (\d+) renamed/)
    { budget_mib: budget_mib, settle_rss_kib: settle_rss, end_rss_kib: end_rss, held_mib: m[1].to_f,
      peak_mib: m[2].to_f, evicted: m[3].to_i, renamed: m[4].to_i, cpu_share: cpu, processes: shorts.size + MAKERS }
  ensure
    prof&.stop
    (makers.to_a + shorts.to_a).each do |pid|
      Process.kill("KILL", pid) rescue nil
      Process.wait(pid) rescue nil
    end
    FileUtils.rm_rf(dir) if dir
  end

  # { "budget" => {...}, "unbounded" => {...} }
  def self.run(seconds:, log:)
    { "budget" => BUDGET_MIB, "unbounded" => UNBOUNDED_MIB }.to_h do |name, mib|
      log.call("  #{name}: #{MAKERS} processes making code, a short one every #{CHURN_PERIOD} s, #{seconds} s")
      [name, once(mib, seconds)]
    end
  end
end
