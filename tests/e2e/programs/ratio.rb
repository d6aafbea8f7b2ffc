# Target of the ratio test: heavy and light run the same loop body, heavy
# for 3 times as many iterations, called alternately. Stops after 20 s.
$stdout.sync = true
LIFETIME = 20
CHUNK = 100_000

def heavy(n)
  i = 0
  x = 1
  while i < n # LOOP-BEGIN:heavy
    x = (x * 7 + i) % 1_000_003
    i += 1
  end # LOOP-END:heavy
  x
end

def light(n)
  i = 0
  x = 1
  while i < n # LOOP-BEGIN:light
    x = (x * 7 + i) % 1_000_003
    i += 1
  end # LOOP-END:light
  x
end

def run(deadline)
  while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
    heavy(3 * CHUNK)
    light(CHUNK)
  end
end

puts "ready #{Process.pid}"
run(Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME)
