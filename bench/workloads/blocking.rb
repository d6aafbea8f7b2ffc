# Workload: a Puma-like process for --wall's cost (issue #14): 16 threads that block and wake
# about 10,000 times a second between them. Eight pairs of threads play a request and its
# reply over two pipes each: a thread blocks in read(2) (the GVL released, as a Puma thread
# waits on its socket), wakes when its peer writes, does a little Ruby work (a request's
# handling, ~100 us) and writes back. Each message is one block and one wake-up, and a thread
# back from read waits for the GVL when another holds it. The work is a fixed number of
# messages, so that a profiler's cost shows as a longer run.
require_relative "harness"

PAIRS = 8
MESSAGES = BenchWorkload.scaled(Integer(ENV.fetch("BENCH_BLOCKING_MESSAGES", "16000"))) / PAIRS
WORK = Integer(ENV.fetch("BENCH_BLOCKING_WORK", "2000"))

def handle(n)
  acc = n
  i = 0
  while i < WORK
    acc = (acc * 7 + i) % 1_000_003
    i += 1
  end
  acc
end

def serve(input, output, count)
  count.times do |n|
    input.read(1) # blocks: the GVL released
    handle(n)
    output.write("x")
  end
end

BenchWorkload.run do
  threads = Array.new(PAIRS) do
    a_r, a_w = IO.pipe
    b_r, b_w = IO.pipe
    [a_r, b_r].each { |io| io.sync = true }
    [a_w, b_w].each { |io| io.sync = true }
    a_w.write("x") # the first request
    [Thread.new { serve(a_r, b_w, MESSAGES) }, Thread.new { serve(b_r, a_w, MESSAGES) }]
  end
  threads.flatten.each(&:join)
end
