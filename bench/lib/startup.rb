# rbprof-bpf's start-up: from its spawn to "sampling" (BPF program loaded, Ruby processes
# found, perf events attached) and to the first sample the loader received, with a workload
# already running on the last CPU and the profiler started on CPU 0, as in the slowdown runs.
require_relative "profilers"
require_relative "slowdown"
require_relative "workloads"

module Startup
  HZ = 999

  # { workload key => [{ attached_s:, first_sample_s: }, ...] }
  def self.run(workloads, reps:, log:)
    workloads.to_h do |w|
      log.call("  #{w.title}")
      [w.key, Array.new(reps) { once(w) }]
    end
  end

  def self.once(workload)
    wl = WorkloadRun.new(workload, scale: 1, cpu: Slowdown::WORKLOAD_CPU)
    wl.wait_ready
    wl.go
    sleep 0.2 # the workload is busy in Ruby code
    prof = RbprofRun.new(HZ, cpu: Slowdown::PROFILER_CPU)
    { attached_s: prof.wait_attached, first_sample_s: prof.first_sample }
  ensure
    prof&.kill
    wl&.kill
  end
end
