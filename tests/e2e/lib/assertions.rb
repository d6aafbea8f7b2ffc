# frozen_string_literal: true

# Checks shared by the tests. Each raises Failure with a message that says
# what was expected and what was seen.
module E2E
  module Assertions
    PREFIX = "rbprof-bpf: "
    SUMMARY_TAKEN = /\Arbprof-bpf: samples taken: \d+\z/.freeze

    def assert(condition, message)
      raise Failure, message unless condition
    end

    def assert_exit(result, code)
      assert(result.exit_code == code, "expected exit #{code}, got #{result.status_text}")
    end

    # A successful run: exit 0, well-formed folded stdout, every stderr line
    # prefixed, and the summary present. Returns the parsed profile.
    def assert_profiled(result)
      assert_exit(result, 0)
      assert(!result.stdout.empty?, "stdout is empty")
      bad = result.stderr_lines.reject { |l| l.start_with?(PREFIX) }
      assert(bad.empty?, "stderr lines without '#{PREFIX}': #{bad.first(3).inspect}")
      assert(result.stderr_lines.any? { |l| SUMMARY_TAKEN.match?(l) },
             "no 'samples taken: N' summary line on stderr")
      result.profile
    end

    # A failed run: exit +code+, nothing on stdout, exactly one stderr line,
    # prefixed, containing every word of +words+ (a word may be an Array of
    # alternatives). Comparison ignores case.
    def assert_error(result, code, *words)
      assert_exit(result, code)
      assert(result.stdout.empty?, "stdout not empty: #{result.stdout[0, 200].inspect}")
      lines = result.stderr_lines
      assert(lines.size == 1, "expected exactly one stderr line, got #{lines.size}")
      assert_line_mentions(lines.first, *words)
    end

    def assert_line_mentions(line, *words)
      assert(line.start_with?(PREFIX), "line does not start with '#{PREFIX}': #{line.inspect}")
      words.each do |word|
        options = Array(word).map(&:to_s)
        assert(options.any? { |w| line.downcase.include?(w.downcase) },
               "line does not mention #{options.join(' or ')}: #{line.inspect}")
      end
    end

    # Labels a fully symbolized frame may have besides "label (path:line)".
    CFUNC_LABEL = /\A[A-Z][\w:]*[#.][^ ]+ \[c\]\z/.freeze
    GC_FRAMES = ["(garbage collection)", "(marking)", "(sweeping)"].freeze

    # Every frame of +target+'s stacks is a Ruby frame, a named C method or a GC frame,
    # and the summary counts no frame it could not symbolize.
    def assert_all_symbolized(result, target)
      frames = stacks_of(assert_profiled(result), target).stacks.flat_map(&:frames)
      raw = frames.reject { |f| f.path || CFUNC_LABEL.match?(f.label) || GC_FRAMES.include?(f.label) }
      assert(raw.empty?, "frames neither 'label (path:line)' nor 'Class#m [c]': #{raw.map(&:label).uniq.first(5)}")
      line = result.stderr_lines.grep(/\Arbprof-bpf: frames not symbolized: /).first
      assert(line&.end_with?(": 0"), "summary: #{line.inspect}, expected 0")
    end

    # The stacks of +target+'s process; fails if there are none.
    def stacks_of(profile, target)
      mine = profile.for_pid(target.pid)
      assert(!mine.empty?, "no stacks for pid #{target.pid}; pids seen: #{profile.pids.inspect}")
      mine
    end

    # The process frame must be "COMM [PID]" with the kernel's comm.
    def assert_process_frame(profile, target)
      wrong = profile.stacks.reject { |s| s.comm == target.comm }
      assert(wrong.empty?, "process frame should be #{target.comm.inspect} [#{target.pid}], " \
                           "got #{wrong.first&.raw.to_s[0, 120].inspect}")
    end

    # The summary line "process PID (COMM) ruby VERSION: N samples" must
    # exist and N must be the sum of the output's counts for PID: nothing
    # lost between counting and printing. Returns VERSION.
    def assert_summary_matches(result, target)
      total = stacks_of(result.profile, target).total
      pattern = /\Arbprof-bpf: process #{target.pid} \(#{Regexp.escape(target.comm)}\) ruby (\S+): (\d+) samples\z/
      line = result.stderr_lines.grep(pattern).first
      assert(line, "no summary line matching #{pattern.source}")
      version, count = pattern.match(line).captures
      assert(count.to_i == total, "summary says #{count} samples, output has #{total} for pid #{target.pid}")
      version
    end

    # True if +frame+ is "label (path:line)" with line in +lines+ (Integer or Range).
    def frame_is?(frame, label, path, lines)
      frame.label == label && frame.path == path && lines === frame.line
    end

    # True if +frame+ is +want+: a String is a label alone (a C method), [label, lines] a
    # frame of +target+'s program at those lines, [label, lines, path] one of another file.
    def frame_matches?(frame, want, target)
      return frame.label == want if want.is_a?(String)

      label, lines, path = want
      frame_is?(frame, label, path || target.path, lines)
    end

    # Ends the test as not applicable to the target Ruby (TAP "ok N - name # SKIP reason").
    # Never on the default target, Debian's Ruby: CI runs that one, and every test with it.
    def skip(reason)
      raise Failure, "#{reason}, but every test must run on #{TargetRuby::DEFAULT}" if TargetRuby.default?

      raise Skip, reason
    end

    def percent(part, whole)
      whole.zero? ? 0.0 : 100.0 * part / whole
    end
  end

  # The object each test body runs in.
  class Context
    include Assertions
  end
end
