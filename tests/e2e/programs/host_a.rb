# One of the programs of the whole-host test; its method name is unique to it.
$stdout.sync = true
LIFETIME = 20

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def host_a_burn(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < 100_000 # LOOP-BEGIN:host_a_burn
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:host_a_burn
  end
  x
end

puts "ready #{Process.pid}"
host_a_burn(now + LIFETIME) # CALL:host_a_burn
