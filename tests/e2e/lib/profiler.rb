# frozen_string_literal: true

require "fileutils"
require "tmpdir"
require "shellwords"

# Runs the profiler under test with bounded time, capturing stdout and stderr
# in files (so a large profile never blocks on a full pipe).
module E2E
  # What one profiler run produced.
  class Result
    attr_reader :command, :status, :stdout, :stderr

    def initialize(command, status, stdout, stderr, timed_out)
      @command = command
      @status = status
      @stdout = stdout
      @stderr = stderr
      @timed_out = timed_out
    end

    # The exit code, or nil if the profiler was killed (by us or a signal).
    def exit_code
      @timed_out ? nil : @status&.exitstatus
    end

    def status_text
      return "timed out, killed" if @timed_out
      return "unknown" unless @status
      return "killed by signal #{Signal.signame(@status.termsig)}" if @status.signaled?

      "exit #{@status.exitstatus}"
    end

    def stderr_lines
      @stderr.lines.map(&:chomp)
    end

    # Parsed stdout.
    def profile
      @profile ||= Folded.parse(@stdout)
    end
  end

  # A profiler started in the background; #finish waits for it.
  class ProfilerRun
    ATTACH_TIMEOUT = 10
    PERF_EVENT_FD = "anon_inode:[perf_event]"
    BPF_LINK_FD = "anon_inode:bpf_link"

    def initialize(args, wrap: [])
      @dir = Dir.mktmpdir("rbprof-e2e-run")
      @out_path = File.join(@dir, "stdout")
      @err_path = File.join(@dir, "stderr")
      @argv = wrap + [Profiler.binary] + args.map(&:to_s)
      @child = Child.new(@argv, in: File::NULL, out: @out_path, err: @err_path)
    rescue SystemCallError
      FileUtils.rm_rf(@dir)
      raise
    end

    def pid
      @child.pid
    end

    def signal(sig)
      @child.signal(sig)
    end

    # Waits until the profiler has attached its clock, its perf events or the tick's
    # tracepoint (sampling has started): the moment tests time things from.
    def wait_attached(timeout = ATTACH_TIMEOUT)
      deadline = Clock.now + timeout
      until clock_attached?
        unless @child.running?
          finish(0)
          raise Failure, "profiler exited before sampling started"
        end
        raise Failure, "profiler attached no clock within #{timeout} s" if Clock.now >= deadline

        sleep Child::POLL_INTERVAL
      end
    end

    # Waits up to +timeout+ seconds (then kills it); returns the Result.
    def finish(timeout)
      timed_out = @child.wait(timeout).nil?
      @child.kill if timed_out
      result = Result.new(Shellwords.join(@argv), @child.status,
                          read(@out_path), read(@err_path), timed_out)
      Harness.note(result)
      result
    ensure
      stop
    end

    # Kills it if still running and removes its files; safe to call twice.
    def stop
      @child.kill
      FileUtils.rm_rf(@dir)
    end

    private

    # A perf event open, or a BPF link: the first link the profiler makes is its clock's
    # (the tick's tracepoint, or a perf event's), the process events' come after it.
    def clock_attached?
      Dir.glob("/proc/#{pid}/fd/*").any? do |fd|
        [PERF_EVENT_FD, BPF_LINK_FD].include?(File.readlink(fd))
      rescue SystemCallError
        false
      end
    end

    def read(path)
      File.binread(path)
    rescue Errno::ENOENT
      ""
    end
  end

  module Profiler
    # Extra time a run may take beyond its -d duration (BPF load, output).
    SLACK = 12

    class << self
      attr_accessor :binary

      def start(args, wrap: [])
        ProfilerRun.new(args, wrap: wrap)
      end

      # Runs to completion; +timeout+ defaults to the -d duration plus SLACK.
      def run(args, wrap: [], timeout: nil)
        timeout ||= duration_of(args.map(&:to_s)) + SLACK
        start(args, wrap: wrap).finish(timeout)
      end

      private

      def duration_of(args)
        i = args.index("-d")
        i ? args[i + 1].to_f.clamp(0, 60) : 0
      end
    end
  end
end
