# frozen_string_literal: true

# -p takes several pids, comma separated and repeated; other Ruby processes
# are left out.
module E2E
  test "pid filter: -p A,B -p C profiles exactly A, B and C" do
    listed = %w[host_a.rb host_b.rb late.rb].map { |name| Target.ruby(name) }
    unlisted = Target.ruby("basic.rb")
    a, b, c = listed.map(&:pid)
    profile = assert_profiled(Profiler.run(["-p", "#{a},#{b}", "-p", c, "-d", 1]))
    listed.each do |t|
      name = "Object##{File.basename(t.path, ".rb")}_burn"
      assert(stacks_of(profile, t).stacks.any? { |s| s.labels.include?(name) }, "no #{name} for pid #{t.pid}")
    end
    extra = profile.pids - [a, b, c]
    assert(extra.empty?, "pids not asked for in output: #{extra.inspect} (unlisted Ruby: #{unlisted.pid})")
  ensure
    [*listed, unlisted].compact.each(&:stop)
  end
end
