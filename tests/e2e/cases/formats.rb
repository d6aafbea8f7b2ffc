# frozen_string_literal: true

require "tmpdir"
require "fileutils"
require "zlib"

# -f FORMAT and the format -o FILE's extension picks: each output starts as its format does
# (what the format tests read back in their real clients); -f wins over the extension; an
# unknown -f is a usage error that lists the formats.
module E2E
  FORMAT_MAGIC = {
    "svg" => ->(b) { b.start_with?("<?xml") && b.include?("<svg") },
    "speedscope" => ->(b) { b.start_with?("{") && b.include?("speedscope.app/file-format-schema.json") },
    "pprof" => ->(b) { b.start_with?("\x1f\x8b".b) },
    "folded" => ->(b) { b.start_with?("ruby [") },
  }.freeze

  FORMATS_BY_EXTENSION = Once.new do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-formats")
    names = %w[p.svg p.json p.pb.gz p.pprof p.folded p.txt p]
    # one profiler per file, all at once: the same 2 s of the same process
    runs = names.map { |n| Profiler.start(["-p", target.pid, "-d", 2, "-F", 199, "-q", "-o", File.join(dir, n)]) }
    results = runs.map { |r| r.finish(2 + Profiler::SLACK) }
    { dir: dir, names: names, results: results, target: target }
  ensure
    target&.stop
  end

  test "formats: -o's extension picks the format (.svg, .json, .pb.gz, .pprof; else folded)" do
    run = FORMATS_BY_EXTENSION.get
    want = { "p.svg" => "svg", "p.json" => "speedscope", "p.pb.gz" => "pprof", "p.pprof" => "pprof",
             "p.folded" => "folded", "p.txt" => "folded", "p" => "folded" }
    run[:names].zip(run[:results]).each do |name, result|
      assert_exit(result, 0)
      body = File.binread(File.join(run[:dir], name))
      assert(FORMAT_MAGIC[want[name]].call(body), "-o #{name}: not #{want[name]}: #{body[0, 80].inspect}")
    end
    gz = Zlib::GzipReader.new(File.open(File.join(run[:dir], "p.pb.gz"))).read
    assert(gz.bytesize.positive?, "p.pb.gz does not inflate")
  ensure
    FileUtils.rm_rf(run[:dir]) if run
  end

  test "formats: -f wins over the extension, and writes to stdout without -o" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-formats")
    file = File.join(dir, "p.svg")
    result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-f", "folded", "-o", file])
    assert_exit(result, 0)
    assert(FORMAT_MAGIC["folded"].call(File.binread(file)), "-f folded -o p.svg is not folded")
    %w[svg speedscope pprof].each do |format|
      result = Profiler.run(["-p", target.pid, "-d", 1, "-q", "-f", format])
      assert_exit(result, 0)
      assert(FORMAT_MAGIC[format].call(result.stdout), "-f #{format} on stdout: #{result.stdout[0, 80].inspect}")
    end
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
  end

  test "formats: an unknown -f is a usage error (exit 2) that lists the formats" do
    result = Profiler.run(["-f", "flamegraph", "-d", 1], timeout: 5)
    assert_error(result, 2, "flamegraph", "folded", "svg", "speedscope", "pprof")
  end
end
