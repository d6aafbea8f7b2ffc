# Target of the format tests that compare two profilers run at once: heavy and light take
# turns by the clock, 150 ms and 50 ms, so that two samplers whose ticks are apart by less
# than a tick (2 ms at 499 Hz) see the same method but near a turn (1% of samples), and their
# shares agree far closer than each one's sampling error. Stops after 20 s.
$stdout.sync = true
LIFETIME = 20
HEAVY_S = 0.150
LIGHT_S = 0.050
# loop iterations between clock reads: ~0.1 ms, so a turn ends on time
CHECK_EVERY = 2_000

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

# heavy and light: one body, so that only their turns differ
%w[heavy light].each do |name|
  Object.send(:define_method, name) do |seconds|
    x = 1
    turn_end = now + seconds
    until now >= turn_end
      i = CHECK_EVERY
      x = (x * 7 + i) % 1_000_003 while (i -= 1) > 0 # LOOP:turn
    end
    x
  end
end

def run(deadline)
  while now < deadline
    heavy(HEAVY_S)
    light(LIGHT_S)
  end
end

puts "ready #{Process.pid}"
run(now + LIFETIME)
