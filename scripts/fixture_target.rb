# The program captured into unit-test fixtures (scripts/capture-fixture.sh): three threads
# whose stacks exercise the symbolizer - a namespaced class, singleton and instance methods,
# blocks under C methods, define_method, a thread sleeping in a C method - for 30 s at most.
# Plain Ruby 2.7 syntax: every supported Ruby runs it.
module Shop
  class Cart
    def self.checkout(n)
      new.total(n)
    end

    def total(n)
      sum = 0
      n.times { |i| sum += price(i) }
      sum
    end

    def price(i)
      x = i
      j = 0
      while j < 50_000
        x = (x * 7 + j) % 1_000_003
        j += 1
      end
      x
    end
  end
end

class Maker
  define_method(:built) do |n|
    [3, 1, 2].map { |k| (1..n).sum { |v| v * k } }
  end
end

deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 30
workers = [
  Thread.new { Maker.new.built(20_000) while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline },
  Thread.new { sleep 30 },
]
Shop::Cart.checkout(10) while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
workers.each(&:kill)
