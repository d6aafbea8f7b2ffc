# Benchmark workload: CPU-bound Ruby work at the bottom of a ~50-frame stack, a fixed amount
# of it (ITERATIONS), so that profiled and unprofiled runs do identical work. Prints
# "wall SECONDS cpu SECONDS" of the work itself on stdout.
DEPTH = Integer(ENV.fetch("BENCH_DEPTH", "50"))
ITERATIONS = Integer(ENV.fetch("BENCH_ITERATIONS", "600"))

# With BENCH_WAIT=1, start the timed work only when a line arrives on stdin: the benchmark
# sends it once the profiler is attached, so its start-up is not in the measurement.
$stdin.gets if ENV["BENCH_WAIT"] == "1"

def leaf_work
  acc = 0
  i = 0
  while i < 200_000
    acc = (acc + i * 7) % 1_000_003
    i += 1
  end
  acc
end

def descend(depth)
  return leaf_work if depth <= 0
  descend(depth - 1)
end

t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
c0 = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
ITERATIONS.times { descend(DEPTH - 3) }
c1 = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
t1 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
puts format("wall %.6f cpu %.6f", t1 - t0, c1 - c0)
