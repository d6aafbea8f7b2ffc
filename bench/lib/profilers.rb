# The profilers the benchmark compares, each run as its own process for the length of one
# workload run: rbprof-bpf (whole host) and bpftrace's native-stack profiler. (stackprof runs
# inside the workload: see bench/stackprof_hook.rb.)
require_relative "kernel_stats"
require_relative "workloads"

PROFILER = File.join(ROOT, "rbprof-bpf")

# A profiler process whose stdout and stderr are read by threads, so that it never blocks on
# a full pipe; `text` is all it wrote.
class ProfilerRun
  attr_reader :pid, :spawned_at

  def initialize(argv, cpu:)
    out_r, out_w = IO.pipe
    err_r, err_w = IO.pipe
    @text = +""
    @seen = [] # [line, seconds after spawn]
    @open = 2  # pipes not at end of file yet
    @lock = Mutex.new
    @cond = ConditionVariable.new
    @spawned_at = now
    @pid = Process.spawn(*taskset(cpu), *argv, out: out_w, err: err_w)
    out_w.close
    err_w.close
    @readers = [out_r, err_r].map { |io| Thread.new { read_lines(io) } }
  end

  def now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  # Wait for a line matching re; the time it arrived (seconds since spawn). Raises if the
  # process ends first.
  def wait_for(re, timeout: 60)
    deadline = now + timeout
    @lock.synchronize do
      loop do
        hit = @seen.find { |line, _| line.match?(re) }
        return hit[1] if hit
        raise "bench: #{name} exited before printing #{re.inspect}:\n#{@text}" if @open.zero?

        left = deadline - now
        raise "bench: #{name} did not print #{re.inspect}:\n#{@text}" if left <= 0

        @cond.wait(@lock, left)
      end
    end
  end

  def text
    @lock.synchronize { @text.dup }
  end

  # Seconds between SIGINTs to a profiler that has not exited yet: bpftrace 0.17 can miss
  # one that arrives while it is not waiting for events, and then waits on forever.
  INT_AGAIN = 2
  # SIGINTs sent before SIGKILL.
  INT_TRIES = 10

  # SIGINT, wait; { cpu_s: the process's total CPU time }.
  def stop
    before = Process.times
    INT_TRIES.times do
      Process.kill("INT", @pid)
      deadline = now + INT_AGAIN
      sleep 0.05 until Process.wait(@pid, Process::WNOHANG) || now > deadline
      break unless alive?
    end
    kill if alive?
    after = Process.times
    @readers.each(&:join)
    { cpu_s: (after.cutime + after.cstime) - (before.cutime + before.cstime) }
  end

  def kill
    Process.kill("KILL", @pid)
    Process.wait(@pid)
    @readers.each(&:join)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  end

  # Not waited for yet (Process.wait with WNOHANG above reaps it).
  def alive?
    Process.kill(0, @pid)
    !Process.wait(@pid, Process::WNOHANG)
  rescue Errno::ESRCH, Errno::ECHILD
    false
  end

  private

  def read_lines(io)
    while (line = io.gets)
      t = now - @spawned_at
      @lock.synchronize do
        @text << line
        @seen << [line, t]
        @cond.broadcast
      end
    end
    @lock.synchronize do
      @open -= 1
      @cond.broadcast
    end
  end
end

# rbprof-bpf with the arguments a bench part gives it (RbprofRun's are the comparison's).
class RbprofArgvRun < ProfilerRun
  def name = "rbprof-bpf"
end

# The monotonic clock, in seconds, that the parts time with.
module BenchClock
  def self.now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

# rbprof-bpf -F HZ, whole host, profile to /dev/null; -v for its start-up timings. On perf
# events (--clock perf) unless clock says otherwise: the figures of every part but the clock's
# are of the same trigger, whatever the default for HZ is.
class RbprofRun < ProfilerRun
  def name = "rbprof-bpf"

  def self.binary = PROFILER

  # Which of the process's BPF programs is the sampler (KernelStats.prog_stats's filter).
  def self.sampler = { type: KernelStats::PERF_EVENT_PROG }

  def initialize(hz, cpu:, clock: "perf", args: [])
    super([self.class.binary, "-v", "-F", hz.to_s, "--clock", clock, *args], cpu: cpu)
  end

  def wait_attached
    wait_for(/^rbprof-bpf: sampling [\d.]+ s after start/)
  end

  # Seconds from spawn to the first sample the loader received.
  def first_sample
    wait_for(/^rbprof-bpf: first sample received/, timeout: 10)
  end

  def stop
    r = super
    t = text
    if (m = t.match(/loader: user ([\d.]+) s, system ([\d.]+) s, peak RSS (\d+) KiB/))
      r[:own_cpu_s] = m[1].to_f + m[2].to_f
      r[:peak_rss_kib] = m[3].to_i
    end
    r[:samples] = t[/samples in Ruby processes: (\d+)/, 1]&.to_i
    r[:lost] = t[/ring buffer full\): (\d+)/, 1].to_i + t[/unreadable stack\): (\d+)/, 1].to_i
    r
  end
end

# rbprof-bpf on the scheduler tick (--clock tick), at most HZ samples a second per CPU.
class RbprofTickRun < RbprofRun
  def name = "rbprof-bpf (tick)"

  def self.sampler = { type: KernelStats::RAW_TRACEPOINT_PROG, name: /\Arbprof_tick/ }

  def initialize(hz, cpu:, args: [])
    super(hz, cpu: cpu, clock: "tick", args: args)
  end
end

# make bench's trivial sampler (bench/count.c): a BPF program that only counts, on either
# clock, for the cost of a trigger apart from the walk.
class CountRun < ProfilerRun
  BINARY = File.join(ROOT, ".output", "bench-count")

  def name = "bench-count"

  def self.sampler(clock)
    clock == "tick" ? { type: KernelStats::RAW_TRACEPOINT_PROG, name: /\Acount_tick/ } : {}
  end

  def initialize(hz, cpu:, clock:)
    super([BINARY, clock, hz.to_s], cpu: cpu)
  end

  def wait_attached
    wait_for(/^attached: /)
  end

  def stop
    r = super
    r[:samples] = text[/^samples: (\d+)/, 1]&.to_i
    r
  end
end

# bpftrace's whole-host native-stack profiler: `profile:hz:N { @[ustack] = count(); }`. The
# BEGIN probe fires once every probe is attached; at the end bpftrace prints the stacks, as
# a user would have it do.
class BpftraceRun < ProfilerRun
  def name = "bpftrace"

  def self.sampler = { type: KernelStats::PERF_EVENT_PROG }

  def self.program(hz)
    %(BEGIN { printf("attached\\n"); } profile:hz:#{hz} { @[ustack] = count(); })
  end

  def initialize(hz, cpu:)
    super(["bpftrace", "-e", self.class.program(hz)], cpu: cpu)
  end

  def wait_attached
    wait_for(/^attached$/)
  end

  def stop
    rss = KernelStats.peak_rss_kib(pid)
    r = super
    r[:peak_rss_kib] = rss
    r[:samples] = text.scan(/\]: (\d+)$/).sum { |(n)| n.to_i }
    r[:lost] = text[/Lost (\d+) events/, 1]&.to_i
    r
  end
end

# An earlier build of rbprof-bpf (BENCH_BASELINE=REV, built by scripts/bench.sh), measured in
# the same run as the work tree's so that a change's cost is a ratio, not two runs' noise.
def baseline_run_class(rev, binary)
  Class.new(RbprofRun) do
    define_method(:name) { "rbprof-bpf #{rev}" }
    define_singleton_method(:binary) { binary }
  end
end
