# frozen_string_literal: true

require "tmpdir"
require "fileutils"

# -- COMMAND: rbprof-bpf runs the command, profiles it and what it starts from their first
# samples, and exits with its status; -s follows a -p process's descendants; short-lived
# processes found through the kernel's exec events keep their names.
module E2E
  LAUNCH_SPLIT_POINTS = 5

  class Context
    def program(name)
      File.join(Target::PROGRAMS, name)
    end

    # Samples per process of +profile+.
    def samples_by_pid(profile)
      profile.stacks.each_with_object(Hash.new(0)) { |s, h| h[s.pid] += s.count }
    end
  end

  test "launch: -- ruby script.rb: its 3:1 split within 5 points, exit with its status (3)" do
    dir = Dir.mktmpdir("rbprof-e2e-launch")
    out = File.join(dir, "p.folded")
    result = Profiler.run(["-F", 499, "-q", "-o", out, "--", Target::RUBY, program("launch_split.rb")],
                          timeout: 30)
    assert_exit(result, 3)
    profile = Folded.parse(File.read(out))
    heavy = profile.select { |s| s.labels.include?("Object#heavy") }.total
    light = profile.select { |s| s.labels.include?("Object#light") }.total
    share = percent(heavy, heavy + light)
    assert(heavy + light >= 500, "only #{heavy + light} samples of heavy and light at 499 Hz for 2 s")
    assert((share - 75).abs <= LAUNCH_SPLIT_POINTS, "heavy has #{share.round(1)}% of heavy+light, expected 75 +- 5")
  ensure
    FileUtils.rm_rf(dir) if dir
  end

  test "launch: without -o the profile goes to rbprof-NAME-PID.svg in the working directory" do
    dir = Dir.mktmpdir("rbprof-e2e-launch")
    result = Profiler.run(["-F", 199, "--", Target::RUBY, program("launch_split.rb")], timeout: 30,
                          wrap: ["env", "-C", dir])
    assert_exit(result, 3)
    files = Dir.children(dir)
    assert(files.size == 1 && files.first.match?(/\Arbprof-ruby-\d+\.svg\z/), "files written: #{files.inspect}")
    assert(File.read(File.join(dir, files.first)).include?("Object#heavy"), "#{files.first} lacks Object#heavy")
    assert(result.stderr_lines.any? { |l| l == "rbprof-bpf: wrote #{files.first}" }, "no 'wrote #{files.first}' line")
  ensure
    FileUtils.rm_rf(dir) if dir
  end

  test "launch: a command killed by SIGKILL gives 137; one that is not found 127, not executable 126" do
    result = Profiler.run(["-q", "-o", "/dev/null", "--", Target::RUBY, "-e", "Process.kill(:KILL, $$)"], timeout: 30)
    assert_exit(result, 137)
    result = Profiler.run(["-q", "-o", "/dev/null", "--", "rbprof-e2e-no-such-command"], timeout: 30)
    assert_error(result, 127, "rbprof-e2e-no-such-command", "not found")
    dir = Dir.mktmpdir("rbprof-e2e-launch")
    script = File.join(dir, "not-executable")
    File.write(script, "#!/bin/sh\nexit 0\n")
    File.chmod(0o644, script)
    result = Profiler.run(["-q", "-o", "/dev/null", "--", script], timeout: 30)
    assert_error(result, 126, script, "permission denied")
  ensure
    FileUtils.rm_rf(dir) if dir
  end

  test "launch: under sudo (SUDO_UID, SUDO_GID) the command runs as that user, not root" do
    dir = Dir.mktmpdir("rbprof-e2e-launch")
    File.chmod(0o777, dir)
    uid_file = File.join(dir, "uid")
    # a copy the user can read, wherever the repository is (a root-only home, in CI)
    script = File.join(dir, "launch_split.rb")
    FileUtils.cp(program("launch_split.rb"), script)
    File.chmod(0o644, script)
    result = Profiler.run(["-q", "-o", File.join(dir, "p.folded"), "--", Target::RUBY,
                           script, uid_file],
                          wrap: ["env", "SUDO_UID=65534", "SUDO_GID=65534"], timeout: 30)
    assert_exit(result, 3)
    uid = File.read(uid_file)
    assert(uid == "65534", "the command's Process.uid is #{uid}, not 65534")
  ensure
    FileUtils.rm_rf(dir) if dir
  end

  test "launch: SIGINT to rbprof-bpf reaches the command; the profile is written once it exited" do
    dir = Dir.mktmpdir("rbprof-e2e-launch")
    out = File.join(dir, "p.folded")
    run = Profiler.start(["-q", "-o", out, "--", Target::RUBY, "-e", "loop { 1 + 1 }"])
    run.wait_attached
    sleep 1
    run.signal("INT")
    result = run.finish(15)
    assert_exit(result, 130) # Ruby re-raises SIGINT: 128 + 2
    assert(Folded.parse(File.read(out)).total.positive?, "no profile in #{out}")
  ensure
    FileUtils.rm_rf(dir) if dir
  end

  test "launch: -d ends the run and leaves the command running, and says so" do
    result = Profiler.run(["-d", 1, "-o", "/dev/null", "--", Target::RUBY, "-e", "sleep 20"], timeout: 20)
    assert_exit(result, 0)
    line = result.stderr_lines.find { |l| l.include?("left running") }
    assert(line, "no 'left running' line: #{result.stderr_lines.last(3)}")
    pid = line[/pid (\d+)/, 1].to_i
    assert(File.exist?("/proc/#{pid}"), "pid #{pid} is not running")
  ensure
    Process.kill("KILL", pid) if pid&.positive?
  end

  test "launch: a command that forks 3 children after 1 s: all three profiled in their own method" do
    dir = Dir.mktmpdir("rbprof-e2e-launch")
    out = File.join(dir, "p.folded")
    result = Profiler.run(["-F", 199, "-q", "-o", out, "--", Target::RUBY, program("forker.rb"), "late"],
                          timeout: 30)
    assert_exit(result, 0)
    profile = Folded.parse(File.read(out))
    3.times do |i|
      stacks = profile.select { |s| s.labels.include?("Object#worker_#{i}") }
      assert(stacks.total >= 199, "worker_#{i}: #{stacks.total} samples in 3 s at 199 Hz")
      pids = stacks.pids
      assert(pids.size == 1, "worker_#{i} in processes #{pids.inspect}: not one of its own")
    end
  ensure
    FileUtils.rm_rf(dir) if dir
  end

  test "subprocesses: -p MASTER -s profiles the workers it forked before and during the run" do
    early = Target.ruby("forker.rb", env: { "FORKER_WORKERS" => "2", "FORKER_BURN" => "4" })
    late = Target.ruby("forker.rb", args: ["late"], env: { "FORKER_WORKERS" => "2", "FORKER_BURN" => "3" })
    result = Profiler.run(["-p", "#{early.pid},#{late.pid}", "-s", "-d", 3, "-F", 199, "-q"])
    assert_exit(result, 0)
    # each worker is a process of its own, in its worker_N method
    working = samples_by_pid(result.profile.select { |s| s.labels.any? { |l| l.start_with?("Object#worker_") } })
    assert(working.size == 4 && (working.keys & [early.pid, late.pid]).empty?,
           "expected 4 worker processes in Object#worker_N, got #{working.inspect}")
    working.each { |w, n| assert(n >= 100, "worker #{w}: #{n} samples in 3 s at 199 Hz") }
  ensure
    early&.stop
    late&.stop
  end

  test "subprocesses: -p without -s: the master only; workers it forks meanwhile are not even sampled" do
    late = Target.ruby("forker.rb", args: ["late"], env: { "FORKER_WORKERS" => "2", "FORKER_BURN" => "2" })
    result = Profiler.run(["-p", late.pid, "-d", 3, "-F", 199])
    assert_exit(result, 0)
    others = samples_by_pid(result.profile).keys - [late.pid]
    assert(others.empty?, "-p without -s profiled #{others.inspect}")
    dropped = result.stderr_lines.grep(/dropped/)
    assert(dropped.empty?, "the workers' samples were sent and dropped: #{dropped.inspect}")
  ensure
    late&.stop
  end

  test "subprocesses: -s without -p or a command is a usage error" do
    assert_error(Profiler.run(["-s", "-d", 1], timeout: 5), 2, "subprocesses", "-p")
  end

  test "short-lived: 8 processes of 0.5 s, one after another, whole host: each >= 90% of its due samples named" do
    dir = Dir.mktmpdir("rbprof-e2e-short")
    pids_file = File.join(dir, "pids")
    hz = 99
    driver = Target.ruby("short_lived.rb", args: [pids_file, 8, 0.5])
    run = Profiler.start(["-d", 10, "-F", hz, "-q"])
    run.wait_attached
    driver.go
    driver.wait(30)
    sleep 0.3
    run.signal("INT")
    result = run.finish(15)
    assert_exit(result, 0)
    pids = File.readlines(pids_file).map(&:to_i)
    assert(pids.size == 8, "the driver started #{pids.size} processes")
    due = 0.5 * SampleClock.default_rate(hz)
    pids.each do |pid|
      mine = result.profile.for_pid(pid)
      burn = mine.select { |s| s.labels.include?("Object#burn") }
      named = burn.reject { |s| s.labels.any? { |l| l.start_with?("[unknown]") } }
      assert(named.total >= 0.9 * due, "pid #{pid}: #{named.total} named samples in burn, due #{due} " \
                                       "(#{mine.total} in all)")
    end
  ensure
    driver&.stop
    FileUtils.rm_rf(dir) if dir
  end
end
