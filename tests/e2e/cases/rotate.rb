# frozen_string_literal: true

require "fileutils"
require "time"
require "tmpdir"

# -o DIR --rotate SECS: a complete profile file per interval, named by its start time.
module E2E
  ROTATE_SECONDS = 2
  ROTATE_RUN = 5

  test "rotate: -o DIR --rotate #{ROTATE_SECONDS} -d #{ROTATE_RUN} writes 3 complete files named by their start" do
    target = Target.ruby("ratio.rb")
    dir = Dir.mktmpdir("rbprof-e2e-rotate")
    out = File.join(dir, "profiles") # made by the profiler
    started = Time.now.utc
    result = Profiler.run(["-p", target.pid, "-F", 199, "-d", ROTATE_RUN, "-o", out, "--rotate", ROTATE_SECONDS],
                          wrap: ["env", "SUDO_UID=65534", "SUDO_GID=65533"])
    assert_exit(result, 0)
    assert(result.stdout.empty?, "stdout: #{result.stdout[0, 200].inspect}")
    files = Dir.children(out).sort
    assert(files.size == 3, "files: #{files}")
    assert(files.all? { |f| f.match?(/\Arbprof-\d{8}T\d{6}Z\.folded\z/) }, "names: #{files}")
    stamps = files.map { |f| Time.strptime(f[/\d{8}T\d{6}Z/], "%Y%m%dT%H%M%S%z").to_i }
    assert((stamps[0] - started.to_i).between?(-1, 3), "the first starts at #{stamps[0]}, the run at #{started.to_i}")
    assert(stamps.each_cons(2).all? { |a, b| b - a == ROTATE_SECONDS }, "starts #{stamps}: not #{ROTATE_SECONDS} s apart")
    counts = files.map do |f|
      path = File.join(out, f)
      assert(File.stat(path).uid == 65_534, "#{f} is not the sudo user's")
      mine = stacks_of(Folded.parse(File.binread(path)), target)
      mine.select { |s| s.labels.include?("Object#heavy") || s.labels.include?("Object#light") }.total
    end
    assert(counts[0..1].all? { |c| c >= ROTATE_SECONDS * 199 * 0.6 }, "samples per file: #{counts}")
    assert(counts[2].positive?, "the last, shorter interval is empty: #{counts}")
    assert(File.stat(out).uid == 65_534, "the directory is not the sudo user's")
    assert_line_mentions(result.stderr_lines.grep(/intervals written/).first.to_s, "3")
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
  end

  test "rotate: --rotate needs -o DIR, and -o a file is refused (exit 2)" do
    result = Profiler.run(["-d", 1, "--rotate", 2], timeout: 10)
    assert_error(result, 2, "-o")
    Dir.mktmpdir("rbprof-e2e-rotate") do |dir|
      file = File.join(dir, "f")
      File.write(file, "")
      result = Profiler.run(["-d", 1, "--rotate", 2, "-o", file], timeout: 10)
      assert_error(result, 2, file)
      # DIR a link another user planted: refused (exit 1), nothing written where it points
      elsewhere = File.join(dir, "elsewhere")
      Dir.mkdir(elsewhere)
      File.chmod(01777, dir)
      link = File.join(dir, "profiles")
      File.symlink(elsewhere, link)
      File.lchown(65_534, 65_534, link)
      result = Profiler.run(["-d", 1, "--rotate", 1, "-o", link], timeout: 10)
      assert_error(result, 1, link, "symbolic link")
      assert(Dir.empty?(elsewhere), "files written through the planted link: #{Dir.children(elsewhere)}")
    end
  end

  test "rotate: Ctrl-C (SIGINT) writes the interval under way as a complete file" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-rotate")
    run = Profiler.start(["-p", target.pid, "-o", dir, "--rotate", 60, "-f", "svg"])
    run.wait_attached
    sleep 1.5
    run.signal("INT")
    result = run.finish(Profiler::SLACK)
    assert_exit(result, 0)
    files = Dir.children(dir)
    assert(files.size == 1 && files[0].end_with?(".svg"), "files: #{files}")
    svg = File.read(File.join(dir, files[0]))
    assert(svg.include?("Object#burn") && svg.rstrip.end_with?("</svg>"), "an incomplete SVG")
  ensure
    target&.stop
    run&.stop
    FileUtils.rm_rf(dir) if dir
  end
end
