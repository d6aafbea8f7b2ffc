# frozen_string_literal: true

# A child process whose lifetime is always bounded: every wait has a timeout,
# and every child is killed (its whole process group) when a test ends.
module E2E
  class Child
    POLL_INTERVAL = 0.02

    @live = []
    class << self
      attr_reader :live

      # Kills every child still running: the safety net after each test.
      def kill_all
        @live.dup.each(&:kill)
      end
    end

    attr_reader :argv, :pid, :status

    # argv: command and arguments; env: extra environment; io: Process.spawn redirections
    # (in:, out:, err:).
    def initialize(argv, env: {}, **io)
      @argv = argv
      @pid = Process.spawn(env, *argv, pgroup: true, close_others: true, **io)
      @status = nil
      Child.live << self
    end

    # Waits up to +timeout+ seconds; returns the Process::Status, or nil if
    # the child is still running.
    def wait(timeout)
      deadline = Clock.now + timeout
      loop do
        return @status if reap
        return nil if Clock.now >= deadline

        sleep POLL_INTERVAL
      end
    end

    def running?
      !reap
    end

    # Sends +sig+ to the child itself (not its group).
    def signal(sig)
      Process.kill(sig, @pid) unless @status
    rescue Errno::ESRCH
      nil
    end

    # SIGTERM to the process group, then SIGKILL after +grace+ seconds.
    def kill(grace = 2)
      return if reap

      signal_group("TERM")
      return if wait(grace)

      signal_group("KILL")
      wait(5)
    end

    private

    def reap
      return true if @status

      pid, status = Process.waitpid2(@pid, Process::WNOHANG)
      return false unless pid

      @status = status
      Child.live.delete(self)
      true
    rescue Errno::ECHILD
      Child.live.delete(self)
      true
    end

    def signal_group(sig)
      Process.kill(sig, -@pid)
    rescue Errno::ESRCH, Errno::EPERM
      signal(sig)
    end
  end
end
