# Target of the define_method / C extension test: methods made with define_method (one
# under a name full of separators), and CPU spent inside a C extension (zlib) called from
# Ruby (when this Ruby has zlib). Stops by itself after 20 s.
begin
  require "zlib"
rescue LoadError
  nil # a Ruby built without zlib (musl, say): the C extension test is skipped
end
$stdout.sync = true
LIFETIME = 20
ODD_NAME = "odd;name\nhere"

class Maker
  define_method(:built) do |n|
    x = 0
    n.times { |i| x += i } # CALL:built-times
    x
  end

  define_method(ODD_NAME) { |n| built(n) } # CALL:odd

  def compress(data)
    Zlib::Deflate.deflate(data, Zlib::BEST_COMPRESSION) # CALL:deflate
  end
end

maker = Maker.new
data = Random.new(7).bytes(64 * 1024) * 4
deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + LIFETIME
puts "ready #{Process.pid}"
while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  maker.send(ODD_NAME, 200_000) # CALL:send
  maker.compress(data) if defined?(Zlib) # CALL:compress
end
