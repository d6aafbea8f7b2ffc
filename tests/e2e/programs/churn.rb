# The days-not-seconds test's host: a short Ruby process started every PERIOD seconds for
# SECONDS, each burning BURN seconds of CPU in Object#burn (and defining a method of its own in
# an eval, new code every time), its pid written to PIDS_FILE. Prints "ready" first and waits
# for "go" on stdin; exits once the last has exited.
pids_file, seconds, period, burn = ARGV[0], Float(ARGV[1]), Float(ARGV[2]), Float(ARGV[3])
$stdout.sync = true
puts "ready #{Process.pid}"
$stdin.gets
code = "eval('def made_#{rand(1 << 30)}; end'); " \
       "def burn(s); t = Process.clock_gettime(Process::CLOCK_MONOTONIC) + s; x = 0; " \
       "x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < t; x; end; burn(#{burn})"
deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
children = []
File.open(pids_file, "a") do |f|
  f.sync = true
  while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
    pid = Process.spawn(RbConfig.ruby, "--disable-gems", "-e", code)
    f.puts(pid)
    children << Process.detach(pid)
    sleep period
  end
end
children.each(&:join)
