# What following processes through the kernel's exec, fork and exit events gains and costs
# (issue #13), against the scans of /proc alone (RBPROF_PROC_EVENTS=0: what the profiler did
# before, and does on a kernel that refuses the events), side by side in one run:
#   - pickup: from the spawn of a short Ruby process to the loader's first sample of it
#     (whole host, 999 Hz), the median and the worst of PICKUPS processes;
#   - the loader's CPU while a shell starts FORKS_PER_S short non-Ruby processes a second
#     (every one an exec event, and a probe), as a share of one core.
require_relative "kernel_stats"
require_relative "profilers"
require_relative "stats"

module ProcessEvents
  extend BenchStats

  # rbprof-bpf, whole host, with or without the process events.
  Run = RbprofArgvRun

  PICKUPS = 10
  PICKUP_HZ = 999
  FORKS_PER_S = 200
  MODES = { "events" => [], "scans" => ["env", "RBPROF_PROC_EVENTS=0"] }.freeze
  # A Ruby process that lives 0.3 s: long enough to be found by a scan, short as a CLI's.
  SHORT_RUBY = "t = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 0.3; x = 0; " \
               "x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < t"
  # FORKS_PER_S /bin/true a second: bursts of 20 every 0.1 s.
  FORK_LOOP = "end=$((SECONDS+%d)); while [ $SECONDS -lt $end ]; do " \
              "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true; done; " \
              "sleep 0.1; done"

  def self.now = BenchClock.now

  def self.profiler(mode, hz)
    Run.new([*MODES.fetch(mode), PROFILER, "-v", "-F", hz.to_s, "-o", "/dev/null"], cpu: 0)
  end

  # Milliseconds from spawn to first sample, one per process (nil: never sampled).
  def self.pickups(mode)
    prof = profiler(mode, PICKUP_HZ)
    prof.wait_for(/^rbprof-bpf: sampling [\d.]+ s after start/)
    Array.new(PICKUPS) do
      t0 = now - prof.spawned_at
      pid = Process.spawn(RbConfig.ruby, "-e", SHORT_RUBY)
      t1 = begin
        prof.wait_for(/^rbprof-bpf: pid #{pid} \(.*\): first sample/, timeout: 3)
      rescue RuntimeError
        nil
      end
      Process.wait(pid)
      t1 && (t1 - t0) * 1000
    end
  ensure
    prof&.stop
  end

  # The loader's CPU share of a core while the fork loop runs for +seconds+.
  def self.fork_cost(mode, seconds)
    prof = profiler(mode, 99)
    prof.wait_for(/^rbprof-bpf: sampling [\d.]+ s after start/)
    sleep 1 # past its start-up
    t0 = now
    c0 = KernelStats.cpu_ns(prof.pid)
    system("bash", "-c", format(FORK_LOOP, seconds))
    (KernelStats.cpu_ns(prof.pid) - c0) / 1e9 / (now - t0)
  ensure
    prof&.stop
  end

  # { "events" => { pickup_ms: [...], fork_share: }, "scans" => ... }
  def self.run(seconds:, log:)
    MODES.keys.to_h do |mode|
      log.call("  #{mode}: #{PICKUPS} short Ruby processes, then #{FORKS_PER_S} execs/s for #{seconds} s")
      [mode, { pickup_ms: pickups(mode), fork_share: fork_cost(mode, seconds) }]
    end
  end
end
