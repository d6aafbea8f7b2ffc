# frozen_string_literal: true

# Hostile process memory, live: a process that looks like Ruby 3.1.2 and rewrites its whole VM
# without end (programs/fake_ruby/scribble.c: pointers into itself, huge lengths, object
# flags, noise), profiled over the whole host beside a real Ruby. The loader is reading memory
# it cannot trust while it changes under the read.
module E2E
  HOSTILE_SECONDS = 8
  HOSTILE_HZ = 999
  HOSTILE_RSS_MAX_MIB = 100

  test "hostile: a process rewriting its VM beside a real Ruby: the run ends on time, under 100 MiB, the real one's stacks right" do
    scribblers = [FakeRuby.start_scribbler]
    target = Target.ruby("ratio.rb")
    started = Clock.now
    result = Profiler.run(["-d", HOSTILE_SECONDS, "-F", HOSTILE_HZ], timeout: HOSTILE_SECONDS + 20)
    took = Clock.now - started
    assert_exit(result, 0)
    assert(took <= HOSTILE_SECONDS + 5, "the run took #{took.round(1)} s for -d #{HOSTILE_SECONDS}")
    rss = result.stderr[/peak RSS (\d+) KiB/, 1].to_i
    assert(rss.positive? && rss < HOSTILE_RSS_MAX_MIB * 1024, "the loader's peak RSS is #{rss} KiB")
    # the scribbler was profiled (read as Ruby 3.1.2): its frames walked and its names read
    scribblers.each do |s|
      line = result.stderr_lines.find { |l| l.start_with?("rbprof-bpf: process #{s.pid} ") }
      assert(line && line[/(\d+) samples/, 1].to_i.positive?, "scribbler #{s.pid} has no samples: #{line.inspect}")
    end
    # the scribbler's torn names did not break the output: a stack a line, each ending in its count
    bad = result.stdout.b.lines.reject { |l| l.match?(/\A[^\n]+ \d+\n\z/n) }
    assert(bad.empty?, "malformed folded lines: #{bad.first(2).inspect}")
    mine = stacks_of(Folded.parse(result.stdout), target)
    heavy = mine.select { |s| s.labels.include?("Object#heavy") }.total
    light = mine.select { |s| s.labels.include?("Object#light") }.total
    assert(heavy + light >= HOSTILE_SECONDS * HOSTILE_HZ / 4, "too few samples of the real Ruby: #{heavy} + #{light}")
    # and the scribbler's samples did not end the run or take the real one's place
    assert(result.stderr[/samples lost \(ring buffer full\): (\d+)/, 1].to_i.zero?, "samples lost")
    share = percent(heavy, heavy + light)
    assert((share - RATIO_EXPECTED_PERCENT).abs <= RATIO_TOLERANCE_POINTS,
           "the real Ruby's heavy has #{share.round(1)}%, expected #{RATIO_EXPECTED_PERCENT} +- #{RATIO_TOLERANCE_POINTS}")
  ensure
    scribblers&.each(&:stop)
    target&.stop
  end
end
