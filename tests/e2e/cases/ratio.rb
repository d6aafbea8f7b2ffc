# frozen_string_literal: true

# Two methods burning CPU 3:1 must get samples 3:1.
module E2E
  RATIO_EXPECTED_PERCENT = 75
  RATIO_TOLERANCE_POINTS = 5

  SampleClock::CLOCKS.each do |clock|
    test "ratio: heavy:light samples are 3:1 (75% +- 5), --clock #{clock}" do
      target = Target.ruby("ratio.rb")
      result = Profiler.run(["-p", target.pid, *SampleClock.args(clock, 499, 3)])
      mine = stacks_of(assert_profiled(result), target)
      heavy = mine.select { |s| s.labels.include?("Object#heavy") }.total
      light = mine.select { |s| s.labels.include?("Object#light") }.total
      assert(heavy + light >= 500, "too few samples in heavy/light: #{heavy} + #{light}")
      share = percent(heavy, heavy + light)
      Harness.notes << "heavy #{share.round(1)}% (#{heavy} vs #{light})"
      assert((share - RATIO_EXPECTED_PERCENT).abs <= RATIO_TOLERANCE_POINTS,
             "heavy has #{share.round(1)}% (#{heavy} vs #{light}), expected " \
             "#{RATIO_EXPECTED_PERCENT} +- #{RATIO_TOLERANCE_POINTS}; top stacks:\n#{mine.top}")
    ensure
      target&.stop
    end
  end
end
