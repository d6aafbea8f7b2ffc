# Target of the 1:2:3:4 ratio test: four methods of a class run the same loop body for 1, 2,
# 3 and 4 times as many iterations, called in turn. Each round's length varies at random
# (the four keep their 1:2:3:4): a round of fixed length can last a whole number of sample
# periods, and then every sample falls at the same few places of it, round after round (one
# run in four here gave Mix#one 19% and Mix#two 8%). Stops after 20 s.
$stdout.sync = true
LIFETIME = 20
CHUNK = 40_000

class Mix
  def one(n)
    spin(n)
  end

  def two(n)
    spin(2 * n)
  end

  def three(n)
    spin(3 * n)
  end

  def four(n)
    spin(4 * n)
  end

  private

  def spin(n)
    i = 0
    x = 1
    while i < n
      x = (x * 7 + i) % 1_000_003
      i += 1
    end
    x
  end
end

def run(deadline)
  mix = Mix.new
  while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
    n = CHUNK + rand(CHUNK)
    mix.one(n)
    mix.two(n)
    mix.three(n)
    mix.four(n)
  end
end

puts "ready #{Process.pid}"
run(Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME)
