# Workload: four Ruby threads, each running the method mix of method_mix.rb's kind under its
# own ~50-frame stack; the GVL lets one run at a time, handing over every 100 ms.
require_relative "harness"

THREADS = 4
ROUNDS = BenchWorkload.scaled(Integer(ENV.fetch("BENCH_THREAD_ROUNDS", "5000"))) / THREADS

def burn(round)
  acc = 0
  i = 0
  n = 10_000 + (round % 5) * 5_000
  while i < n
    acc = (acc + i * 7) % 1_000_003
    i += 1
  end
  [acc, Array.new(200) { |k| k * round }.sum, (1..50).map(&:to_s).join.size]
end

def descend(depth, round)
  return burn(round) if depth.zero?
  descend(depth - 1, round)
end

BenchWorkload.run do
  Array.new(THREADS) { |t| Thread.new { ROUNDS.times { |r| descend(42, r + t) } } }.each(&:join)
end
