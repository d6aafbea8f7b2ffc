# frozen_string_literal: true

# Output lines are sorted in byte order and each distinct stack appears once.
module E2E
  test "sorted: lines in byte order, each stack once" do
    target = Target.ruby("threads.rb")
    result = Profiler.run(["-p", target.pid, "-d", 1, "-F", 499])
    profile = assert_profiled(result)
    stacks_of(profile, target)
    lines = result.stdout.lines.map(&:chomp)
    assert(lines.size >= 4, "expected several distinct stacks, got #{lines.size}")
    unsorted = lines.each_cons(2).find { |first, second| (first.b <=> second.b) >= 0 }
    assert(unsorted.nil?, "not strictly sorted: #{unsorted&.map { |l| l[0, 150] }.inspect}")
    keys = profile.stacks.map { |s| s.raw.b.sub(/ \d+\z/n, "") }
    dup = keys.group_by(&:itself).find { |_, v| v.size > 1 }
    assert(dup.nil?, "stack appears #{dup&.last&.size} times: #{dup&.first.to_s[0, 200]}")
  ensure
    target&.stop
  end
end
