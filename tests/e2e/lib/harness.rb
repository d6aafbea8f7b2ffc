# frozen_string_literal: true

# The test runner: a list of named tests, run in order, reported in TAP as "ok N - name",
# "not ok N - name" or "ok N - name # SKIP why", followed by "e2e: N passed, N failed" (and
# ", N skipped" if any were: a skipped test neither passed nor failed).
module E2E
  # Raised by assertions; its message is the diagnostic printed under "not ok".
  class Failure < StandardError; end

  # Raised by Assertions#skip: the test does not apply to the target Ruby (message: why).
  class Skip < StandardError; end

  module Harness
    TESTS = []
    EXCERPT_LINES = 15
    EXCERPT_WIDTH = 240

    # Profiler results seen by the running test, printed when it fails; and figures (Strings)
    # it measured, printed under its line whether it passes or not.
    @notes = []

    class << self
      attr_reader :notes

      def register(name, &body)
        TESTS << [name, body]
      end

      def note(result)
        @notes << result unless @notes.include?(result)
      end

      # Runs every registered test; returns the number of failures.
      def run_all(out = $stdout)
        out.sync = true
        if TESTS.empty?
          # a filter that matches nothing (an E2E_ONLY left set) has tested nothing: not a pass
          out.puts "1..0"
          out.puts "e2e: no test to run (E2E_ONLY=#{ENV['E2E_ONLY'].inspect} matches none)"
          out.puts "e2e: 0 passed, 1 failed"
          return 1
        end
        out.puts "1..#{TESTS.size}"
        outcomes = Hash.new(0)
        TESTS.each.with_index(1) do |(name, body), number|
          outcomes[run_one(out, number, name, body)] += 1
        end
        skipped = outcomes[:skipped].positive? ? ", #{outcomes[:skipped]} skipped" : ""
        out.puts "e2e: #{outcomes[:passed]} passed, #{outcomes[:failed]} failed#{skipped}"
        outcomes[:failed]
      end

      private

      # Runs one test and reports it; returns :passed, :failed or :skipped.
      def run_one(out, number, name, body)
        @notes = []
        started = Clock.now
        Context.new.instance_exec(&body)
        out.puts "ok #{number} - #{name} (#{format('%.1f', Clock.now - started)} s)"
        @notes.grep(String).each { |figure| out.puts "#   #{figure}" }
        :passed
      rescue Skip => e
        out.puts "ok #{number} - #{name} # SKIP #{e.message}"
        :skipped
      rescue Failure => e
        report_failure(out, number, name, e.message)
      rescue StandardError, ScriptError => e
        where = e.backtrace&.first(3)&.join("\n") || ""
        report_failure(out, number, name, "#{e.class}: #{e.message}\n#{where}")
      ensure
        Child.kill_all
      end

      def report_failure(out, number, name, message)
        out.puts "not ok #{number} - #{name}"
        message.each_line { |l| out.puts "#   #{l.chomp}" }
        @notes.each { |result| print_excerpt(out, result) }
        :failed
      end

      def print_excerpt(out, result)
        return out.puts("#   #{result}") if result.is_a?(String)

        out.puts "#   --- #{result.command}"
        out.puts "#   exit: #{result.status_text}"
        print_stream(out, "stderr", result.stderr)
        print_stream(out, "stdout", result.stdout)
      end

      def print_stream(out, what, text)
        lines = text.lines
        out.puts "#   #{what} (#{lines.size} lines)#{lines.empty? ? '' : ':'}"
        lines.first(EXCERPT_LINES).each do |l|
          out.puts "#     #{printable(l.chomp[0, EXCERPT_WIDTH])}"
        end
        out.puts "#     ..." if lines.size > EXCERPT_LINES
      end

      def printable(text)
        text.b.gsub(/[\x00-\x1f\x7f]/n) { |c| format("<%02x>", c.ord) }
      end
    end
  end

  # Declares a test: E2E.test("name") { ...assertions... }
  def self.test(name, &body)
    Harness.register(name, &body)
  end

  # One profile of programs/+program+ (started, profiled with +args+ after "-p PID", stopped),
  # shared by the tests that check it: a Once of { target:, result: }.
  def self.profile_once(program, args)
    Once.new do
      target = Target.ruby(program)
      { target: target, result: Profiler.run(["-p", target.pid, *args]) }
    ensure
      target&.stop
    end
  end

  # A value computed at most once and shared by several tests (one profiler run
  # checked in several ways). A failure while computing it fails every user.
  class Once
    def initialize(&compute)
      @compute = compute
      @done = false
    end

    def get
      if @done
        @notes.each { |n| Harness.note(n) }
      else
        first_note = Harness.notes.size
        begin
          @value = @compute.call
        rescue StandardError => e
          @error = e
        end
        @notes = Harness.notes[first_note..]
        @done = true
      end
      raise @error if @error

      @value
    end
  end

  module Clock
    def self.now
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end
