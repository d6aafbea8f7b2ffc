# frozen_string_literal: true

# Usage errors exit 2, runtime errors exit 1; each is one stderr line
# starting with "rbprof-bpf: ".
module E2E
  USAGE_ERROR = 2
  RUNTIME_ERROR = 1
  ERROR_TIMEOUT = 10

  [%w[-d 0], %w[-d -1], %w[-F 0], %w[-F 20000]].each do |args|
    test "errors: #{args.join(' ')} is a usage error (exit 2)" do
      result = Profiler.run(args, timeout: ERROR_TIMEOUT)
      assert_error(result, USAGE_ERROR, args[0] == "-d" ? %w[-d duration] : %w[-F freq rate hz])
    end
  end

  test "errors: -p of a pid that does not exist (exit 2, names it)" do
    pid = unused_pid
    result = Profiler.run(["-p", pid, "-d", 1], timeout: ERROR_TIMEOUT)
    assert_error(result, USAGE_ERROR, pid)
  end

  test "errors: -p of a process that is not Ruby (exit 2, names it)" do
    sleeper = Child.new(%w[sleep 20], in: File::NULL, out: File::NULL)
    sleep 0.2 # let it exec
    result = Profiler.run(["-p", sleeper.pid, "-d", 1], timeout: ERROR_TIMEOUT)
    assert_error(result, USAGE_ERROR, sleeper.pid)
  ensure
    sleeper&.kill
  end

  test "errors: not root (exit 1, mentions root/CAP_BPF/CAP_PERFMON)" do
    wrap = %w[setpriv --reuid=65534 --regid=65534 --clear-groups]
    result = Profiler.run(%w[-d 1], wrap: wrap, timeout: ERROR_TIMEOUT)
    assert_error(result, RUNTIME_ERROR, %w[root CAP_BPF CAP_PERFMON])
  end

  test "errors: no BTF in /sys/kernel/btf (exit 1, mentions BTF)" do
    wrap = ["unshare", "-m", "sh", "-c", 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"']
    result = Profiler.run(%w[-d 1], wrap: wrap, timeout: ERROR_TIMEOUT)
    assert_error(result, RUNTIME_ERROR, "BTF")
  end

  test "errors: -p of an unsupported Ruby (1.9.3): one warning, exit 1" do
    fake = FakeRuby.start
    result = Profiler.run(["-p", fake.pid, "-d", 1], timeout: ERROR_TIMEOUT)
    assert_error(result, RUNTIME_ERROR, FakeRuby::VERSION, "3.1")
  ensure
    fake&.stop
  end

  test "--force-version: an unsupported Ruby is read with the given version's layout" do
    fake = FakeRuby.start
    result = Profiler.run(["-p", fake.pid, "-d", 1, "--force-version", "3.1.2"], timeout: ERROR_TIMEOUT)
    assert_exit(result, 0)
    line = result.stderr_lines.grep(/\Arbprof-bpf: process #{fake.pid} /).first
    assert(line&.include?(FakeRuby::VERSION), "no summary line for the forced process: #{result.stderr_lines}")
    bad = Profiler.run(["--force-version", "1.9.3", "-d", 1], timeout: ERROR_TIMEOUT)
    assert_error(bad, 2, "1.9.3", "3.1")
  ensure
    fake&.stop
  end

  test "errors: unsupported Ruby in whole-host mode is a warning, others profiled" do
    fake = FakeRuby.start
    _, warning = whole_host_beside(fake, /#{Regexp.escape(FakeRuby::VERSION)}/, 1)
    assert_line_mentions(warning, "3.1")
  ensure
    fake&.stop
  end

  class Context
    # Profile the whole host for +secs+ beside +fake+ and a real Ruby program: the real one
    # is profiled, and one stderr line matches +pattern+ (returned, with the result).
    def whole_host_beside(fake, pattern, secs)
      target = Target.ruby("basic.rb")
      result = Profiler.run(["-d", secs])
      profile = assert_profiled(result)
      lines = result.stderr_lines.grep(pattern)
      assert(lines.size == 1, "expected one line matching #{pattern.source} (pid #{fake.pid}), got #{lines}")
      burn = stacks_of(profile, target).select { |s| s.labels == %w[<main> Object#run Object#burn] }
      assert(burn.total.positive?, "no <main>;run;burn stack for pid #{target.pid}")
      [result, lines.first]
    ensure
      target&.stop
    end

    # A pid no process has: counting down from the kernel's pid_max.
    def unused_pid
      pid_max = File.read("/proc/sys/kernel/pid_max").to_i
      (pid_max - 1).downto(2).find { |pid| !File.exist?("/proc/#{pid}") }
    end
  end
end

module E2E
  # The kernel's table of processes shrunk to one entry (RBPROF_MAX_PROCS, the tests' knob).
  FULL_TABLE = ["env", "RBPROF_MAX_PROCS=1"].freeze

  test "errors: -p of two processes when the sampler can take one: exit 1, says which and why" do
    a = Target.ruby("ratio.rb")
    b = Target.ruby("ratio.rb")
    result = Profiler.run(["-p", "#{a.pid},#{b.pid}", "-d", 1, "-q"], wrap: FULL_TABLE, timeout: ERROR_TIMEOUT)
    assert_error(result, RUNTIME_ERROR, b.pid, "table of Ruby processes is full")
  ensure
    a&.stop
    b&.stop
  end

  test "errors: whole host with the sampler's table full: each process it cannot take is said once" do
    targets = Array.new(2) { Target.ruby("ratio.rb") }
    result = Profiler.run(["-d", 4, "-q"], wrap: FULL_TABLE, timeout: ERROR_TIMEOUT)
    assert_exit(result, 0)
    said = result.stderr_lines.grep(/cannot sample pid (\d+)/) { Regexp.last_match(1) }
    assert(said.size >= 1, "no process said to be left out: #{result.stderr_lines}")
    assert(said.uniq.size == said.size, "a process said more than once (4 scans): #{said.tally.select { |_, n| n > 1 }}")
  ensure
    targets&.each(&:stop)
  end
end
