# frozen_string_literal: true

# The highest frequency (-F 10000) works: many samples, counted losses.
module E2E
  MAX_FREQUENCY = 10_000

  test "frequency: -F 10000 (the maximum) profiles without error" do
    target = Target.ruby("basic.rb")
    result = Profiler.run(["-p", target.pid, "-d", 1, "-F", MAX_FREQUENCY])
    mine = stacks_of(assert_profiled(result), target)
    # One busy CPU for 1 s is 10000 samples; demand a fifth of that.
    assert(mine.total >= MAX_FREQUENCY / 5, "only #{mine.total} samples for pid #{target.pid} at #{MAX_FREQUENCY} Hz")
    lost = result.stderr_lines.grep(/\Arbprof-bpf: samples lost \(ring buffer full\): \d+\z/)
    assert(lost.size == 1, "no 'samples lost (ring buffer full): N' line")
  ensure
    target&.stop
  end
end
