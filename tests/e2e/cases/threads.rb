# frozen_string_literal: true

# Four Ruby threads in four methods: each sample must show the stack of the
# thread that was running, never a mix, and all four threads get samples.
module E2E
  THREAD_METHODS = %w[burn_a burn_b burn_c burn_d].freeze
  THREAD_LABELS = THREAD_METHODS.map { |m| "Object##{m}" }.freeze
  THREAD_MIN_PERCENT = 5

  SampleClock::CLOCKS.each do |clock|
    test "threads: each sample shows one thread's stack; all 4 sampled, --clock #{clock}" do
      target = Target.ruby("threads.rb")
      result = Profiler.run(["-p", target.pid, *SampleClock.args(clock, 199, 3)])
      mine = stacks_of(assert_profiled(result), target)
      assert_process_frame(mine, target)
      THREAD_METHODS.each { |name| check_thread_stacks(mine, target, name) }
    ensure
      target&.stop
    end

    test "threads: --threads puts each thread's name and tid above its own stack only, --clock #{clock}" do
      target = Target.ruby("threads.rb")
      tids = THREAD_METHODS.to_h { |name| [name, thread_ids(target.pid, name)] }
      assert(tids.values.all? { |t| t.size == 1 }, "threads not named as expected: #{tids}")
      result = Profiler.run(["-p", target.pid, *SampleClock.args(clock, 199, 3), "--threads"])
      mine = stacks_of(assert_profiled(result), target)
      THREAD_METHODS.each do |name|
        want = "thread #{name} [#{tids[name].first}]"
        stacks = mine.select { |s| s.labels.include?("Object##{name}") }
        assert(stacks.total.positive?, "no samples of #{name}; top:\n#{mine.top(8)}")
        wrong = stacks.reject { |s| s.labels.first == want }
        assert(wrong.empty?, "#{name}'s stack not under '#{want}': #{wrong.stacks.first&.raw}")
        under = mine.select { |s| s.labels.first == want }
        others = under.reject { |s| s.labels.include?("Object##{name}") || s.labels.size <= 2 }
        assert(others.total <= under.total * 0.02,
               "'#{want}' holds another thread's stack: #{others.stacks.first&.raw}")
      end
      # every stack is under a thread frame
      bare = mine.reject { |s| s.labels.first&.start_with?("thread ") }
      assert(bare.empty?, "a stack without its thread frame: #{bare.stacks.first&.raw}")
    ensure
      target&.stop
    end
  end

  class Context
    # The tids of pid's threads named +name+ (/proc/PID/task/TID/comm).
    def thread_ids(pid, name)
      Dir.glob("/proc/#{pid}/task/*/comm").select { |f| File.read(f).chomp == name }
         .map { |f| Integer(f[%r{task/(\d+)/}, 1]) }
    rescue SystemCallError
      []
    end

    # Every stack with +name+ is "block in <main>" (at name's Thread.new line)
    # -> name (in its loop, or calling now), with no other burn_X method.
    def check_thread_stacks(profile, target, name)
      path = target.path
      block_line = target.line_of("CALL:#{name}")
      label = "Object##{name}" # a top-level method, as Ruby 3.4 labels it
      stacks = profile.select { |s| s.labels.include?(label) }
      mixed = stacks.select { |s| (s.labels & THREAD_LABELS) != [label] }
      assert(mixed.empty?, "stack of #{name} shows another thread's method: #{mixed.stacks.first&.raw}")
      wrong_root = stacks.reject { |s| frame_is?(s.frames[0], "block in <main>", path, block_line) && s.labels[1] == label }
      assert(wrong_root.empty?, "#{name} is not under 'block in <main> (#{path}:#{block_line})': " \
                                "#{wrong_root.stacks.first&.raw}")
      in_loop = stacks.select { |s| frame_is?(s.frames[1], label, path, target.loop_lines(name)) }
      share = percent(in_loop.total, profile.total)
      assert(share >= THREAD_MIN_PERCENT,
             "#{name} (in its loop) has #{share.round(1)}% of #{profile.total} samples; top stacks:\n#{profile.top(8)}")
    end
  end
end
