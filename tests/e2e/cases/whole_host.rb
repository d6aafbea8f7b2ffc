# frozen_string_literal: true

# Without -p: every Ruby process is profiled, including one started while
# the profiler runs (it must be found within 1 s).
module E2E
  WHOLE_HOST_SECONDS = 4
  LATE_START_AFTER = 1.0 # seconds after sampling started
  DISCOVERY_LIMIT = 1.0

  WHOLE_HOST = Once.new do
    early = [Target.ruby("host_a.rb"), Target.ruby("host_b.rb")]
    run = Profiler.start(["-d", WHOLE_HOST_SECONDS, "-F", 199])
    run.wait_attached
    attached = Clock.now
    sleep LATE_START_AFTER
    late = Target.ruby("late.rb")
    late_seconds = WHOLE_HOST_SECONDS - (Clock.now - attached)
    result = run.finish(WHOLE_HOST_SECONDS + Profiler::SLACK)
    { early: early, late: late, result: result, late_seconds: late_seconds }
  ensure
    run&.stop
    [*early, late].compact.each(&:stop)
  end

  test "whole host: two running Ruby programs both profiled" do
    early, result = WHOLE_HOST.get.values_at(:early, :result)
    profile = assert_profiled(result)
    early.each do |target|
      name = "#{File.basename(target.path, ".rb")}_burn"
      mine = stacks_of(profile, target)
      assert_process_frame(mine, target)
      hot = mine.select { |s| s.frames.any? { |f| frame_is?(f, "Object##{name}", target.path, target.loop_lines(name)) } }
      assert(percent(hot.total, mine.total) >= 50,
             "pid #{target.pid}: only #{hot.total} of #{mine.total} samples in #{name}; top:\n#{mine.top}")
    end
  end

  test "whole host: a process started later is found within 1 s" do
    early, late, result, late_seconds = WHOLE_HOST.get.values_at(:early, :late, :result, :late_seconds)
    profile = assert_profiled(result)
    mine = stacks_of(profile, late)
    hot = mine.select { |s| s.frames.any? { |f| frame_is?(f, "Object#late_burn", late.path, late.loop_lines("late_burn")) } }
    # The early programs' sample rate, times the time the late one was known,
    # halved for the CPU it shares with them once it runs.
    rate = stacks_of(profile, early.first).total / WHOLE_HOST_SECONDS.to_f
    expected = rate * (late_seconds - DISCOVERY_LIMIT) / 2
    assert(hot.total >= expected,
           "late process has #{hot.total} samples in late_burn, expected >= #{expected.round} " \
           "(ran #{late_seconds.round(1)} s, early rate #{rate.round}/s); top:\n#{mine.top}")
  end
end
