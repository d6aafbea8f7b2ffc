# frozen_string_literal: true

require "fileutils"
require "tmpdir"

# A program whose path contains ';' and '\': both must be escaped so the
# line still has one ';' per frame boundary.
module E2E
  ESCAPING = Once.new do
    dir = File.join(Dir.mktmpdir("rbprof-e2e-esc"), "x;y\\z")
    FileUtils.mkdir_p(dir)
    path = File.join(dir, "prog.rb")
    FileUtils.cp(File.join(Target::PROGRAMS, "basic.rb"), path)
    target = Target.ruby("basic.rb", path: path)
    result = Profiler.run(["-p", target.pid, "-d", 1, "-F", 199])
    { target: target, result: result }
  ensure
    target&.stop
    FileUtils.rm_rf(File.dirname(dir)) if dir
  end

  class Context
    # The raw output line prefix expected for <main> -> run -> burn.
    def escaped_basic_prefix(target)
      path = Folded.escape(target.path)
      "#{target.comm} [#{target.pid}];<main> (#{path}:#{target.line_of('CALL:run')});" \
        "Object#run (#{path}:#{target.line_of('CALL:burn')});Object#burn (#{path}:"
    end
  end

  test "escaping: ';' in a path is \\x3b, one ';' per frame boundary" do
    target, result = ESCAPING.get.values_at(:target, :result)
    lines = result.stdout.lines.map(&:chomp)
    assert_profiled(result)
    full = lines.select { |l| l.include?("Object#burn (") && l.start_with?("#{target.comm} [#{target.pid}];") }
    assert(!full.empty?, "no line with the burn frame for pid #{target.pid}")
    assert(full.all? { |l| l.count(";") == 3 }, "a <main>;run;burn line has not 3 ';': #{full.find { |l| l.count(';') != 3 }}")
    assert(full.all? { |l| l.include?("x\\x3by") }, "path not escaped as x\\x3by: #{full.first}")
  end

  test "escaping: full line with escaped path (';' -> \\x3b, '\\' -> \\\\)" do
    target, result = ESCAPING.get.values_at(:target, :result)
    prefix = escaped_basic_prefix(target)
    lines = result.stdout.lines.map(&:chomp)
    assert(lines.any? { |l| l.start_with?(prefix) }, "no line starts with #{prefix.inspect}")
    paths = stacks_of(result.profile, target).stacks.flat_map { |s| s.frames.map(&:path) }.compact.uniq
    assert(paths == [target.path], "unescaped paths #{paths.inspect}, expected [#{target.path.inspect}]")
  end
end
