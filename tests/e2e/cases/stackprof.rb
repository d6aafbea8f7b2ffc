# frozen_string_literal: true

require "json"
require "tmpdir"

# Accuracy against an in-process profiler: stackprof (:cpu mode) and rbprof-bpf sample the
# same run of the same deterministic program at the same time; their leaf methods must agree.
module E2E
  STACKPROF_SECONDS = 12 # the program's run under stackprof
  RBPROF_SECONDS = 10	 # rbprof-bpf's profile of it
  LEAF_TOP = 10
  LEAF_TOLERANCE_POINTS = 3

  class Context
    # rbprof-bpf leaf shares named as stackprof names frames: blocks are their method's
    # (rb_profile_frames reports a block as its method entry), C methods without " [c]".
    def rbprof_leaf_shares(profile)
      counts = Hash.new(0)
      profile.stacks.each do |s|
        leaf = s.leaf.label.sub(/ \[c\]\z/, "").sub(/\Ablock (\(\d+ levels\) )?in /, "")
        counts[leaf] += s.count
      end
      shares_of(counts)
    end

    def stackprof_leaf_shares(dump)
      counts = Hash.new(0)
      dump["frames"].each { |f| counts[f["name"]] += f["samples"] }
      shares_of(counts)
    end

    def shares_of(counts)
      total = counts.values.sum.to_f
      counts.transform_values { |c| c * 100 / total }
    end

    def top(shares) = shares.sort_by { |_, v| -v }.first(LEAF_TOP).map(&:first)
  end

  # On the tick (at most HZ, 250 here, against 2999 Hz on perf events) rbprof-bpf takes its
  # samples for twice as long, so that its own sampling noise stays well inside the tolerance.
  SampleClock::CLOCKS.each do |clock|
    test "accuracy: top 10 leaf methods agree with stackprof (+- 3 points), --clock #{clock}" do
      skip "no stackprof for Ruby #{TargetRuby.version} (Debian's ruby-stackprof is for #{TargetRuby::DEFAULT})" \
        unless TargetRuby.stackprof?
      Dir.mktmpdir("rbprof-e2e-sp") do |dir|
        out = File.join(dir, "stackprof.json")
        scale = clock == "tick" ? 2 : 1
        target = Target.ruby("mixed.rb", args: [STACKPROF_SECONDS * scale], env: { "STACKPROF_OUT" => out })
        result = Profiler.run(["-p", target.pid, "-d", RBPROF_SECONDS * scale, "--clock", clock,
                               "-F", clock == "tick" ? SampleClock.hz : 2999])
        ours = rbprof_leaf_shares(stacks_of(assert_profiled(result), target))
        assert(target.wait(STACKPROF_SECONDS * scale + 10), "the stackprof run did not finish")
        theirs = stackprof_leaf_shares(JSON.parse(File.read(out)))
        table = (top(theirs) | top(ours)).map do |m|
          format("%-32s stackprof %5.2f%%  rbprof-bpf %5.2f%%", m, theirs[m].to_f, ours[m].to_f)
        end.join("\n")
        worst = (top(theirs) | top(ours)).map { |m| (theirs[m].to_f - ours[m].to_f).abs }.max
        Harness.notes << "largest difference: #{worst.round(2)} points"
        # The same top 10, and each share within the tolerance. A method on only one side's
        # list may differ only by ranks among shares smaller than the tolerance itself.
        (top(theirs) | top(ours)).each do |m|
          a = theirs[m].to_f
          b = ours[m].to_f
          assert((a - b).abs <= LEAF_TOLERANCE_POINTS, "#{m}: stackprof #{a.round(2)}%, rbprof-bpf " \
                                                       "#{b.round(2)}%:\n#{table}")
          both = top(theirs).include?(m) && top(ours).include?(m)
          assert(both || [a, b].max < LEAF_TOLERANCE_POINTS, "#{m} is in only one top #{LEAF_TOP}:\n#{table}")
        end
      ensure
        target&.stop
      end
    end
  end
end
