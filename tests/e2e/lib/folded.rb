# frozen_string_literal: true

# Parses the profiler's folded output:
#   COMM [PID];label (path:line);...;label (path:line) COUNT
module E2E
  # One Ruby frame. For "[cfunc]", "(truncated)" or anything not shaped like
  # "label (path:line)", path and line are nil and label is the raw text.
  Frame = Struct.new(:label, :path, :line) do
    def to_s
      path ? "#{label} (#{path}:#{line})" : label
    end
  end

  # One output line: the process, its Ruby frames (root first), the count; for a process in a
  # container its short id and the pid its namespace gives it ("... (container ID, pid N)").
  Stack = Struct.new(:raw, :comm, :pid, :frames, :count, :container, :ns_pid) do
    def labels
      frames.map(&:label)
    end

    def leaf
      frames.last
    end
  end

  # All stacks of one run, with lookups used by the tests.
  class Profile
    attr_reader :stacks

    def initialize(stacks)
      @stacks = stacks
    end

    def for_pid(pid)
      Profile.new(@stacks.select { |s| s.pid == pid })
    end

    def select(&pred)
      Profile.new(@stacks.select(&pred))
    end

    def reject(&pred)
      Profile.new(@stacks.reject(&pred))
    end

    def total
      @stacks.sum(&:count)
    end

    def empty?
      @stacks.empty?
    end

    def pids
      @stacks.map(&:pid).uniq
    end

    # The stacks with most samples first, as text for a diagnostic.
    def top(n = 5)
      @stacks.max_by(n, &:count).map { |s| "#{s.count}: #{s.raw[0, 300]}" }.join("\n")
    end
  end

  module Folded
    LINE = /\A(.+) (\d+)\z/.freeze
    PROCESS_FRAME = /\A(.*) \[(\d+)\](?: \((?:container (\h{12}))?(?:, )?(?:pid (\d+))?\))?\z/.freeze
    RUBY_FRAME = /\A(.*) \((.*):(\d+)\)\z/.freeze
    ESCAPE = /\\x(\h\h)|\\\\/.freeze

    # Raises Failure on the first malformed line.
    def self.parse(text)
      stacks = text.lines.map.with_index(1) { |l, n| parse_line(l.chomp, n) }
      Profile.new(stacks)
    end

    def self.parse_line(line, number)
      m = LINE.match(line) or raise Failure, "output line #{number} malformed: #{line.dump}"
      process, *frames = m[1].split(";", -1)
      p = PROCESS_FRAME.match(process) or
        raise Failure, "output line #{number}: bad process frame #{process.dump}"
      Stack.new(line, unescape(p[1]), p[2].to_i, frames.map { |f| parse_frame(f) }, m[2].to_i, p[3], p[4]&.to_i)
    end

    def self.parse_frame(text)
      m = RUBY_FRAME.match(text)
      return Frame.new(unescape(text), nil, nil) unless m

      Frame.new(unescape(m[1]), unescape(m[2]), m[3].to_i)
    end

    def self.unescape(text)
      text.gsub(ESCAPE) { Regexp.last_match(1) ? Regexp.last_match(1).hex.chr : "\\" }
    end

    # The profiler's escaping: backslash, ';' and bytes < 0x20 become escapes.
    def self.escape(text)
      text.b.gsub(/[\\;\x00-\x1f]/n) { |c| c == "\\" ? "\\\\" : format("\\x%02x", c.ord) }
    end
  end
end
