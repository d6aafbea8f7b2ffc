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

module E2E
  # What another user can plant where root writes: a directory anyone can write to, as /tmp is
  # (sticky, mode 1777), and in it a symbolic link of theirs (uid 65534) at the -o path.
  class Context
    def planted_link(dir, name, target)
      File.chmod(01777, dir)
      link = File.join(dir, name)
      File.symlink(target, link)
      File.lchown(65_534, 65_534, link)
      link
    end
  end

  test "output: -o at a link another user planted in /tmp replaces the link, never writes where it points" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-out")
    victim = File.join(Dir.mktmpdir("rbprof-e2e-victim"), "shadow")
    File.write(victim, "root's own\n")
    link = planted_link(dir, "profile.folded", victim)
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", link])
    assert_exit(result, 0)
    assert(File.read(victim) == "root's own\n", "the file the link pointed at was written: #{File.read(victim)[0, 80].inspect}")
    assert(!File.symlink?(link) && File.file?(link), "#{link} is still a link, or not a file")
    assert(File.binread(link).include?("Object#burn"), "the profile is not in #{link}")
    # a planted link to a device: the device is not written either (/dev/full would fail it)
    File.unlink(link)
    link = planted_link(dir, "profile.folded", "/dev/full")
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", link])
    assert_exit(result, 0)
    assert(!File.symlink?(link) && File.file?(link), "the link to /dev/full was followed")
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
    FileUtils.rm_rf(File.dirname(victim)) if victim
  end

  test "output: a link root made is followed: to a device, to a descriptor (/dev/stdout), to a file (kept a link)" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-out")
    link = File.join(dir, "out")
    File.symlink("/dev/null", link)
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", link])
    assert_exit(result, 0)
    assert(File.symlink?(link) && File.readlink(link) == "/dev/null", "root's own link was replaced")
    stdout = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", "/dev/stdout"])
    assert_exit(stdout, 0)
    assert(stdout.stdout.include?("Object#burn"), "-o /dev/stdout wrote nothing to the pipe")
    # stdout a regular file (a shell's `> file`): written through, /dev/stdout left a link
    file = File.join(dir, "redirected")
    shell = ["sh", "-c", "exec \"$0\" \"$@\" > #{file}"]
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", "/dev/stdout"], wrap: shell)
    assert_exit(result, 0)
    assert(File.symlink?("/dev/stdout"), "/dev/stdout was replaced by a file")
    assert(File.binread(file).include?("Object#burn"), "-o /dev/stdout did not reach #{file}")
    # a link root made to a regular file: the file is replaced atomically, the link kept
    real = File.join(dir, "real.folded")
    File.write(real, "old\n")
    File.symlink(real, File.join(dir, "current"))
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-o", File.join(dir, "current")])
    assert_exit(result, 0)
    assert(File.symlink?(File.join(dir, "current")), "root's link to a file was replaced")
    assert(File.binread(real).include?("Object#burn"), "the file root's link points at was not written")
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
    unless File.symlink?("/dev/stdout") # what a regression would leave: the machine's mended
      FileUtils.rm_f("/dev/stdout")
      File.symlink("/proc/self/fd/1", "/dev/stdout")
    end
  end
end
