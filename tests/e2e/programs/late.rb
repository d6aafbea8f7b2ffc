# Started after the profiler in the whole-host test: must be discovered.
$stdout.sync = true
LIFETIME = 20

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def late_burn(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < 100_000 # LOOP-BEGIN:late_burn
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:late_burn
  end
  x
end

puts "ready #{Process.pid}"
late_burn(now + LIFETIME) # CALL:late_burn
