# frozen_string_literal: true

# A stack deeper than the profiler's limit is marked "(truncated)" right
# after the process frame, keeps its leaf, and is counted in the summary.
module E2E
  test "truncated: deep stack starts with (truncated), leaf kept, counted" do
    target = Target.ruby("deep.rb")
    result = Profiler.run(["-p", target.pid, "-d", 2, "-F", 199])
    mine = stacks_of(assert_profiled(result), target)
    hot = mine.select { |s| s.leaf && frame_is?(s.leaf, "burn", target.path, target.loop_lines("burn")) }
    assert(hot.total.positive?, "no stack with leaf burn; top:\n#{mine.top(3)}")
    untruncated = hot.reject { |s| s.labels.first == "(truncated)" }
    assert(untruncated.empty?, "burn stack without leading (truncated): #{untruncated.stacks.first.raw[0, 200]}")
    misplaced = mine.select { |s| s.labels.drop(1).include?("(truncated)") }
    assert(misplaced.empty?, "(truncated) not right after the process frame: #{misplaced.stacks.first&.raw.to_s[0, 200]}")
    dive_line = target.line_of("CALL:dive")
    middle = hot.stacks.flat_map { |s| s.frames[1..-2] }.reject { |f| frame_is?(f, "dive", target.path, dive_line) }
    assert(middle.empty?, "frames between (truncated) and burn other than dive (#{target.path}:#{dive_line}): " \
                          "#{middle.first(3).map(&:to_s).inspect}")
    line = result.stderr_lines.grep(/\Arbprof-bpf: stacks truncated: /).first
    assert(line && line[/\d+\z/].to_i.positive?, "summary 'stacks truncated' is #{line.inspect}")
  ensure
    target&.stop
  end
end
