# The short-lived processes' test: runs COUNT `ruby -e` processes one after another, each
# burning SECONDS of CPU in Object#burn, and writes their pids to PIDS_FILE, one a line, as
# they are started. Prints "ready" first and waits for "go" on stdin.
pids_file, count, seconds = ARGV[0], Integer(ARGV[1]), Float(ARGV[2])
$stdout.sync = true
puts "ready #{Process.pid}"
$stdin.gets
code = "def burn(s); t = Process.clock_gettime(Process::CLOCK_MONOTONIC) + s; x = 0; " \
       "x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < t; x; end; burn(#{seconds})"
count.times do
  pid = Process.spawn(RbConfig.ruby, "-e", code)
  File.open(pids_file, "a") { |f| f.puts(pid) }
  Process.wait(pid)
end
