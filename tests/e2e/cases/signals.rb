# frozen_string_literal: true

# Without -d the profiler runs until SIGINT or SIGTERM, then writes the
# complete profile and exits 0.
module E2E
  FOLDED_LINE = /\A.+ \d+\z/.freeze

  { "INT" => 2, "TERM" => 1 }.each do |sig, seconds|
    test "signal: SIG#{sig} stops it; complete output, summary, exit 0" do
      target = Target.ruby("basic.rb")
      run = Profiler.start(["-p", target.pid, "-F", 199])
      run.wait_attached
      sleep seconds
      run.signal(sig)
      result = run.finish(10)
      mine = stacks_of(assert_profiled(result), target)
      bad = result.stdout.lines.reject { |l| l.end_with?("\n") && FOLDED_LINE.match?(l.chomp) }
      assert(bad.empty?, "lines not in folded format (or unterminated): #{bad.first(3).inspect}")
      assert(mine.select { |s| s.labels == %w[<main> Object#run Object#burn] }.total.positive?,
             "no complete <main>;run;burn stack; top:\n#{mine.top}")
      assert_summary_matches(result, target)
    ensure
      run&.stop
      target&.stop
    end
  end
end
