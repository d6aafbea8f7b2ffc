# frozen_string_literal: true

require "fileutils"
require "json"
require "tmpdir"

# The real readers of the profiler's other formats, for the format tests: the speedscope app
# in headless Chromium (tests/clients/speedscope_check.js) and `go tool pprof`; each run
# bounded in time, its output parsed.
module E2E
  # programs/hostile.rb: a method per name below, run from under a directory named with
  # '&<'"', for the tests that every format keeps such names whole and valid.
  module Hostile
    NAMES = ["lt<gt>amp&", "quote\"apos'", "back\\slash;semi", "new\nline", "ctl\x01byte",
             "bad\xffutf8".b].freeze
    DIR_NAME = "d&<'\"ir"

    # Starts a copy of hostile.rb under dir/DIR_NAME; returns its Target.
    def self.start(dir)
      copy = File.join(dir, DIR_NAME)
      FileUtils.mkdir_p(copy)
      path = File.join(copy, "hostile.rb")
      FileUtils.cp(File.join(Target::PROGRAMS, "hostile.rb"), path)
      Target.ruby("hostile.rb", path: path, args: NAMES)
    end

    # The methods' labels as the writers must give them: cleaned (Clients.clean).
    def self.labels
      NAMES.map { |n| "Hostile##{Clients.clean(n)}" }
    end
  end

  # One profiler run of `program` (or of hostile.rb's copy) writing -o DIR/file_name, with args
  # (and -F 199), shared by a format's tests: { target:, result:, tids: (THREAD_METHODS' tids,
  # read while it ran), data: the file's bytes }.
  def self.format_once(file_name, program, args, hostile: false)
    Once.new do
      dir = Dir.mktmpdir("rbprof-e2e-format")
      file = File.join(dir, file_name)
      target = hostile ? Hostile.start(dir) : Target.ruby(program)
      tids = THREAD_METHODS.to_h { |m| [m, Context.new.thread_ids(target.pid, m)] }
      result = Profiler.run(["-p", target.pid, "-F", 199, "-o", file, *args])
      { target: target, result: result, tids: tids, data: File.file?(file) ? File.binread(file) : "" }
    ensure
      target&.stop
      FileUtils.rm_rf(dir) if dir
    end
  end

  # format_once of each program (with its extra args) under a name, each sampled 2 s:
  # { name => Once }.
  def self.format_onces(file_name, runs)
    runs.transform_values do |program, *args|
      format_once(file_name, program, ["-d", 2, *args], hostile: program == "hostile.rb")
    end
  end

  class Context
    # once's run, after what every run writing a file must show: exit 0, nothing on stdout.
    def format_run(once)
      run = once.get
      assert_exit(run[:result], 0)
      assert(run[:result].stdout.empty?, "stdout not empty: #{run[:result].stdout[0, 200].inspect}")
      run
    end
  end

  module Clients
    CLIENTS_DIR = File.expand_path("../../clients", __dir__)
    # The driver's own deadline is 60 s; this one catches a node that hangs before it.
    NODE_TIMEOUT = 90
    # go tool pprof reads a profile of a few thousand samples in well under a second; its
    # first run in a fresh GOCACHE builds nothing (the tool ships prebuilt), so 60 s is slack.
    GO_TIMEOUT = 60

    # One sample of `go tool pprof -traces`: its labels, its value, its frames leaf first.
    Trace = Struct.new(:labels, :value, :frames)

    class << self
      # What every writer but folded makes of a name: invalid UTF-8 -> U+FFFD, a control byte
      # -> the text "\xNN" (output/frame_text.h).
      def clean(name)
        name.b.force_encoding(Encoding::UTF_8).scrub("\u{FFFD}")
            .gsub(/[\x00-\x1f\x7f]/) { |c| format("\\x%02x", c.ord) }
      end

      # Runs argv with a time bound; returns [Process::Status, stdout, stderr].
      def run(argv, timeout, env: {})
        Dir.mktmpdir("rbprof-e2e-client") do |dir|
          out = File.join(dir, "out")
          err = File.join(dir, "err")
          child = Child.new(argv, env: env, in: File::NULL, out: out, err: err)
          status = child.wait(timeout)
          child.kill unless status
          raise Failure, "#{argv.join(' ')}: not done in #{timeout} s" unless status

          [status, File.binread(out), File.binread(err)]
        end
      end

      # speedscope_check.js's report on the file at path (names: looked for in the Sandwich
      # table), as a Hash.
      def speedscope(path, *names)
        argv = ["node", File.join(CLIENTS_DIR, "speedscope_check.js"), path, *names]
        status, out, err = run(argv, NODE_TIMEOUT)
        report = JSON.parse(out.lines.last || "{}")
        raise Failure, "speedscope_check.js failed (#{status}): #{report['error'] || err[-2000..] || err}" unless status.success?

        report
      rescue JSON::ParserError
        raise Failure, "speedscope_check.js printed no JSON: #{out[-2000..] || out} #{err[-2000..] || err}"
      end

      # `go tool pprof ARGS PATH`'s stdout (as UTF-8, which Go writes); Go's caches in a
      # temporary HOME, no network.
      def pprof(path, *args)
        Dir.mktmpdir("rbprof-e2e-go") do |home|
          env = { "HOME" => home, "GOCACHE" => File.join(home, "cache"), "GOPATH" => File.join(home, "go"),
                  "GOFLAGS" => "-mod=mod", "GOPROXY" => "off", "GOTOOLCHAIN" => "local" }
          status, out, err = run(["go", "tool", "pprof", *args, path], GO_TIMEOUT, env: env)
          raise Failure, "go tool pprof #{args.join(' ')} failed (#{status}): #{err[-2000..] || err}" unless status.success?

          out.force_encoding(Encoding::UTF_8)
        end
      end

      # `go tool pprof -top` in samples: { function name => flat % }.
      def pprof_flat(path)
        rows = pprof(path, "-top", "-sample_index=samples", "-nodecount=100000").lines
        rows.filter_map do |l|
          m = l.chomp.match(/\A\s*\d+\s+([\d.]+)%\s+[\d.]+%\s+\d+\s+[\d.]+%\s+(.*)\z/)
          [m[2], m[1].to_f] if m
        end.to_h
      end

      # The samples of the pprof at path, as `go tool pprof -top` totals them.
      def pprof_total(path)
        text = pprof(path, "-top", "-sample_index=samples", "-nodecount=1")
        Integer(text[/of (\d+) total/, 1] || raise(Failure, "no total in pprof -top: #{text[0, 500]}"))
      end

      # `go tool pprof -traces` in samples, as Traces.
      def pprof_traces(path, *args)
        text = pprof(path, "-traces", "-sample_index=samples", *args)
        text.split(/^-+\+-+\n/).drop(1).map { |block| parse_trace(block) }
      end

      private

      # "   key:  value" lines, then "  COUNT   leaf", then "           frame" lines.
      def parse_trace(block)
        labels = Hash.new { |h, k| h[k] = [] }
        value = nil
        frames = []
        block.each_line(chomp: true) do |line|
          if value.nil? && (m = line.match(/\A\s*(\w+):\s+(.*)\z/))
            labels[m[1]] << m[2]
          elsif value.nil? && (m = line.match(/\A\s*(\d+)\s+(.*)\z/))
            value = Integer(m[1])
            frames << m[2]
          elsif !line.strip.empty?
            frames << line.strip
          end
        end
        Trace.new(labels, value, frames)
      end
    end
  end
end
