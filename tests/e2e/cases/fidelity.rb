# frozen_string_literal: true

# Frame fidelity: class-qualified labels, the line of the call in every caller, and CPU
# shares that follow the work done.
module E2E
  RATIO4_TOLERANCE_POINTS = 3

  class Context
    # The stack of calls.rb: <main> down to Shop::Cart#tax in its loop.
    def calls_stack(target)
      [["<main>", target.line_of("CALL:total")],
                ["Shop::Cart#total", target.line_of("CALL:subtotal")],
                ["Shop::Cart#subtotal", target.line_of("CALL:price")],
                "Array#sum [c]",
                ["block in Shop::Cart#subtotal", target.line_of("CALL:price")],
                ["Shop::Cart#price", target.line_of("CALL:tax")],
                ["Shop::Cart#tax", target.loop_lines("tax")]]
    end

    # Stacks of +profile+ that begin with +expected+ (and, unless +prefix+, are only that).
    def stacks_like(profile, target, expected, prefix: false)
      profile.select do |s|
        (prefix ? s.frames.size >= expected.size : s.frames.size == expected.size) &&
          expected.zip(s.frames).all? do |want, f|
            want.is_a?(Array) ? frame_is?(f, want[0], target.path, want[1]) : f.label == want
          end
      end
    end
  end

  class Context
    # Profile calls.rb (ruby +flags+) and check that 80% of its samples are calls_stack:
    # exactly, or (+prefix+) as the start of the stack.
    def check_calls_stack(flags: [], prefix: false)
      target = Target.ruby("calls.rb", flags: flags)
      result = Profiler.run(["-p", target.pid, "-d", 3, "-F", 199])
      mine = stacks_of(assert_profiled(result), target)
      expected = calls_stack(target)
      share = percent(stacks_like(mine, target, expected, prefix: prefix).total, mine.total)
      assert(share >= 80, "only #{share.round(1)}% of #{mine.total} samples #{prefix ? 'start with' : 'are'} " \
                          "#{expected.inspect}; top stacks:\n#{mine.top}")
    ensure
      target&.stop
    end
  end

  test "lines: every caller shows its call line, labels class-qualified" do
    check_calls_stack
  end

  # JIT code updates the frame's pc at calls, not at every instruction: the leaf line is the
  # loop's, the rest exact. A C method that YJIT calls may follow the leaf.
  test "yjit: a process running YJIT-compiled code keeps its Ruby frames" do
    check_calls_stack(flags: ["--yjit"], prefix: true)
  end

  test "ratio: four methods burning 1:2:3:4 get 10/20/30/40% +- 3" do
    target = Target.ruby("ratio4.rb")
    result = Profiler.run(["-p", target.pid, "-d", 4, "-F", 499])
    mine = stacks_of(assert_profiled(result), target)
    counts = %w[one two three four].map { |m| mine.select { |s| s.labels.include?("Mix##{m}") }.total }
    total = counts.sum
    assert(total >= 1000, "too few samples in Mix#one..four: #{counts.inspect}")
    counts.each_with_index do |c, i|
      share = percent(c, total)
      want = (i + 1) * 10
      assert((share - want).abs <= RATIO4_TOLERANCE_POINTS,
             "Mix##{%w[one two three four][i]} has #{share.round(1)}%, expected #{want} +- " \
             "#{RATIO4_TOLERANCE_POINTS} (#{counts.inspect}); top:\n#{mine.top}")
    end
  ensure
    target&.stop
  end
end
