# frozen_string_literal: true

# C-implemented methods are named "Class#method [c]" (instance) or "Class.method [c]"
# (singleton) in their place, and the blocks they call nest under them as in a backtrace.
module E2E
  CFUNCS = profile_once("cfuncs.rb", ["-d", 3, "-F", 199])

  class Context
    # Does some stack hold +frames+ (expected frames of frame_matches?) consecutively?
    def consecutive?(profile, target, frames)
      profile.stacks.any? do |s|
        s.frames.each_cons(frames.size).any? do |window|
          frames.zip(window).all? { |want, f| frame_matches?(f, want, target) }
        end
      end
    end
  end

  test "cfuncs: C methods named in place, blocks nested under them" do
    target, result = CFUNCS.get.values_at(:target, :result)
    mine = stacks_of(assert_profiled(result), target)
    times = [["Deep::Worker.spin", target.line_of("CALL:times")], TargetRuby.times_frame,
             ["block in Deep::Worker.spin", target.line_of("CALL:to_s")]]
    assert(consecutive?(mine, target, times),
           "no stack with #{times.inspect}; top stacks:\n#{mine.top(8)}")
    sort = [["Deep::Worker#sorter", target.line_of("CALL:sort")], "Array#sort [c]"]
    assert(consecutive?(mine, target, sort), "no stack with #{sort.inspect}; top:\n#{mine.top(8)}")
    singleton = [["block in Deep::Worker.spin", target.line_of("CALL:clock_gettime")], "Process.clock_gettime [c]"]
    assert(consecutive?(mine, target, singleton),
           "no stack with #{singleton.inspect}; top:\n#{mine.top(8)}")
  end

  test "cfuncs: every C frame is named, none left as [cfunc]" do
    target, result = CFUNCS.get.values_at(:target, :result)
    assert_all_symbolized(result, target)
  end
end
