# Target of the wall tests: four threads, each spending its time one way, named so that
# each is found by its name. Stops after LIFETIME s.
#   burner: runs Ruby all the time (burn)
#   sleeper: loops on sleep (nap)
#   reader: blocks in a read(2) of a pipe nobody writes (wait_for_input)
#   main: joins them
# WALL_MODE=gvl3: three CPU-bound threads sharing the GVL instead; gvl1: one alone; all:
# the three, the sleeper and the reader (what scripts/capture-fixture.sh records of each Ruby
# for the unit tests' wall fixtures).
require "io/nonblock"
$stdout.sync = true
LIFETIME = Integer(ENV.fetch("WALL_LIFETIME", "20"))

def now
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def burn(deadline)
  x = 1
  while now < deadline
    i = 0
    while i < 100_000 # LOOP:burn
      x = (x * 7 + i) % 1_000_003
      i += 1
    end
  end
  x
end

def nap(deadline)
  sleep 0.05 while now < deadline # LOOP:nap
end

def wait_for_input(r)
  r.read(1) # LOOP:read
end

deadline = now + LIFETIME
threads =
  case ENV.fetch("WALL_MODE", "mixed")
  when "gvl3"
    %w[cpu_1 cpu_2 cpu_3].map { |n| Thread.new { Thread.current.name = n; burn(deadline) } }
  when "gvl1"
    [Thread.new { Thread.current.name = "cpu_1"; burn(deadline) }]
  else
    r, _w = IO.pipe
    r.nonblock = false # a read(2) that blocks, not a wait in ppoll
    burners = ENV["WALL_MODE"] == "all" ? %w[cpu_1 cpu_2 cpu_3] : %w[burner]
    [
      *burners.map { |n| Thread.new { Thread.current.name = n; burn(deadline) } },
      Thread.new { Thread.current.name = "sleeper"; nap(deadline) },
    ]
  end
if r # the reader never returns: not joined
  reader = Thread.new { Thread.current.name = "reader"; wait_for_input(r) }
end
sleep 0.2 # the threads have named themselves
puts "ready"
threads.each(&:join) # CALL:join
reader&.kill
