# Workload: CPU-bound Ruby under a 1000-frame recursion: the stack is built once per round and
# the work runs at its bottom, so nearly every sample sees ~1000 frames.
require_relative "harness"

DEPTH = 1000
ROUNDS = BenchWorkload.scaled(Integer(ENV.fetch("BENCH_RECURSION_ROUNDS", "600")))

def bottom
  acc = 0
  i = 0
  while i < 200_000
    acc = (acc + i * 7) % 1_000_003
    i += 1
  end
  acc
end

def dive(depth)
  return bottom if depth <= 0
  dive(depth - 1)
end

# <main>, BenchWorkload.run and its block, Integer#times and its block, dive(993) .. dive(0)
# and bottom: 1000 frames at the bottom.
BenchWorkload.run { ROUNDS.times { dive(DEPTH - 7) } }
