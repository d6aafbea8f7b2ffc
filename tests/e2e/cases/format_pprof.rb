# frozen_string_literal: true

require "fileutils"
require "tmpdir"
require_relative "../lib/clients"

# -f pprof / -o FILE.pb.gz: gzipped profile.proto, read back by `go tool pprof` (Debian's
# golang-go): -top's flat shares against a folded profile of the same moments, -traces'
# labels and stacks, -raw's files.
module E2E
  # Two profilers' self shares of one method, sampling the same seconds: phases.rb's turns are
  # long (150 ms, 50 ms) against a tick (2 ms), so the two agree to ~0.3 point; 1 is the bound.
  PPROF_FLAT_POINTS = 1.0
  # A method the comparison counts: it holds at least this share.
  PPROF_FLAT_MIN_PERCENT = 5.0
  # How long both profilers sample the same target (at 499 Hz: ~1500 samples).
  PPROF_BOTH_SECONDS = 3

  PPROF = format_onces("profile.pb.gz", threads: ["threads.rb"], thread_frames: ["threads.rb", "--threads"],
                                        hostile: ["hostile.rb"])

  class Context
    # Yields once's run, its target and the path of a file holding its pprof output, after
    # the run's checks.
    def with_pprof(once)
      run = format_run(once)
      assert(run[:data].start_with?("\x1f\x8b".b), "not gzip: #{run[:data][0, 16].inspect}")
      Dir.mktmpdir("rbprof-e2e-pprof") do |dir|
        path = File.join(dir, "profile.pb.gz")
        File.binwrite(path, run[:data])
        yield run, run[:target], path
      end
    end

    # phases.rb under two profilers at once, -f folded and -o FILE.pb.gz, over the same
    # seconds: the target stopped (SIGSTOP) until both sample, both stopped (SIGINT) at once.
    # [folded profile of the target, pprof -top's flat shares].
    def folded_and_pprof
      target = Target.ruby("phases.rb")
      Process.kill("STOP", target.pid)
      dir = Dir.mktmpdir("rbprof-e2e-pprof")
      file = File.join(dir, "profile.pb.gz")
      runs = [["-f", "folded"], ["-o", file]].map do |out|
        Profiler.start(["-p", target.pid, "-d", 60, "-F", 499, *out])
      end
      runs.each(&:wait_attached)
      Process.kill("CONT", target.pid)
      sleep PPROF_BOTH_SECONDS
      runs.each { |r| r.signal("INT") }
      folded, pprof = runs.map { |r| r.finish(Profiler::SLACK) }
      assert_exit(pprof, 0)
      [stacks_of(assert_profiled(folded), target), Clients.pprof_flat(file)]
    ensure
      runs&.each(&:stop)
      target&.stop
      FileUtils.rm_rf(dir) if dir
    end

    # The traces whose leaf is Object#burn_X, by X's name; every one checked for its labels.
    def burn_traces(run, path)
      target = run[:target]
      traces = Clients.pprof_traces(path)
      assert(traces.sum(&:value).positive?, "no samples in go tool pprof -traces")
      THREAD_METHODS.to_h do |m|
        mine = traces.select { |t| t.frames.first == "Object##{m}" }
        assert(!mine.empty?, "no trace with the leaf Object##{m}")
        tid = run[:tids][m]
        want = { "pid" => [target.pid.to_s], "comm" => [target.comm], "tid" => tid.map(&:to_s), "thread_name" => [m] }
        wrong = mine.reject { |t| t.labels == want }
        assert(tid.size == 1 && wrong.empty?, "#{m}: labels #{wrong.first&.labels}, expected #{want}")
        [m, mine]
      end
    end
  end

  test "formats: pprof: go tool pprof -top's flat shares agree with a folded run at the same time within 1 point" do
    folded, flat = folded_and_pprof
    self_share = folded.stacks.group_by { |s| s.leaf&.label }.transform_values { |s| percent(s.sum(&:count), folded.total) }
    assert((self_share["Object#heavy"] || 0) >= 50, "Object#heavy is not the hot method: #{self_share}")
    (self_share.keys | flat.keys).each do |name|
      a = self_share[name] || 0.0
      b = flat[name] || 0.0
      next if [a, b].max < PPROF_FLAT_MIN_PERCENT

      assert((a - b).abs <= PPROF_FLAT_POINTS, "#{name}: #{a.round(2)}% self in folded, #{b}% flat in pprof")
    end
  end

  test "formats: pprof: -traces labels each sample with pid, tid, thread_name and comm (threads.rb)" do
    with_pprof(PPROF[:threads]) do |run, target, path|
      burn_traces(run, path).each_value do |traces|
        wrong = traces.reject { |t| t.frames.last == "#{target.comm} [#{target.pid}]" && t.frames.grep(/\Athread /).empty? }
        assert(wrong.empty?, "a stack not rooted at its process, or with a thread frame without -t: #{wrong.first&.frames}")
      end
      comments = Clients.pprof(path, "-comments")
      assert(comments.include?(" -p #{target.pid} "), "no command line in the comments: #{comments.inspect}")
    end
  end

  test "formats: pprof: --threads puts each thread's location under its process at the root" do
    with_pprof(PPROF[:thread_frames]) do |run, target, path|
      burn_traces(run, path).each do |m, traces|
        want = ["thread #{m} [#{run[:tids][m].first}]", "#{target.comm} [#{target.pid}]"]
        wrong = traces.reject { |t| t.frames.last(2) == want }
        assert(wrong.empty?, "#{m}: stack #{wrong.first&.frames}, expected it to end #{want}")
      end
    end
  end

  test "formats: pprof: hostile method and file names read by go tool pprof, round-trip cleaned" do
    with_pprof(PPROF[:hostile]) do |_run, target, path|
      leaves = Clients.pprof_traces(path).map { |t| t.frames.first }.uniq
      missing = Hostile.labels - leaves
      assert(missing.empty?, "no leaf #{missing.first.inspect}; leaves: #{leaves.inspect}")
      raw = Clients.pprof(path, "-raw")
      assert(raw.valid_encoding?, "go tool pprof -raw printed invalid UTF-8")
      Hostile.labels.each do |label|
        assert(raw.include?("#{label} #{target.path}:"), "-raw has no #{label.inspect} in #{target.path.inspect}")
      end
      flat = Clients.pprof_flat(path)
      assert(Hostile.labels.all? { |l| flat[l].to_f.positive? }, "-top lacks a hostile method: #{flat.keys}")
    end
  end
end
