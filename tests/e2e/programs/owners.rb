# Target of the owner tests: methods whose frames live for microseconds, each taking over the
# slot of the one called just before it at the same depth (Quick.tick, then Quick#tock, over
# and over); and one method under two owners: a module_function is both the module's method
# and a copy on its singleton class, one iseq for the two. Stops by itself after 20 s.
$stdout.sync = true
LIFETIME = 20

class Quick
  def self.tick(i)
    i + 1 # LINE:tick
  end

  def tock(i)
    i * 2 # LINE:tock
  end
end

module Both
  module_function

  def work(n)
    x = 0
    n.times { |i| x += i } # LINE:work
    x
  end
end

class User
  include Both

  def go
    work(3000) # CALL:go
  end
end

quick = Quick.new
user = User.new
deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME
puts "ready #{Process.pid}"
while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  i = 0
  while i < 3000
    Quick.tick(i) # CALL:tick
    quick.tock(i) # CALL:tock
    i += 1
  end
  Both.work(3000) # CALL:work
  user.go # CALL:user
end
