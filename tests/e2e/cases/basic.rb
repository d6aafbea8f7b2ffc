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

  # The top methods: burn first by self share, as the folded output says; <main> and run at
  # 100% total (every stack), none of them counted twice.
  test "summary: top methods by self and by total share agree with the profile" do
    target, result = BASIC.get.values_at(:target, :result)
    mine = stacks_of(assert_profiled(result), target)
    lines = result.stderr_lines
    row = /\Arbprof-bpf:\s+([\d.]+)%\s+([\d.]+)%  (.*)\z/
    self_at = lines.index("rbprof-bpf: top methods by self share (% self, % total, method):")
    total_at = lines.index("rbprof-bpf: top methods by total share (% self, % total, method):")
    assert(self_at && total_at && self_at < total_at, "no top-methods tables: #{lines.last(25)}")
    by_self = lines[self_at + 1...total_at].filter_map { |l| l.match(row) }
    by_total = lines[total_at + 1..].filter_map { |l| l.match(row) }
    assert(by_self.size.between?(1, 10) && by_total.size.between?(1, 10), "tables: #{lines.last(25)}")
    burn = "Object#burn (#{target.path})"
    assert(by_self.first[3] == burn, "top by self is #{by_self.first[3]}, not #{burn}")
    leaf = mine.select { |s| s.labels.last == "Object#burn" }
    want = percent(leaf.total, mine.total)
    assert((by_self.first[1].to_f - want).abs <= 1.0, "burn self #{by_self.first[1]}%, folded says #{want.round(1)}%")
    ["<main> (#{target.path})", "Object#run (#{target.path})"].each do |name|
      r = by_total.find { |m| m[3] == name }
      assert(r && r[2].to_f >= 99.0 && r[2].to_f <= 100.0, "#{name} total: #{r && r[2]}")
    end
    assert(by_total.all? { |m| m[2].to_f <= 100.0 }, "a total share above 100%: #{by_total.map(&:to_s)}")
  end

  test "quiet: -q leaves stderr empty and the profile whole; an error still says why" do
    target = Target.ruby("basic.rb")
    result = Profiler.run(["-p", target.pid, "-d", 2, "-q"])
    assert_exit(result, 0)
    assert(result.stderr_lines.empty?, "stderr with -q: #{result.stderr_lines.first(3)}")
    mine = stacks_of(result.profile, target)
    assert(mine.select { |st| st.labels == %w[<main> Object#run Object#burn] }.total.positive?,
           "no <main>;run;burn with -q: #{mine.top}")
    gone = Profiler.run(["-p", 999_999_999, "-d", 1, "-q"], timeout: ERROR_TIMEOUT)
    assert_error(gone, USAGE_ERROR, "no process", "999999999")
  ensure
    target&.stop
  end
end
