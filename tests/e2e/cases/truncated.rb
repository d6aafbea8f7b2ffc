# frozen_string_literal: true

# A stack deeper than the profiler's limit is marked "(truncated)" right
# after the process frame, keeps its leaf, and is counted in the summary.
module E2E
  DEPTH_COMPLETE = 1000 # captured whole
  DEPTH_TRUNCATED = 1500 # deeper than the profiler's 1024 frames

  class Context
    # Profile deep.rb recursing +depth+ levels: the target, the run, its stacks, and those
    # whose leaf is burn in its loop (there must be some).
    def profile_deep(depth, wrap: [], clock: [])
      target = Target.ruby("deep.rb", args: [depth])
      result = Profiler.run(["-p", target.pid, "-d", 1, "-F", 199, *clock], wrap: wrap)
      mine = stacks_of(assert_profiled(result), target)
      hot = mine.select { |s| s.leaf && frame_is?(s.leaf, "Object#burn", target.path, target.loop_lines("burn")) }
      assert(hot.total.positive?, "no stack with leaf burn; top:\n#{mine.top(3)}")
      [target, result, mine, hot]
    end

    # A 1000-deep recursion profiled (through `wrap`): every hot sample has it whole.
    def check_whole_deep_stack(form, wrap: [])
      clock = ["--clock", form.start_with?("rbprof_tick") ? "tick" : "perf"]
      target, result, _, hot = profile_deep(DEPTH_COMPLETE, wrap: wrap, clock: clock)
      # the form of the sampler that ran is the one the test is about: -v names it (its
      # libbpf lines kept out of the run above, whose stderr must be the profiler's own)
      said = Profiler.run(["-p", target.pid, "-d", 1, "-v", *clock], wrap: wrap).stderr_lines.grep(/\Arbprof-bpf: sampler: /)
      assert(said == ["rbprof-bpf: sampler: #{form}"], "expected the #{form} sampler, -v says #{said}")
      whole = hot.select do |s|
        s.frames.size == DEPTH_COMPLETE + 3 && s.frames[0].label == "<main>" &&
          s.frames[1..-2].count { |f| f.label == "Object#dive" } == DEPTH_COMPLETE + 1
      end
      assert(whole.total == hot.total, "#{hot.total - whole.total} of #{hot.total} samples are not " \
                                       "<main>;dive x#{DEPTH_COMPLETE + 1};burn: #{(hot.stacks - whole.stacks).first&.raw.to_s[0, 200]}")
      line = result.stderr_lines.grep(/\Arbprof-bpf: stacks truncated: /).first
      assert(line&.end_with?(": 0"), "summary 'stacks truncated' is #{line.inspect}, expected 0")
    ensure
      target&.stop
    end
  end

  # Each clock's sampler (perf events: rbprof_sample; the tick: rbprof_tick), in each form.
  %w[sample tick].each do |clock|
    test "depth: a 1000-deep recursion is captured whole (the bpf_loop sampler, rbprof_#{clock})" do
      check_whole_deep_stack("rbprof_#{clock} (bpf_loop)")
    end

    # The sampler's other form, for kernels without bpf_loop (bpf/rbprof.bpf.c): the same walk
    # in a bounded loop. This kernel has bpf_loop, so the form is asked for.
    test "depth: the bounded-loop sampler captures a 1000-deep recursion whole (rbprof_#{clock})" do
      check_whole_deep_stack("rbprof_#{clock}_bounded (a bounded loop)", wrap: ["env", "RBPROF_BPF_LOOP=0"])
    end
  end

  test "truncated: deep stack starts with (truncated), leaf kept, counted" do
    target, result, mine, hot = profile_deep(DEPTH_TRUNCATED)
    misplaced = mine.select { |s| s.labels.drop(1).include?("(truncated)") }
    assert(misplaced.empty?, "(truncated) not right after the process frame: #{misplaced.stacks.first&.raw.to_s[0, 200]}")
    wrong = hot.reject { |s| truncated_dive_stack?(s, target) }
    assert(wrong.empty?, "expected (truncated);dive (#{target.path}:#{target.line_of('CALL:dive')});...;" \
                         "dive (...:#{target.line_of('CALL:burn')});burn (...), got: #{wrong.stacks.first&.raw.to_s[0, 300]}")
    line = result.stderr_lines.grep(/\Arbprof-bpf: stacks truncated: /).first
    assert(line && line[/\d+\z/].to_i.positive?, "summary 'stacks truncated' is #{line.inspect}")
  ensure
    target&.stop
  end

  class Context
    # (truncated);dive (CALL:dive);...;dive (CALL:burn);burn
    def truncated_dive_stack?(stack, target)
      first, *dives, _burn = stack.frames
      return false unless first&.label == "(truncated)" && !dives.empty?

      dives[0..-2].all? { |f| frame_is?(f, "Object#dive", target.path, target.line_of("CALL:dive")) } &&
        frame_is?(dives[-1], "Object#dive", target.path, target.line_of("CALL:burn"))
    end
  end
end
