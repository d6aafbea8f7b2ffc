# Target of the basic test: <main> -> run -> burn, where burn spins in a
# pure-Ruby loop (no method calls inside it). Stops by itself after 20 s.
$stdout.sync = true
LIFETIME = 20

def burn(n)
  i = 0
  x = 1
  while i < n # LOOP-BEGIN:burn
    x = (x * 7 + i) % 1_000_003
    i += 1
  end # LOOP-END:burn
  x
end

def run(deadline)
  while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
    burn(400_000) # CALL:burn
  end
end

puts "ready #{Process.pid}"
run(Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME) # CALL:run
