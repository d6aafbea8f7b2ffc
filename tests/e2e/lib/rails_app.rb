# frozen_string_literal: true

require "net/http"
require "socket"

# The Rails application of programs/rails_shop served by Debian's puma on loopback, and a
# loopback client that keeps it busy; both bounded in time and stopped by the test.
module E2E
  class RailsApp
    DIR = File.expand_path("../programs/rails_shop", __dir__)
    BOOT_TIMEOUT = 60 # Rails boots in a few seconds; a loaded CI machine is slower
    PUMA = "puma"

    attr_reader :port

    # threads: per worker; workers: 0 for a single process, N for cluster mode.
    def initialize(threads:, workers: 0)
      @port = free_port
      argv = [PUMA, "-t", "#{threads}:#{threads}", "-b", "tcp://127.0.0.1:#{@port}",
              "--dir", DIR, "-e", "production"]
      argv += ["-w", workers.to_s] if workers.positive?
      @child = Child.new(argv + [File.join(DIR, "config.ru")], in: File::NULL, out: File::NULL,
                                                                err: File::NULL)
      wait_serving
    end

    # The pids of the processes that serve requests: the workers, or puma itself.
    def serving_pids
      kids = Dir.glob("/proc/[0-9]*/stat").filter_map do |f|
        fields = File.read(f).split(") ").last.split
        f[%r{/proc/(\d+)/}, 1].to_i if fields[1].to_i == @child.pid
      rescue SystemCallError
        nil
      end
      kids.empty? ? [@child.pid] : kids
    end

    # Requests /products from +clients+ threads until +seconds+ have passed, a connection
    # each: in cluster mode a kept-alive connection stays with one worker, and four of them
    # could all land on the same one.
    def load(clients:, seconds:)
      deadline = Clock.now + seconds
      Array.new(clients) do
        Thread.new do
          while Clock.now < deadline
            begin
              Net::HTTP.start("127.0.0.1", @port, read_timeout: 10) { |http| http.get("/products") }
            rescue StandardError
              sleep 0.05
            end
          end
        end
      end
    end

    def stop
      @child.kill(5)
    end

    private

    def free_port
      server = TCPServer.new("127.0.0.1", 0)
      server.addr[1]
    ensure
      server&.close
    end

    # Until /products answers 200 (Rails booted, the route drawn, the view compiled once).
    def wait_serving
      deadline = Clock.now + BOOT_TIMEOUT
      loop do
        raise Failure, "puma exited while booting the Rails app" unless @child.running?

        begin
          return if Net::HTTP.get_response("127.0.0.1", "/products", @port).code == "200"
        rescue SystemCallError, IOError, Net::ReadTimeout
          nil
        end
        raise Failure, "the Rails app did not answer within #{BOOT_TIMEOUT} s" if Clock.now > deadline

        sleep 0.2
      end
    end
  end
end
