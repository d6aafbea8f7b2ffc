# frozen_string_literal: true

require "fileutils"
require "securerandom"
require "tmpdir"

# A process in a container: its own pid and mount namespaces (unshare), a root of its own
# (chroot into a copy of ruby and its libraries, libruby at a path the host does not have),
# and a docker-style cgroup (.../docker/<64 hex>): its frame carries the short id and the pid
# its namespace gives it, pprof labels it, and --container picks it out.
module E2E
  CONTAINER_RUBY = "/opt/rb/bin/ruby"
  CONTAINER_LIBS = "/opt/rb/lib"
  # The cgroup v1 "pids" hierarchy or the v2 one, whichever this host lets us make groups in.
  CGROUP_ROOTS = %w[/sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup].freeze
  CONTAINER_PROGRAM = <<~RUBY
    def burn_in_container
      x = 0
      x += 1 while true
    end
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 20
    Thread.new { sleep 0.1 until Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline; exit! }
    burn_in_container
  RUBY

  # Building and finding the container (called from a Once, outside any test's context).
  module ContainerSetup
    module_function

    # A root with ruby at /opt/rb/bin and its libraries (libruby among them) in /opt/rb/lib.
    def container_root
      root = Dir.mktmpdir("rbprof-e2e-ctr")
      FileUtils.mkdir_p(["#{root}/opt/rb/bin", "#{root}#{CONTAINER_LIBS}", "#{root}/lib64"])
      FileUtils.cp(Target::RUBY, "#{root}#{CONTAINER_RUBY}")
      libs = IO.popen(["ldd", Target::RUBY], &:read).scan(%r{(/\S+)}).flatten
      libs.each { |l| FileUtils.cp(File.realpath(l), "#{root}#{CONTAINER_LIBS}/#{File.basename(l)}") }
      FileUtils.cp(File.realpath("/lib64/ld-linux-x86-64.so.2"), "#{root}/lib64/")
      root
    end

    def docker_cgroup(id)
      CGROUP_ROOTS.each do |base|
        dir = File.join(base, "docker", id)
        begin
          FileUtils.mkdir_p(dir)
          return dir if File.exist?(File.join(dir, "cgroup.procs"))
        rescue SystemCallError
          next
        end
      end
      raise Failure, "cannot make a cgroup under #{CGROUP_ROOTS.join(', ')}"
    end

    # The host pid of the process running the container's ruby.
    def container_pid(root, timeout = 10)
      deadline = Clock.now + timeout
      loop do
        pid = Dir.glob("/proc/[0-9]*/root").find { |r| File.readlink(r) == root rescue false }
        pid &&= pid[%r{/proc/(\d+)/}, 1].to_i
        return pid if pid && File.readlink("/proc/#{pid}/exe").end_with?(CONTAINER_RUBY) rescue nil
        raise Failure, "no ruby running in #{root} after #{timeout} s" if Clock.now >= deadline

        sleep 0.05
      end
    end
  end

  CONTAINER = Once.new do
    root = ContainerSetup.container_root
    id = SecureRandom.hex(32)
    cgroup = ContainerSetup.docker_cgroup(id)
    child = Child.new(["unshare", "--pid", "--mount", "--fork", "chroot", root, CONTAINER_RUBY,
                       "--disable-gems", "-e", CONTAINER_PROGRAM],
                      env: { "LD_LIBRARY_PATH" => CONTAINER_LIBS }, in: File::NULL, out: File::NULL,
                      err: File::NULL)
    pid = ContainerSetup.container_pid(root)
    File.write(File.join(cgroup, "cgroup.procs"), pid.to_s)
    sleep 0.5 # its VM is up
    whole = Profiler.run(["-d", 2, "-F", 199, "-q"])
    only = Profiler.run(["-d", 2, "-F", 199, "-q", "--container", id[0, 12]])
    pprof = File.join(root, "p.pb.gz")
    Profiler.run(["-p", pid, "-d", 1, "-F", 199, "-q", "-o", pprof])
    traces = IO.popen({ "HOME" => root, "GOCACHE" => File.join(root, "gocache") },
                      ["go", "tool", "pprof", "-traces", pprof], err: File::NULL, &:read)
    { id: id, pid: pid, whole: whole, only: only, traces: traces }
  ensure
    child&.kill
    Dir.rmdir(cgroup) if cgroup && File.directory?(cgroup) rescue nil
    FileUtils.rm_rf(root) if root
  end

  test "container: its frame is 'COMM [PID] (container ID12, pid 1)', libruby at a path the host lacks" do
    c = CONTAINER.get
    assert_exit(c[:whole], 0)
    mine = c[:whole].profile.for_pid(c[:pid])
    burn = mine.select { |s| s.labels.include?("Object#burn_in_container") }
    assert(burn.total >= 200, "#{burn.total} samples of the container's burn in 2 s at 199 Hz")
    bad = mine.reject { |s| s.container == c[:id][0, 12] && s.ns_pid == 1 }
    assert(bad.empty?, "a stack not under (container #{c[:id][0, 12]}, pid 1): #{bad.stacks.first&.raw}")
  end

  test "container: --container ID profiles its processes only; pprof labels container_id and ns_pid" do
    c = CONTAINER.get
    assert_exit(c[:only], 0)
    assert(c[:only].profile.pids == [c[:pid]], "--container profiled #{c[:only].profile.pids}, not [#{c[:pid]}]")
    assert(c[:traces].match?(/container_id:\s+#{c[:id][0, 12]}/), "no container_id label:\n#{c[:traces][0, 600]}")
    assert(c[:traces].match?(/ns_pid:\s+1\b/), "no ns_pid label:\n#{c[:traces][0, 600]}")
    bad = Profiler.run(["--container", "xyz", "-d", 1], timeout: 5)
    assert_error(bad, 2, "container", "xyz")
  end
end
