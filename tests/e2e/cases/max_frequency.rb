# frozen_string_literal: true

require "etc"

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

module E2E
  OVERLOAD_SECONDS = 5
  OVERLOAD_DEPTH = 1000
  OVERLOAD_RSS_MAX_MIB = 100

  # Overload: the maximum rate on every CPU, each CPU busy with a 1000-frame stack (records of
  # 24 KiB: the ring buffer's worst case). What cannot be kept is counted, every sample is
  # accounted for, the output stays one stack a line, and the loader's memory stays bounded.
  test "frequency: -F 10000 on every CPU with 1000-frame stacks: losses counted, output whole, memory bounded" do
    targets = Array.new(Etc.nprocessors) { Target.ruby("deep.rb", args: [OVERLOAD_DEPTH]) }
    result = Profiler.run(["-d", OVERLOAD_SECONDS, "-F", MAX_FREQUENCY], timeout: OVERLOAD_SECONDS + 30)
    assert_exit(result, 0)
    count = ->(what) { result.stderr[/^rbprof-bpf: #{Regexp.escape(what)}: (\d+)$/, 1]&.to_i }
    taken = count.call("samples taken")
    lost = count.call("samples lost (ring buffer full)")
    assert(taken && lost, "no 'samples taken' or 'samples lost (ring buffer full)' line")
    bad = result.stdout.b.lines.reject { |l| l.match?(/\A[^\n]+ \d+\n\z/n) }
    assert(bad.empty?, "malformed folded lines: #{bad.first(2).map { |l| l[0, 120] }}")
    deep = targets.sum { |t| stacks_of(Folded.parse(result.stdout), t).total }
    assert(deep >= OVERLOAD_SECONDS * MAX_FREQUENCY / 10, "only #{deep} samples of the deep stacks kept (#{lost} lost)")
    rss = result.stderr[/peak RSS (\d+) KiB/, 1].to_i
    assert(rss.positive? && rss < OVERLOAD_RSS_MAX_MIB * 1024, "the loader's peak RSS is #{rss} KiB")
  ensure
    targets&.each(&:stop)
  end
end
