# frozen_string_literal: true

# --wall and --dump on threads whose time is known: one burns CPU, one loops on sleep, one
# blocks in a read(2) of a pipe nobody writes, the main thread joins them (programs/wall.rb).
# What system call each blocks in is read from /proc/PID/task/TID/syscall, the kernel's own
# word, not from the profiler.
module E2E
  WALL_THREADS = { "ruby" => "main", "burner" => "burner", "sleeper" => "sleeper",
                   "reader" => "reader" }.freeze
  WALL_SHARE = 25
  WALL_SHARE_SLACK = 8

  test "wall: 4 threads (CPU, sleep, read, join) 25% +- 8 each; off-CPU leaves name the kernel's system call" do
    target = Target.ruby("wall.rb")
    truth = wall_syscalls(target.pid, %w[ruby sleeper reader])
    result = Profiler.run(["-p", target.pid, "--wall", "--threads", "-d", 4])
    mine = stacks_of(assert_profiled(result), target)
    by_thread = wall_by_thread(mine)
    total = mine.total
    WALL_THREADS.each_key do |name|
      share = percent(by_thread[name]&.total.to_i, total)
      assert((share - WALL_SHARE).abs <= WALL_SHARE_SLACK,
             "thread #{name}: #{share.round(1)}% of the wall samples, expected " \
             "#{WALL_SHARE} +- #{WALL_SHARE_SLACK}; top:\n#{mine.top(8)}")
    end
    { "ruby" => "Thread#join [c]", "sleeper" => "Kernel#sleep [c]", "reader" => "IO#read [c]" }
      .each do |name, caller|
        want = "(off-CPU: #{truth[name]})"
        stacks = by_thread[name]
        right = stacks.select { |s| s.leaf.label == want && s.labels[-2] == caller }
        assert(percent(right.total, stacks.total) >= 90,
               "thread #{name}: #{right.total} of #{stacks.total} samples end in '#{caller};#{want}' " \
               "(the kernel says #{truth[name]}); top:\n#{stacks.top(4)}")
      end
    burner = by_thread["burner"]
    waits = burner.select { |s| s.leaf.label.start_with?("(off-CPU", "(GVL wait") }
    assert(percent(waits.total, burner.total) < 5, "the burner waits: #{burner.top(4)}")
    assert(percent(burner.select { |s| s.labels.include?("Object#burn") }.total, burner.total) >= 90,
           "the burner's samples are not in Object#burn: #{burner.top(4)}")
  ensure
    target&.stop
  end

  test "wall: 3 CPU-bound threads share the GVL: (GVL wait) is 2/3 of each one's samples (+- 10)" do
    target = Target.ruby("wall.rb", env: { "WALL_MODE" => "gvl3" })
    result = Profiler.run(["-p", target.pid, "--wall", "--threads", "-d", 4])
    by_thread = wall_by_thread(stacks_of(assert_profiled(result), target))
    %w[cpu_1 cpu_2 cpu_3].each do |name|
      stacks = by_thread[name]
      assert(stacks && stacks.total.positive?, "no samples of thread #{name}")
      gvl = percent(stacks.select { |s| s.leaf.label == "(GVL wait)" }.total, stacks.total)
      assert((gvl - 66.7).abs <= 10,
             "thread #{name}: #{gvl.round(1)}% (GVL wait), expected 66.7 +- 10; top:\n#{stacks.top(4)}")
      inside = stacks.select { |s| s.labels.include?("Object#burn") }
      assert(percent(inside.total, stacks.total) >= 90, "thread #{name}'s waits lost their stack: #{stacks.top(4)}")
    end
  ensure
    target&.stop
  end

  test "wall: one CPU-bound thread alone: under 5% (GVL wait)" do
    target = Target.ruby("wall.rb", env: { "WALL_MODE" => "gvl1" })
    result = Profiler.run(["-p", target.pid, "--wall", "--threads", "-d", 3])
    stacks = wall_by_thread(stacks_of(assert_profiled(result), target))["cpu_1"]
    assert(stacks && stacks.total.positive?, "no samples of thread cpu_1")
    gvl = percent(stacks.select { |s| s.leaf.label == "(GVL wait)" }.total, stacks.total)
    assert(gvl < 5, "cpu_1 alone: #{gvl.round(1)}% (GVL wait); top:\n#{stacks.top(4)}")
  ensure
    target&.stop
  end

  test "wall: without --wall a CPU profile has no sleeping thread and no wait leaves" do
    target = Target.ruby("wall.rb")
    result = Profiler.run(["-p", target.pid, "--threads", "-d", 2])
    mine = stacks_of(assert_profiled(result), target)
    waits = mine.select { |s| s.leaf.label.start_with?("(off-CPU", "(GVL wait", "(runnable") }
    assert(waits.empty?, "wait leaves in a CPU profile: #{waits.top(3)}")
    sleeper = wall_by_thread(mine)["sleeper"]
    assert(sleeper.nil? || percent(sleeper.total, mine.total) < 3, "the sleeper is sampled in CPU mode")
  ensure
    target&.stop
  end

  test "dump: every thread named with its tid, state and backtrace, innermost first; exit 0" do
    target = Target.ruby("wall.rb")
    truth = wall_syscalls(target.pid, %w[ruby sleeper reader])
    tids = WALL_THREADS.keys.to_h { |n| [n, thread_ids(target.pid, n).first] }
    result = Profiler.run(["--dump", "-p", target.pid])
    assert_exit(result, 0)
    out = result.stdout
    assert(out.start_with?("Process #{target.pid} (ruby), Ruby "), "dump header: #{out.lines.first.inspect}")
    path = target.path
    want = {
      "ruby" => ["(main): blocked in #{truth['ruby']}", "#{path}:#{target.line_of('CALL:join')}:in 'Thread#join'"],
      "sleeper" => ["blocked in #{truth['sleeper']}", "#{path}:#{target.line_of('LOOP:nap')}:in 'Kernel#sleep'",
                    "#{path}:#{target.line_of('LOOP:nap')}:in 'Object#nap'"],
      "reader" => ["blocked in read", "#{path}:#{target.line_of('LOOP:read')}:in 'IO#read'",
                   "#{path}:#{target.line_of('LOOP:read')}:in 'Object#wait_for_input'"],
      "burner" => [/: (on CPU|runnable, waiting for a CPU)/, /#{Regexp.escape(path)}:\d+:in 'Object#burn'/],
    }
    want.each do |name, (state, *frames)|
      block = out[/^Thread #{tids[name]} "#{name}".*?(?=^Thread |\z)/m]
      assert(block, "no 'Thread #{tids[name]} \"#{name}\"' in the dump:\n#{out}")
      header, *lines = block.lines.map(&:chomp)
      assert(state.is_a?(Regexp) ? state.match?(header) : header.include?(state),
             "#{name}: header #{header.inspect}, expected #{state.inspect}")
      frames.each_with_index do |f, i|
        ok = f.is_a?(Regexp) ? f.match?(lines[i].to_s.strip) : lines[i].to_s.strip == f
        assert(ok, "#{name}: frame #{i} is #{lines[i].inspect}, expected #{f.inspect}\n#{block}")
      end
    end
    assert(target.running?, "the process stopped")
  ensure
    target&.stop
  end

  test "dump, wall: usage errors and a kernel without the thread iterator, in one line each" do
    assert_error(Profiler.run(["--dump"]), 2, "--dump", "-p")
    assert_error(Profiler.run(["--dump", "-p", Process.pid, "--wall"]), 2, "--dump")
    target = Target.ruby("wall.rb", env: { "WALL_MODE" => "gvl1" })
    refused = Profiler.run(["-p", target.pid, "--wall", "-d", 1], wrap: ["env", "RBPROF_THREAD_STATES=0"])
    assert_error(refused, 1, "--wall", "5.15", "CPU profiles work")
    cpu = Profiler.run(["-p", target.pid, "-d", 1], wrap: ["env", "RBPROF_THREAD_STATES=0"])
    assert_profiled(cpu)
  ensure
    target&.stop
  end

  class Context
    # Per thread name (the frame "thread NAME [TID]" under --threads): its stacks.
    def wall_by_thread(profile)
      profile.stacks.group_by { |s| s.labels.first.to_s[/\Athread (.+) \[\d+\]\z/, 1] }
             .transform_values { |v| Profile.new(v) }
    end

    # The system call each named thread of pid is blocked in, as the kernel says: the most
    # frequent of 10 looks at /proc/PID/task/TID/syscall.
    def wall_syscalls(pid, names)
      numbers = syscall_numbers
      names.to_h do |name|
        tid = thread_ids(pid, name).first or raise Failure, "no thread #{name} in #{pid}"
        seen = Array.new(10) do
          sleep 0.02
          File.read("/proc/#{pid}/task/#{tid}/syscall").split.first
        end
        nr = seen.grep(/\A\d+\z/).tally.max_by { |_, n| n }&.first
        raise Failure, "thread #{name} is in no system call: #{seen.inspect}" unless nr

        [name, numbers.fetch(Integer(nr)) { "syscall #{nr}" }]
      end
    end

    # x86_64's system call names by number, from the kernel's header.
    def syscall_numbers
      File.read("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
          .scan(/^#define __NR_(\w+) (\d+)$/).to_h { |name, nr| [Integer(nr), name] }
    end
  end
end
