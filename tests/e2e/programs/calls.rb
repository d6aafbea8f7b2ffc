# Target of the line test: methods of a namespaced class call each other from known lines;
# the leaf spins in a loop. Every caller's frame must show its call line. Stops after 20 s.
$stdout.sync = true
LIFETIME = 20

module Shop
  class Cart
    def total(deadline)
      sum = 0
      sum += subtotal(deadline) while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline # CALL:subtotal
      sum
    end

    def subtotal(deadline)
      [1, 2].sum { |k| price(k) } # CALL:price
    end

    def price(k)
      tax(k) + 1 # CALL:tax
    end

    def tax(k)
      i = 0
      x = k
      while i < 50_000 # LOOP-BEGIN:tax
        x = (x * 7 + i) % 1_000_003
        i += 1
      end # LOOP-END:tax
      x
    end
  end
end

puts "ready #{Process.pid}"
Shop::Cart.new.total(Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME) # CALL:total
