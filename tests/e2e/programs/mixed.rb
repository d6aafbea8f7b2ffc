# Target of the accuracy test against stackprof: a deterministic CPU-bound mix of 20+
# methods (Ruby and C, blocks, a class hierarchy) repeated until a deadline. With
# STACKPROF_OUT=file it profiles itself with stackprof (:cpu, 1 ms) and writes each frame's
# name and self samples there as JSON. Stops by itself after ARGV[0] (default 20) seconds.
$stdout.sync = true
LIFETIME = Float(ARGV[0] || 20)

module Geometry
  class Shape
    def initialize(size)
      @size = size
    end

    def describe
      "#{self.class.name.downcase}:#{area.round(2)}"
    end

    def scaled_area(k)
      total = 0.0
      k.times { |i| total += area * (i + 1) }
      total
    end
  end

  class Circle < Shape
    def area
      3.14159 * @size * @size
    end
  end

  class Square < Shape
    def area
      @size * @size * 1.0
    end
  end

  class Triangle < Shape
    def area
      Math.sqrt(@size * @size * 3.0) / 4.0
    end
  end
end

module Text
  def self.words(n)
    Array.new(n) { |i| "word#{i % 97}" }
  end

  def self.shout(words)
    words.map(&:upcase)
  end

  def self.join_sorted(words)
    words.sort.join(",")
  end

  def self.scrub(text)
    text.gsub(/[aeiou]/, "*")
  end

  def self.checksum(text)
    text.bytes.sum
  end
end

module Numbers
  def self.fib(n)
    n < 2 ? n : fib(n - 1) + fib(n - 2)
  end

  def self.sum_squares(n)
    s = 0
    i = 0
    while i < n
      s += i * i
      i += 1
    end
    s
  end

  def self.prime?(n)
    d = 2
    while d * d <= n
      return false if (n % d).zero?

      d += 1
    end
    true
  end

  def self.primes(limit)
    found = []
    n = 2
    while n <= limit
      found << n if prime?(n)
      n += 1
    end
    found
  end

  def self.digest(n)
    acc = 0
    v = 1
    while v <= n
      acc = (acc * 31 + v) % 1_000_003
      v += 1
    end
    acc
  end
end

class Inventory
  def initialize
    @items = Hash.new(0)
  end

  def add(name, n)
    @items[name] += n
  end

  def fill(n)
    n.times { |i| add("item#{i % 50}", i) }
  end

  def report
    @items.sort_by { |_, v| -v }.first(5).map(&:first)
  end
end

def work
  shapes = [Geometry::Circle.new(2), Geometry::Square.new(3), Geometry::Triangle.new(4)]
  shapes.each { |s| s.scaled_area(300) }
  shapes.map(&:describe)
  words = Text.words(400)
  Text.join_sorted(Text.shout(words))
  Text.checksum(Text.scrub(words.join(" ")))
  Numbers.fib(15)
  Numbers.sum_squares(30_000)
  Numbers.primes(1500)
  Numbers.digest(20_000)
  inv = Inventory.new
  inv.fill(3000)
  inv.report
end

def run(deadline)
  work while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
end

deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME
if (out = ENV["STACKPROF_OUT"])
  require "json"
  require "stackprof"
  puts "ready #{Process.pid}"
  data = StackProf.run(mode: :cpu, interval: 1000) { run(deadline) }
  warn "stackprof: #{data[:samples]} samples, #{data[:missed_samples]} missed"
  frames = data[:frames].values.map { |f| { name: f[:name], samples: f[:samples] } }
  File.write(out, JSON.generate(samples: data[:samples], frames: frames))
else
  puts "ready #{Process.pid}"
  run(deadline)
end
