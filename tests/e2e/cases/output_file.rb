# frozen_string_literal: true

require "tmpdir"

# -o FILE: the profile goes to FILE (through a temporary file renamed into
# place), nothing to stdout.
module E2E
  test "output: -o FILE writes the profile there, nothing on stdout" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-out")
    file = File.join(dir, "profile.folded")
    result = Profiler.run(["-p", target.pid, "-d", 1, "-o", file])
    assert_exit(result, 0)
    assert(result.stdout.empty?, "stdout not empty: #{result.stdout[0, 200].inspect}")
    assert(File.file?(file), "#{file} not written")
    leftovers = Dir.children(dir) - ["profile.folded"]
    assert(leftovers.empty?, "files left next to the output: #{leftovers.inspect}")
    profile = Folded.parse(File.binread(file))
    assert(!stacks_of(profile, target).select { |s| s.labels.include?("Object#burn") }.empty?,
           "no burn stack in #{file}; top:\n#{profile.top}")
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
  end

  test "output: under sudo (SUDO_UID, SUDO_GID) -o FILE belongs to the invoking user" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-out")
    file = File.join(dir, "profile.svg")
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", file],
                          wrap: ["env", "SUDO_UID=65534", "SUDO_GID=65533"])
    assert_exit(result, 0)
    stat = File.stat(file)
    assert([stat.uid, stat.gid] == [65_534, 65_533], "#{file} is #{stat.uid}:#{stat.gid}, not 65534:65533")
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
  end

  test "output: -o of a device or a FIFO writes into it, never replaces it (/dev/null stays a device)" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-out")
    fifo = File.join(dir, "fifo")
    File.mkfifo(fifo)
    reader = Thread.new { File.binread(fifo) }
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", fifo])
    assert_exit(result, 0)
    assert(File.pipe?(fifo), "#{fifo} is no FIFO any more")
    got = reader.join(10)&.value
    assert(got&.include?("Object#burn"), "the FIFO's reader got #{got.to_s[0, 100].inspect}")
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", "/dev/null"])
    assert_exit(result, 0)
    assert(File.chardev?("/dev/null"), "/dev/null is no character device any more")
    assert(Dir.children("/dev").none? { |f| f.start_with?(".null.") }, "a temporary file left in /dev")
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
  end

  test "output: an -o FILE that cannot be written fails before profiling (exit 1)" do
    dir = Dir.mktmpdir("rbprof-e2e-out")
    file = File.join(dir, "missing-dir", "profile.folded")
    result = Profiler.run(["-d", 30, "-o", file], timeout: 5)
    assert_error(result, 1, [file])
  ensure
    FileUtils.rm_rf(dir) if dir
  end

  test "output: a failed start (-p of a missing pid) leaves no file behind" do
    dir = Dir.mktmpdir("rbprof-e2e-out")
    file = File.join(dir, "profile.folded")
    result = Profiler.run(["-p", 999_999_999, "-d", 1, "-o", file], timeout: 10)
    assert_exit(result, 2)
    assert(Dir.children(dir).empty?, "files left: #{Dir.children(dir).inspect}")
  ensure
    FileUtils.rm_rf(dir) if dir
  end
end
