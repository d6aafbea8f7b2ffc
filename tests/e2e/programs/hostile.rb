# Target of the format tests' hostile names: a method named by each argument (the tests give
# names with '<', '&', quotes, a backslash, ';', a newline, a control byte and invalid UTF-8:
# define_method takes any symbol), each burning in turn; run from a copy under a directory
# named with '&<'"'. Stops after 20 s.
$stdout.sync = true
LIFETIME = 20
CHUNK = 50_000

NAMES = ARGV.map(&:b).freeze # bytes: a name need not be valid UTF-8

class Hostile
  NAMES.each do |name|
    define_method(name.to_sym) do
      i = CHUNK
      x = 1
      x = (x * 7 + i) % 1_000_003 while (i -= 1) > 0 # LOOP:hostile
      x
    end
  end
end

hostile = Hostile.new
methods = NAMES.map(&:to_sym)
deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME
puts "ready #{Process.pid}"
methods.each { |m| hostile.send(m) } until Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
