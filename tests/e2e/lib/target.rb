# frozen_string_literal: true

# The programs being profiled: started, waited on until they print "ready",
# and told "go" on stdin by the tests that need to control when they burn.
module E2E
  # Line numbers in a program's text, found by marker comments such as
  # "# CALL:burn" or "# LOOP-BEGIN:burn", so tests never hard-code them.
  module Markers
    # +source+: the program's lines (File.readlines).
    def self.line(source, marker)
      pattern = /#\s*#{Regexp.escape(marker)}(?=\s|\z)/
      hits = source.each_index.select { |i| pattern.match?(source[i]) }
      raise Failure, "marker #{marker} found #{hits.size} times" unless hits.size == 1

      hits.first + 1
    end

    # The lines of a hot loop marked LOOP-BEGIN:name .. LOOP-END:name.
    def self.loop_lines(source, name)
      line(source, "LOOP-BEGIN:#{name}")..line(source, "LOOP-END:#{name}")
    end
  end

  class Target
    PROGRAMS = File.expand_path("../programs", __dir__)
    RUBY = ENV.fetch("E2E_RUBY", "/usr/bin/ruby")
    READY_TIMEOUT = 10

    # Starts programs/NAME with the target Ruby; +path+ runs a copy elsewhere; +flags+ go
    # to ruby (e.g. --yjit), +args+ to the program, +env+ into its environment.
    def self.ruby(name, path: nil, flags: [], args: [], env: {})
      path ||= File.join(PROGRAMS, name)
      new([RUBY, *flags, path, *args.map(&:to_s)], path, env: env)
    end

    # Starts an arbitrary command that prints "ready" when it is set up.
    def self.command(argv)
      new(argv, nil)
    end

    attr_reader :path

    def initialize(argv, path, env: {})
      @path = path
      @source = path ? File.readlines(path) : [] # kept: the file may be removed
      @stdin_r, @stdin = IO.pipe
      @stdout, stdout_w = IO.pipe
      @child = Child.new(argv, env: env, in: @stdin_r, out: stdout_w, err: File::NULL)
      [@stdin_r, stdout_w].each(&:close)
      wait_ready
    end

    def pid
      @child.pid
    end

    # The kernel's name for the process, as the profiler must print it.
    def comm
      @comm ||= File.read("/proc/#{pid}/comm").chomp
    end

    def line_of(marker)
      Markers.line(@source, marker)
    end

    def loop_lines(name)
      Markers.loop_lines(@source, name)
    end

    # Tells a program waiting on stdin to start.
    def go
      @stdin.puts("go")
      @stdin.flush
    end

    def running?
      @child.running?
    end

    def wait(timeout)
      @child.wait(timeout)
    end

    def stop
      @child.kill
      [@stdin, @stdout].each { |io| io.close unless io.closed? }
    end

    private

    def wait_ready
      line = IO.select([@stdout], nil, nil, READY_TIMEOUT) && @stdout.gets
      return comm if line&.start_with?("ready") # comm: read while it runs

      stop
      raise Failure, "#{@child.argv.join(' ')}: no 'ready' line within #{READY_TIMEOUT} s (got #{line.inspect})"
    end
  end
end
