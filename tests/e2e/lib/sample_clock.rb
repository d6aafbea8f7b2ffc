# frozen_string_literal: true

module E2E
  # The two clocks rbprof-bpf samples on (--clock), and what the tick can give on this kernel:
  # the tests of ratios, threads and accuracy run on each.
  module SampleClock
    CLOCKS = %w[perf tick].freeze

    class << self
      # The kernel's HZ, from its config as rbprof-bpf reads it (sampling/sample_clock.c).
      def hz
        @hz ||= begin
          boot = "/boot/config-#{File.read('/proc/sys/kernel/osrelease').chomp}"
          text = File.exist?(boot) ? File.read(boot) : IO.popen(%w[zcat /proc/config.gz], &:read)
          Integer(text[/^CONFIG_HZ=(\d+)$/, 1] || raise("no CONFIG_HZ in the kernel's config"))
        end
      end

      # The rate the tick clock samples at for -F freq: HZ / N, the nearest (at most HZ).
      def tick_rate(freq)
        n = [hz / freq, 1].max
        n += 1 if freq < hz && hz.to_f / n - freq > freq - hz.to_f / (n + 1)
        hz.to_f / n
      end

      # The rate -F freq samples at without --clock: the tick's up to HZ, perf events' above.
      def default_rate(freq)
        freq <= hz ? tick_rate(freq) : freq.to_f
      end

      # The CPU ns a sample of +result+'s run stands for, from its summary's "sampled at" line
      # (as user/sampling/sample_clock.c rounds it), or nil.
      def period_ns(result)
        line = result.stderr_lines.grep(/\Arbprof-bpf: sampled at /).first.to_s
        if (m = line.match(/on the scheduler tick \(every (?:(\d+)\w\w )?tick(?:,| of) HZ (\d+)\)/))
          n = (m[1] || 1).to_i
          hz = m[2].to_i
          (1_000_000_000 * n + hz / 2) / hz
        elsif (m = line.match(/at (\d+) Hz on perf events/))
          f = m[1].to_i
          (1_000_000_000 + f / 2) / f
        end
      end

      # --clock, -F and -d for a run on +clock+ that takes as many samples as +freq+ Hz for
      # +seconds+ would: the tick at most at HZ, and longer by as much as that is slower.
      def args(clock, freq, seconds)
        f = clock == "tick" ? [freq, hz].min : freq
        ["--clock", clock, "-F", f, "-d", (seconds * freq.to_f / f).ceil]
      end
    end
  end
end
