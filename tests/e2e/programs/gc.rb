# Target of the GC test: allocates garbage in a loop so that the VM collects often (and
# sometimes fully, GC.start). Stops by itself after 20 s.
$stdout.sync = true
LIFETIME = 20

def churn
  keep = nil
  5_000.times { keep = Array.new(20) { "x" * 40 } } # CALL:churn-alloc
  keep
end

def run(deadline)
  while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
    churn # CALL:churn
    GC.start if rand < 0.1
  end
end

puts "ready #{Process.pid}"
run(Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME)
