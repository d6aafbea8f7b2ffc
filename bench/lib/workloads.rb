# The benchmark's workloads (bench/workloads/*.rb) and how one run of a workload is driven:
# start its processes, wait until each has loaded, start them all at once, collect their
# timings.
require "rbconfig"

ROOT = File.expand_path("../..", __dir__)
RUBY = ENV.fetch("BENCH_RUBY", "ruby")
STACKPROF_HOOK = File.join(ROOT, "bench", "stackprof_hook.rb")

# key, title, script, processes, and the share of a full run each process does.
Workload = Struct.new(:key, :title, :script, :procs) do
  def path
    File.join(ROOT, "bench", "workloads", script)
  end
end

WORKLOADS = [
  Workload.new("mix50", "50-frame method mix", "method_mix.rb", 1),
  Workload.new("rec1000", "1000-frame recursion", "recursion.rb", 1),
  Workload.new("threads4", "4 threads", "threads.rb", 1),
  Workload.new("procs20", "20 processes", "method_mix.rb", 20),
].select { |w| ENV.fetch("BENCH_WORKLOADS", w.key).split(",").include?(w.key) }.freeze

def taskset(cpu)
  cpu ? ["taskset", "-c", cpu.to_s] : []
end

# One run of a workload: its processes, all reading the same "go" pipe.
class WorkloadRun
  attr_reader :pids

  # scale: the amount of work of the whole run (1.0: ~3 s on one CPU), divided among the
  # processes. env: extra environment (the stackprof configuration sets its rate there).
  def initialize(workload, scale:, cpu: nil, env: {})
    @workload = workload
    go_r, @go = IO.pipe
    share = format("%.6f", scale.to_f / workload.procs)
    @procs = Array.new(workload.procs) do
      out_r, out_w = IO.pipe
      err_r, err_w = IO.pipe
      pid = Process.spawn(env.merge("BENCH_SCALE" => share), *taskset(cpu), RUBY, "-r",
                          STACKPROF_HOOK, workload.path, in: go_r, out: out_w, err: err_w)
      out_w.close
      err_w.close
      { pid: pid, out: out_r, err: err_r }
    end
    go_r.close
    @pids = @procs.map { |p| p[:pid] }
  end

  # Block until every process has loaded and waits for "go".
  def wait_ready
    @procs.each do |p|
      line = p[:out].gets
      raise "bench: #{@workload.script} (pid #{p[:pid]}) did not start: #{p[:err].read}" unless line == "ready\n"
    end
  end

  def go
    @go.close
  end

  # Wait for the end; { wall: slowest process, cpu: sum over processes, stackprof_samples }.
  def finish
    wall = cpu = 0.0
    sp_samples = nil
    @procs.each do |p|
      line = p[:out].read
      err = p[:err].read
      _, status = Process.wait2(p[:pid])
      m = line.match(/wall ([\d.]+) cpu ([\d.]+)/)
      raise "bench: #{@workload.script} failed (#{status}): #{err}" unless m && status.success?

      wall = [wall, m[1].to_f].max
      cpu += m[2].to_f
      if (n = err[/stackprof samples (\d+)/, 1])
        sp_samples = sp_samples.to_i + n.to_i
      end
    end
    @procs = []
    { wall: wall, cpu: cpu, stackprof_samples: sp_samples }
  end

  def kill
    @go.close unless @go.closed?
    @procs.each do |p|
      Process.kill("KILL", p[:pid])
      Process.wait(p[:pid])
    rescue Errno::ESRCH, Errno::ECHILD
      nil
    end
    @procs = []
  end
end

# A process that keeps one CPU busy outside Ruby: the BPF programs' non-Ruby samples.
class Spinner
  def initialize(cpu)
    @pid = Process.spawn(*taskset(cpu), "sh", "-c", "while :; do :; done")
  end

  def kill
    Process.kill("KILL", @pid)
    Process.wait(@pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  end
end
