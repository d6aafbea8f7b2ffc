# Workload: CPU-bound Ruby under a 50-frame stack. Ten distinct methods call each other down
# to the depth (so a profile has many frames to name, not one method repeated), and the leaf
# rotates through a mix of work: integer arithmetic, Float math, String building, Array and
# Hash work, and blocks under C methods (times, each, map), so samples land in Ruby code, in
# C methods and in the VM's allocation and GC paths. Also the per-process work of the
# 20-process workload (BENCH_SCALE divided among the processes).
require_relative "harness"

# Frames: <main>, BenchWorkload.run and its block, Integer#times and its block, level_0 ..
# level_42 (43 frames), mix and the Work method: 50, and a few more in the leaf's blocks and C
# methods.
LEVELS = 42
ROUNDS = BenchWorkload.scaled(Integer(ENV.fetch("BENCH_MIX_ROUNDS", "6000")))

module Work
  module_function

  def integers(n)
    acc = 0
    i = 0
    while i < n
      acc = (acc + i * 7) % 1_000_003
      i += 1
    end
    acc
  end

  def floats(n)
    x = 0.5
    n.times { |i| x = Math.sqrt(x * x + i) / 1.0001 }
    x
  end

  def strings(n)
    s = +""
    n.times { |i| s << (i % 10).to_s << "," }
    s.split(",").size
  end

  def arrays(n)
    a = Array.new(n) { |i| (i * 7919) % 1009 }
    a.sort.each_slice(16).map(&:sum).max
  end

  def hashes(n)
    h = Hash.new(0)
    n.times { |i| h[i % 97] += i }
    h.values.sum
  end
end

def mix(round)
  case round % 5
  when 0 then Work.integers(20_000)
  when 1 then Work.floats(5_000)
  when 2 then Work.strings(3_000)
  when 3 then Work.arrays(4_000)
  else Work.hashes(5_000)
  end
end

# Ten methods deep in rotation: level_0 -> level_1 -> ... -> level_9 -> level_0 ...
10.times do |k|
  nxt = (k + 1) % 10
  Object.class_eval(<<~RUBY, __FILE__, __LINE__ + 1)
    def level_#{k}(depth, round)
      return mix(round) if depth.zero?
      level_#{nxt}(depth - 1, round)
    end
  RUBY
end

BenchWorkload.run { ROUNDS.times { |r| level_0(LEVELS, r) } }
