# frozen_string_literal: true

# -p takes several pids, comma separated or repeated; other Ruby processes
# are left out.
module E2E
  { "comma separated" => ->(a, b) { ["-p", "#{a},#{b}"] },
    "repeated" => ->(a, b) { ["-p", a, "-p", b] } }.each do |how, pid_args|
    test "pid filter: -p with two pids (#{how}) profiles exactly those" do
      a = Target.ruby("host_a.rb")
      b = Target.ruby("host_b.rb")
      other = Target.ruby("late.rb")
      result = Profiler.run(pid_args.call(a.pid, b.pid) + ["-d", 2])
      profile = assert_profiled(result)
      [a, b].each do |t|
        name = File.basename(t.path, ".rb") + "_burn"
        assert(stacks_of(profile, t).stacks.any? { |s| s.labels.include?(name) }, "no #{name} for pid #{t.pid}")
      end
      extra = profile.pids - [a.pid, b.pid]
      assert(extra.empty?, "pids not asked for in output: #{extra.inspect} (unlisted Ruby: #{other.pid})")
    ensure
      [a, b, other].compact.each(&:stop)
    end
  end
end
