# Target of the exit test: waits for "go" on stdin (at most 20 s), burns for
# 1.5 s, then exits by itself while the profiler is still running.
$stdout.sync = true
WAIT_LIMIT = 20
BURN_SECONDS = 1.5

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def burn(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < 100_000 # LOOP-BEGIN:burn
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:burn
  end
  x
end

puts "ready #{Process.pid}"
IO.select([$stdin], nil, nil, WAIT_LIMIT)
burn(now + BURN_SECONDS) # CALL:burn
