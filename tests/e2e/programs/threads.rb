# Target of the threads test: four threads, each burning in its own method,
# so each thread's stack is "block in <main>" -> burn_X. Stops after 20 s.
$stdout.sync = true
LIFETIME = 20
CHUNK = 100_000

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def burn_a(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < CHUNK # LOOP-BEGIN:burn_a
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:burn_a
  end
  x
end

def burn_b(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < CHUNK # LOOP-BEGIN:burn_b
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:burn_b
  end
  x
end

def burn_c(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < CHUNK # LOOP-BEGIN:burn_c
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:burn_c
  end
  x
end

def burn_d(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < CHUNK # LOOP-BEGIN:burn_d
      x = (x * 7 + i) % 1_000_003
      i += 1
    end # LOOP-END:burn_d
  end
  x
end

deadline = now + LIFETIME
threads = [
  Thread.new { burn_a(deadline) }, # CALL:burn_a
  Thread.new { burn_b(deadline) }, # CALL:burn_b
  Thread.new { burn_c(deadline) }, # CALL:burn_c
  Thread.new { burn_d(deadline) }, # CALL:burn_d
]
# each thread's native name (what --threads shows) is its method's: "burn_a" ...
threads.zip(%w[burn_a burn_b burn_c burn_d]) { |t, name| t.name = name }
puts "ready #{Process.pid}"
threads.each(&:join)
