# frozen_string_literal: true

# One process, one hot method: the stack <main> -> run -> burn with the
# right labels, paths and lines, and a summary that agrees with the output.
module E2E
  BASIC_MIN_SHARE_PERCENT = 80
  SUMMARY_COUNTERS = ["samples taken", "samples in Ruby processes", "samples lost",
                      "stacks truncated", "frames not symbolized"].freeze

  BASIC = profile_once("basic.rb", ["-d", 3, "-F", 199])

  test "basic: <main> -> run -> burn with paths and lines" do
    target, result = BASIC.get.values_at(:target, :result)
    mine = stacks_of(assert_profiled(result), target)
    assert_process_frame(mine, target)
    path = target.path
    expected = [["<main>", target.line_of("CALL:run")],
                ["Object#run", target.line_of("CALL:burn")],
                ["Object#burn", target.loop_lines("burn")]]
    good = mine.select do |s|
      s.frames.size == 3 && expected.zip(s.frames).all? { |(label, lines), f| frame_is?(f, label, path, lines) }
    end
    share = percent(good.total, mine.total)
    assert(share >= BASIC_MIN_SHARE_PERCENT,
           "only #{share.round(1)}% of #{mine.total} samples are exactly " \
           "#{expected.map { |l, n| "#{l} (#{path}:#{n})" }.join(';')}; top stacks:\n#{mine.top}")
  end

  test "basic: every frame symbolized (label (path:line) or Class#method [c])" do
    target, result = BASIC.get.values_at(:target, :result)
    assert_all_symbolized(result, target)
  end

  test "basic: only the -p process is in the output" do
    target, result = BASIC.get.values_at(:target, :result)
    others = assert_profiled(result).pids - [target.pid]
    assert(others.empty?, "pids other than #{target.pid} in output: #{others.inspect}")
  end

  test "summary: per-process line with Ruby version and matching count" do
    target, result = BASIC.get.values_at(:target, :result)
    version = assert_summary_matches(result, target)
    assert(version == TargetRuby.version, "summary says ruby #{version}, target is #{TargetRuby.version}")
    SUMMARY_COUNTERS.each do |what|
      assert(result.stderr_lines.any? { |l| l.match?(/\Arbprof-bpf: #{what}[^:]*: \d+\z/) },
             "no summary line 'rbprof-bpf: #{what}...: N'")
    end
  end
end
