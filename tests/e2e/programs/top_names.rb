# Target of the --top test's hostile names: a method whose name holds a terminal escape
# (ESC [ 2 J clears a screen), a newline and '<&', hot on the stack under burn. Stops by
# itself after 20 s.
$stdout.sync = true
LIFETIME = 20

EVIL = :"evil\e[2J\n<&"
Object.send(:define_method, EVIL) do |n|
  i = 0
  x = 1
  while i < n
    x = (x * 7 + i) % 1_000_003
    i += 1
  end
  x
end

deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME
puts "ready #{Process.pid}"
send(EVIL, 400_000) while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
