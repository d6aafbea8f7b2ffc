# Target of the C-method test: C methods (instance and singleton) called from Ruby, with
# blocks nested under them, inside a namespaced class. Stops by itself after 20 s.
$stdout.sync = true
LIFETIME = 20

module Deep
  class Worker
    def self.spin(deadline)
      while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
        2000.times do |i| # CALL:times
          (i * 7).to_s # CALL:to_s
          Process.clock_gettime(Process::CLOCK_MONOTONIC, :float_microsecond) # CALL:clock_gettime
        end
        Worker.new.sorter
      end
    end

    def sorter
      Array.new(3000) { |i| (i * 7919) % 3001 }.sort # CALL:sort
    end
  end
end

puts "ready #{Process.pid}"
Deep::Worker.spin(Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME) # CALL:spin
