# A master that forks workers, each burning in a method of its own: with "late" it sleeps 1 s
# before forking (the forks happen while the profiler runs), and prints "ready" once forked.
# Waits for its workers, which stop by themselves after BURN seconds.
$stdout.sync = true
BURN = Float(ENV.fetch("FORKER_BURN", "3"))
COUNT = Integer(ENV.fetch("FORKER_WORKERS", "3"))

def spin(seconds)
  deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
  x = 0
  x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  x
end


def worker_0
  spin(BURN)
end

def worker_1
  spin(BURN)
end

def worker_2
  spin(BURN)
end

sleep 1 if ARGV.include?("late")
pids = Array.new(COUNT) { |i| fork { send(:"worker_#{i}") } }
puts "ready #{Process.pid} #{pids.join(' ')}"
pids.each { |pid| Process.wait(pid) }
