# frozen_string_literal: true

require "json"
require "rexml/document"
require "tmpdir"

# The sampling clocks (--clock): the scheduler tick, a sample every Nth tick of a CPU at
# HZ / N, and perf events; which one runs by default, what every output says of it, and the
# fallbacks where the kernel lacks what the tick needs. The ratio, thread and accuracy tests
# run on both (ratio.rb, fidelity.rb, threads.rb, stackprof.rb).
module E2E
  CLOCK_SECONDS = 4
  # A busy thread's samples on a clock of R Hz for S seconds: R x S, +- this share.
  CLOCK_COUNT_TOLERANCE = 0.1

  class Context
    def process_samples(result, target)
      line = result.stderr_lines.grep(/\Arbprof-bpf: process #{target.pid} .*: \d+ samples/).first
      assert(line, "no summary line of process #{target.pid}")
      Integer(line[/: (\d+) samples/, 1])
    end

    def assert_count_near(count, rate, seconds)
      want = rate * seconds
      assert((count - want).abs <= want * CLOCK_COUNT_TOLERANCE,
             "#{count} samples in #{seconds} s of a busy thread, expected #{want.round} (#{rate.round(2)} Hz) +- " \
             "#{(CLOCK_COUNT_TOLERANCE * 100).round}%")
    end

    def tick_text(freq)
      rate = SampleClock.tick_rate(freq)
      n = (SampleClock.hz / rate).round
      every = n == 1 ? "every tick, HZ #{SampleClock.hz}" : "every #{n}#{ordinal(n)} tick of HZ #{SampleClock.hz}"
      "#{format('%.4g', rate)} Hz on the scheduler tick (#{every})"
    end

    def ordinal(n)
      return "th" if (11..13).cover?(n % 100)

      { 1 => "st", 2 => "nd", 3 => "rd" }.fetch(n % 10, "th")
    end
  end

  test "clock: by default -F 99 samples on the tick at HZ / N; a busy thread gets rate x seconds; " \
       "the summary, pprof's comment and period, speedscope's name and the SVG's subtitle say the rate" do
    target = Target.ruby("basic.rb")
    text = tick_text(99)
    rate = SampleClock.tick_rate(99)
    Dir.mktmpdir("rbprof-e2e-clock") do |dir|
      pb = File.join(dir, "p.pb.gz")
      result = Profiler.run(["-p", target.pid, "-d", CLOCK_SECONDS, "-o", pb, "-v"])
      assert_exit(result, 0)
      assert(result.stderr_lines.include?("rbprof-bpf: sampler: rbprof_tick (bpf_loop)"),
             "not the tick's sampler: #{result.stderr_lines.grep(/sampler: /)}")
      assert(result.stderr_lines.include?("rbprof-bpf: sampled at #{text}"),
             "the summary does not say 'sampled at #{text}': #{result.stderr_lines.grep(/sampled at/)}")
      count = process_samples(result, target)
      assert_count_near(count, rate, CLOCK_SECONDS)
      Harness.notes << "#{count} samples in #{CLOCK_SECONDS} s at #{text}"
      comments = Clients.pprof(pb, "-comments")
      assert(comments.include?("clock: #{text}"), "pprof's comments: #{comments.inspect}")
      raw = Clients.pprof(pb, "-raw")
      period = (1e9 / rate).round
      assert(raw.include?("Period: #{period}"), "pprof's period is not #{period} ns: #{raw.lines.first(6).join.inspect}")

      json = File.join(dir, "p.json")
      svg = File.join(dir, "p.svg")
      [json, svg].each { |out| assert_exit(Profiler.run(["-p", target.pid, "-d", 1, "-o", out]), 0) }
      name = JSON.parse(File.read(json))["name"]
      assert(name.end_with?(" (#{text})"), "speedscope's name: #{name.inspect}")
      subtitle = REXML::Document.new(File.read(svg)).root.elements["//text[@id='subtitle']"]&.text.to_s
      assert(subtitle.include?(" at #{format('%.4g', rate)} Hz on the scheduler tick, "), "the SVG's subtitle: #{subtitle.inspect}")
    end
  ensure
    target&.stop
  end

  test "clock: -F above HZ samples on perf events by default; --clock tick says it gives at most HZ, and does" do
    target = Target.ruby("basic.rb")
    result = Profiler.run(["-p", target.pid, "-d", 2, "-F", 999, "-v"])
    assert_exit(result, 0)
    assert(result.stderr_lines.include?("rbprof-bpf: sampler: rbprof_sample (bpf_loop)"), "not perf events' sampler")
    assert(result.stderr_lines.include?("rbprof-bpf: sampled at 999 Hz on perf events (cpu-clock)"), "no perf rate said")
    assert_count_near(process_samples(result, target), 999, 2)

    result = Profiler.run(["-p", target.pid, "-d", CLOCK_SECONDS, "-F", 999, "--clock", "tick"])
    stacks_of(assert_profiled(result), target)
    hz = SampleClock.hz
    said = "rbprof-bpf: --clock tick: at most HZ (#{hz}) samples a second per CPU: sampling at #{hz} Hz, not 999"
    assert(result.stderr_lines.include?(said), "no notice of the tick's limit: #{result.stderr_lines.first(3)}")
    assert_count_near(process_samples(result, target), hz, CLOCK_SECONDS)
  ensure
    target&.stop
  end

  test "clock: with no kernel config to say HZ, it is measured (jiffies in /proc/timer_list): the same rate" do
    target = Target.ruby("basic.rb")
    result = Profiler.run(["-p", target.pid, "-d", CLOCK_SECONDS, "-F", 50],
                          wrap: ["env", "RBPROF_KCONFIG=/nonexistent/config"])
    stacks_of(assert_profiled(result), target)
    text = tick_text(50)
    assert(result.stderr_lines.include?("rbprof-bpf: sampled at #{text}"),
           "not 'sampled at #{text}': #{result.stderr_lines.grep(/sampled at/)}")
    assert_count_near(process_samples(result, target), SampleClock.tick_rate(50), CLOCK_SECONDS)
  ensure
    target&.stop
  end

  test "clock: a kernel without the tick's handler gets perf events, with one notice, and a right profile" do
    target = Target.ruby("basic.rb")
    result = Profiler.run(["-p", target.pid, "-d", 2, "-F", 99],
                          wrap: ["env", "RBPROF_TICK_HANDLERS=no_such_tick_handler"])
    mine = stacks_of(assert_profiled(result), target)
    notice = result.stderr_lines.grep(/scheduler tick cannot be the clock/)
    want = "rbprof-bpf: the scheduler tick cannot be the clock: the kernel has no tick handler " \
           "(no_such_tick_handler) in /proc/kallsyms; sampling on perf events (cpu-clock) at 99 Hz"
    assert(notice == [want], "expected the one notice #{want.inspect}, got #{notice}")
    assert(result.stderr_lines.include?("rbprof-bpf: sampled at 99 Hz on perf events (cpu-clock)"), "not on perf events")
    burn = mine.select { |s| s.labels.include?("Object#burn") }.total
    assert(burn >= mine.total * 0.9, "Object#burn has #{burn} of #{mine.total} samples")
    assert_count_near(process_samples(result, target), 99, 2)
  ensure
    target&.stop
  end

  test "clock: --clock with another name is a usage error, in one line" do
    result = Profiler.run(["--clock", "jiffies", "-d", 1])
    assert_error(result, USAGE_ERROR, "unknown clock", "jiffies", "tick", "perf")
  end
end
