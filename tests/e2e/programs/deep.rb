# Target of the depth tests: burn runs under DEPTH (ARGV[0], default 1500) recursive calls of
# dive. Stops by itself after 20 s.
$stdout.sync = true
LIFETIME = 20
DEPTH = Integer(ARGV[0] || 1500)

def burn(deadline)
  x = 1
  while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
    i = 0
    while i < 100_000 # LOOP-BEGIN:burn
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:burn
  end
  x
end

def dive(depth, deadline)
  return burn(deadline) if depth.zero? # CALL:burn

  dive(depth - 1, deadline) # CALL:dive
end

puts "ready #{Process.pid}"
dive(DEPTH, Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME)
