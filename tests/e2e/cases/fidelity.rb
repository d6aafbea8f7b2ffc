# frozen_string_literal: true

# Frame fidelity: class-qualified labels, the line of the call in every caller, and CPU
# shares that follow the work done.
module E2E
  RATIO4_TOLERANCE_POINTS = 3

  class Context
    # The stack of calls.rb: <main> down to Shop::Cart#tax, its line in +tax_lines+.
    def calls_stack(target, tax_lines)
      [["<main>", target.line_of("CALL:total")],
       ["Shop::Cart#total", target.line_of("CALL:subtotal")],
       ["Shop::Cart#subtotal", target.line_of("CALL:price")],
       "Array#sum [c]",
       ["block in Shop::Cart#subtotal", target.line_of("CALL:price")],
       ["Shop::Cart#price", target.line_of("CALL:tax")],
       ["Shop::Cart#tax", tax_lines]]
    end

    # Does +stack+ begin with +expected+ (expected frames of frame_matches?), followed only by
    # frames +rest+ accepts?
    def stack_like?(stack, target, expected, rest = ->(_) { false })
      stack.frames.size >= expected.size &&
        expected.zip(stack.frames).all? { |want, f| frame_matches?(f, want, target) } &&
        stack.frames.drop(expected.size).all?(&rest)
    end

    # Profile calls.rb (ruby +flags+): the share of its samples that +good+ accepts must be 80%.
    def check_calls_share(flags: [], &good)
      target = Target.ruby("calls.rb", flags: flags)
      result = Profiler.run(["-p", target.pid, "-d", 3, "-F", 199])
      mine = stacks_of(assert_profiled(result), target)
      share = percent(mine.select { |s| good.call(s, target) }.total, mine.total)
      assert(share >= 80, "only #{share.round(1)}% of #{mine.total} samples are as expected, " \
                          "#{calls_stack(target, target.loop_lines('tax')).inspect}; top stacks:\n#{mine.top}")
    ensure
      target&.stop
    end
  end

  test "lines: every caller shows its call line, labels class-qualified" do
    check_calls_share { |s, target| stack_like?(s, target, calls_stack(target, target.loop_lines("tax"))) }
  end

  # JIT code saves a frame's pc only before the calls that need it: the leaf, when JIT code
  # entered it, has line 0 (unknown, as rb_profile_frames says), every caller its call line.
  # A C method that JIT code calls with a frame may follow tax, whose line is then saved.
  test "yjit: a process running YJIT-compiled code keeps its Ruby frames" do
    skip "no YJIT in Ruby #{TargetRuby.version}" unless TargetRuby.yjit?
    c_method = ->(f) { Assertions::CFUNC_LABEL.match?(f.label) }
    check_calls_share(flags: ["--yjit"]) do |s, target|
      stack_like?(s, target, calls_stack(target, 0)) ||
        stack_like?(s, target, calls_stack(target, target.loop_lines("tax")), c_method)
    end
  end

  SampleClock::CLOCKS.each do |clock|
    test "ratio: four methods burning 1:2:3:4 get 10/20/30/40% +- 3, --clock #{clock}" do
      target = Target.ruby("ratio4.rb")
      result = Profiler.run(["-p", target.pid, *SampleClock.args(clock, 499, 4)])
      mine = stacks_of(assert_profiled(result), target)
      counts = %w[one two three four].map { |m| mine.select { |s| s.labels.include?("Mix##{m}") }.total }
      total = counts.sum
      Harness.notes << "one..four: #{counts.map { |c| "#{percent(c, total).round(1)}%" }.join(' ')} of #{total}"
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
end
