# frozen_string_literal: true

require "json"
require "tmpdir"

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
    run = Profiler.start(["-p", target.pid, "--wall", "--threads", "-d", 4])
    truth = wall_syscalls(target.pid, %w[ruby sleeper reader], seconds: 3.5)
    result = run.finish(4 + Profiler::SLACK)
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
        stacks = by_thread[name]
        truth[name].each do |call, share|
          want = "(off-CPU: #{call})"
          right = stacks.select { |s| s.leaf.label == want && s.labels[-2] == caller }
          got = percent(right.total, stacks.total)
          assert((got - share).abs <= 15,
                 "thread #{name}: #{got.round(1)}% of its samples end in '#{caller};#{want}', the " \
                 "kernel says #{share.round(1)}% (#{truth[name]}); top:\n#{stacks.top(4)}")
        end
      end
    reader = truth["reader"]
    assert(reader.keys == ["read"], "the reader is not in read(2) as the kernel says: #{reader}")
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
    by_thread = wall_by_thread(stacks_of(assert_profiled(wall_run(target, 4)), target))
    %w[cpu_1 cpu_2 cpu_3].each do |name|
      stacks, gvl = gvl_share(by_thread, name)
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
    stacks, gvl = gvl_share(wall_by_thread(stacks_of(assert_profiled(wall_run(target, 3)), target)), "cpu_1")
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

  test "wall: whole host, a speedscope file: the waiting threads' leaves are frames of their own" do
    target = Target.ruby("wall.rb")
    Dir.mktmpdir("rbprof-e2e-wall") do |dir|
      path = File.join(dir, "wall.json")
      result = Profiler.run(["--wall", "-t", "-d", 2, "-o", path])
      assert_exit(result, 0)
      json = JSON.parse(File.read(path))
      names = json.dig("shared", "frames").map { |f| f["name"] }
      assert(names.include?("(off-CPU: read)"), "no frame (off-CPU: read) among #{names.grep(/\A\(/).inspect}")
      mine = json["profiles"].select { |pr| pr["name"].include?("[#{target.pid}]") }
      assert(mine.size >= 4, "profiles of pid #{target.pid}'s threads: #{mine.map { |pr| pr['name'] }}")
    end
  ensure
    target&.stop
  end

  # A snapshot of a live process can catch a thread in a moment's other state (a wakeup on
  # its way back to sleep, waiting for the GVL): a mismatch is looked at again, 3 dumps at most.
  DUMP_TRIES = 3

  test "dump: every thread named with its tid, state and backtrace, innermost first; exit 0" do
    target = Target.ruby("wall.rb")
    tids = WALL_THREADS.keys.to_h { |n| [n, thread_ids(target.pid, n).first] }
    # what the kernel says of each thread: the dump's must be one of them
    truth = wall_syscalls(target.pid, %w[ruby sleeper reader], seconds: 1)
    DUMP_TRIES.times do |try|
      result = Profiler.run(["--dump", "-p", target.pid])
      assert_exit(result, 0)
      problem = dump_problem(result.stdout, target, tids, truth)
      break unless problem
      raise Failure, problem if try == DUMP_TRIES - 1
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
    # What is wrong with a --dump of programs/wall.rb, or nil.
    def dump_problem(out, target, tids, truth)
      return "dump header: #{out.lines.first.inspect}" unless out.start_with?("Process #{target.pid} (ruby), Ruby ")

      path = target.path
      blocked = ->(name) { /: blocked in (#{truth[name].keys.join('|')}) / }
      want = {
        "ruby" => [/\(main\)#{blocked.call('ruby')}/, "#{path}:#{target.line_of('CALL:join')}:in 'Thread#join'"],
        "sleeper" => [blocked.call("sleeper"), "#{path}:#{target.line_of('LOOP:nap')}:in 'Kernel#sleep'",
                      "#{path}:#{target.line_of('LOOP:nap')}:in 'Object#nap'"],
        "reader" => [/: blocked in read /, "#{path}:#{target.line_of('LOOP:read')}:in 'IO#read'",
                     "#{path}:#{target.line_of('LOOP:read')}:in 'Object#wait_for_input'"],
        "burner" => [/: (on CPU|runnable, waiting for a CPU)/, /#{Regexp.escape(path)}:\d+:in 'Object#burn'/],
      }
      want.each do |name, (state, *frames)|
        block = out[/^Thread #{tids[name]} "#{name}".*?(?=^Thread |\z)/m]
        return "no 'Thread #{tids[name]} \"#{name}\"' in the dump:\n#{out}" unless block

        header, *lines = block.lines.map(&:chomp)
        return "#{name}: header #{header.inspect}, expected #{state.inspect}" unless state.match?(header)

        frames.each_with_index do |f, i|
          ok = f.is_a?(Regexp) ? f.match?(lines[i].to_s.strip) : lines[i].to_s.strip == f
          return "#{name}: frame #{i} is #{lines[i].inspect}, expected #{f.inspect}\n#{block}" unless ok
        end
      end
      nil
    end

    def wall_run(target, seconds)
      Profiler.run(["-p", target.pid, "--wall", "--threads", "-d", seconds])
    end

    # Thread +name+'s stacks, and the share of them that end in (GVL wait).
    def gvl_share(by_thread, name)
      stacks = by_thread[name]
      assert(stacks && stacks.total.positive?, "no samples of thread #{name}")
      [stacks, percent(stacks.select { |s| s.leaf.label == "(GVL wait)" }.total, stacks.total)]
    end

    # Per thread name (the frame "thread NAME [TID]" under --threads): its stacks.
    def wall_by_thread(profile)
      profile.stacks.group_by { |s| s.labels.first.to_s[/\Athread (.+) \[\d+\]\z/, 1] }
             .transform_values { |v| Profile.new(v) }
    end

    # The system calls each named thread of pid is blocked in, as the kernel says, and the
    # share of the time in each: /proc/PID/task/TID/syscall looked at every 10 ms for
    # +seconds+ (a sleeping thread of Ruby 3.1 is in ppoll or in futex, as the VM's timer
    # duty moves between threads). { name => { "futex" => 62.0, "ppoll" => 38.0 } }
    def wall_syscalls(pid, names, seconds:)
      numbers = syscall_numbers
      tids = names.to_h { |n| [n, thread_ids(pid, n).first || raise(Failure, "no thread #{n} in #{pid}")] }
      seen = Hash.new { |h, k| h[k] = [] }
      deadline = Clock.now + seconds
      while Clock.now < deadline
        tids.each do |name, tid|
          nr = File.read("/proc/#{pid}/task/#{tid}/syscall").split.first
          seen[name] << numbers.fetch(Integer(nr)) { "syscall #{nr}" } if nr.match?(/\A\d+\z/)
        end
        sleep 0.01
      end
      names.to_h do |name|
        raise Failure, "thread #{name} is in no system call" if seen[name].empty?

        [name, seen[name].tally.transform_values { |n| 100.0 * n / seen[name].size }]
      end
    end

    # x86_64's system call names by number, from the kernel's header.
    def syscall_numbers
      File.read("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
          .scan(/^#define __NR_(\w+) (\d+)$/).to_h { |name, nr| [Integer(nr), name] }
    end
  end
end
