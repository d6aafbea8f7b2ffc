# The part every benchmark workload shares (bench/workloads/*.rb, run by bench/run.rb):
#   - the amount of work is fixed (deterministic), scaled by BENCH_SCALE (default 1.0, ~3 s);
#   - "ready" on stdout once loaded; the timed work starts when stdin reaches end of file: the
#     benchmark closes it once the profiler is attached, so start-up is not measured and the
#     processes of one run all start together;
#   - one line on stdout: "wall SECONDS cpu SECONDS" of the timed work alone (this process's
#     CPU time, every thread).
module BenchWorkload
  SCALE = Float(ENV.fetch("BENCH_SCALE", "1"))

  # n scaled by BENCH_SCALE, at least 1.
  def self.scaled(n)
    [(n * SCALE).round, 1].max
  end

  def self.run
    $stdout.puts "ready"
    $stdout.flush
    $stdin.read
    t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    c0 = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
    yield
    c1 = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
    t1 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    $stdout.puts format("wall %.6f cpu %.6f", t1 - t0, c1 - c0)
    $stdout.flush
  end
end
