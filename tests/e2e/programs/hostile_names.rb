# Target of the SVG hostile-names test: the hot method's name holds XML's specials, quotes, a
# CDATA end and a newline (define_method takes any name); the test runs a copy of this file
# from a directory whose name holds more. Stops by itself after 20 s.
$stdout.sync = true
LIFETIME = 20
HOSTILE = "ev<il&\"q'x]]>y\nz"

class Hostile
  define_method(HOSTILE) do |n|
    x = 0
    x += 1 while x < n
    x
  end
end

hostile = Hostile.new
deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME
puts "ready #{Process.pid}"
while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  hostile.send(HOSTILE, 400_000) # CALL:hostile
end
