# frozen_string_literal: true

require "fileutils"
require "tempfile"
require "tmpdir"

# make install / make uninstall, the man page rbprof-bpf(8) they install (it renders without
# a warning, has its sections, and documents every long option --help lists), and the
# relative links of README.md and docs/*.md.
module E2E
  INSTALL_TIMEOUT = 60
  MAN_PAGE = File.join(REPO_ROOT, "docs", "rbprof-bpf.8")
  # What make install DESTDIR=D PREFIX=/usr installs, relative to D, and each file's mode.
  INSTALLED = { "usr/sbin/rbprof-bpf" => 0o755, "usr/share/man/man8/rbprof-bpf.8" => 0o644 }.freeze
  MAN_SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "OUTPUT", "EXIT STATUS",
                  "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"].freeze

  class Context
    # Runs +argv+ (from the repository root, stdin closed), bounded by +timeout+; returns
    # [Process::Status, stdout and stderr together], or with stderr_only: stderr alone.
    def command(argv, env: {}, timeout: INSTALL_TIMEOUT, stderr_only: false)
      out = Tempfile.create("rbprof-e2e-cmd")
      io = stderr_only ? { out: File::NULL, err: out.path } : { out: out.path, err: [:child, :out] }
      child = Child.new(argv, env: env, in: File::NULL, chdir: REPO_ROOT, **io)
      status = child.wait(timeout)
      child.kill unless status
      assert(status, "#{argv.join(' ')}: still running after #{timeout} s")
      [status, File.read(out.path)]
    ensure
      out&.close
      File.unlink(out.path) if out && File.exist?(out.path)
    end

    # make TARGET DESTDIR=+dest+ PREFIX=/usr; the binary is used as built (-o: never
    # rebuilt here, so that the suite's later tests run what they were started with).
    def make_install(target, dest)
      status, out = command(["make", "--no-print-directory", "-o", "rbprof-bpf", target,
                             "DESTDIR=#{dest}", "PREFIX=/usr"])
      assert(status.success?, "make #{target} failed (#{status}):\n#{out}")
      out
    end

    # Every file under +dir+, relative to it.
    def files_under(dir)
      Dir.glob("**/*", File::FNM_DOTMATCH, base: dir).reject { |f| File.directory?(File.join(dir, f)) }.sort
    end

    # The page as man renders it at 80 columns, formatting stripped, hyphens plain.
    def man_text(page)
      status, out = command(["man", "-l", page], env: { "MANWIDTH" => "80", "MANPAGER" => "cat",
                                                        "PAGER" => "cat", "LC_ALL" => "C.UTF-8" })
      assert(status.success?, "man -l #{page} failed (#{status}):\n#{out}")
      out.gsub(/.\x08/, "").tr("\u2010\u2011\u2212", "---")
    end

    # The long options --help lists ("  -d, --duration=SECS", "      --top").
    def help_long_options
      status, out = command([Profiler.binary, "--help"])
      assert(status.success?, "--help failed (#{status}):\n#{out}")
      out.lines.grep(/\A\s+-/).flat_map { |l| l.scan(/(?<![\w-])--([a-z][a-z0-9-]*)/).flatten }.uniq
    end
  end

  test "install: make install DESTDIR=D PREFIX=/usr puts the binary (0755) and the man page (0644)" do
    dest = Dir.mktmpdir("rbprof-e2e-install")
    make_install("install", dest)
    assert(files_under(dest) == INSTALLED.keys.sort,
           "installed #{files_under(dest).inspect}, expected #{INSTALLED.keys.sort.inspect}")
    INSTALLED.each do |path, mode|
      got = File.stat(File.join(dest, path)).mode & 0o7777
      assert(got == mode, "#{path}: mode #{format('%04o', got)}, expected #{format('%04o', mode)}")
    end
    assert(FileUtils.compare_file(File.join(dest, "usr/sbin/rbprof-bpf"), File.join(REPO_ROOT, "rbprof-bpf")),
           "the installed binary is not ./rbprof-bpf")
    assert(FileUtils.compare_file(File.join(dest, "usr/share/man/man8/rbprof-bpf.8"), MAN_PAGE),
           "the installed man page is not docs/rbprof-bpf.8")
  ensure
    FileUtils.rm_rf(dest) if dest
  end

  test "install: make uninstall with the same DESTDIR and PREFIX removes both files" do
    dest = Dir.mktmpdir("rbprof-e2e-install")
    make_install("install", dest)
    other = File.join(dest, "usr/sbin/other-tool") # not ours: left alone
    File.write(other, "")
    make_install("uninstall", dest)
    left = files_under(dest)
    assert(left == ["usr/sbin/other-tool"], "left after make uninstall: #{left.inspect}")
  ensure
    FileUtils.rm_rf(dest) if dest
  end

  test "install: the man page renders without a warning (man --warnings, groff -ww)" do
    [["man", "--warnings", "-l", MAN_PAGE], ["groff", "-man", "-ww", "-z", MAN_PAGE]].each do |argv|
      status, err = command(argv, env: { "MANWIDTH" => "80", "MANPAGER" => "cat", "PAGER" => "cat" },
                                  stderr_only: true)
      assert(status.success? && err.empty?, "#{argv.join(' ')}: #{status}\n#{err}")
    end
  end

  test "install: the man page has NAME, SYNOPSIS, OPTIONS, ... and names rbprof-bpf(8)" do
    text = man_text(MAN_PAGE)
    headings = text.lines.map(&:chomp).grep(/\A[A-Z][A-Z ]*\z/)
    missing = MAN_SECTIONS - headings
    assert(missing.empty?, "sections missing: #{missing.inspect} (found #{headings.inspect})")
    assert(text.lines.first.to_s.start_with?("RBPROF-BPF(8)"), "header: #{text.lines.first.inspect}")
    name = text[/^NAME\n\s+(.*)$/, 1].to_s
    assert(name.start_with?("rbprof-bpf - "), "NAME line: #{name.inspect}")
  end

  test "install: every long option --help lists is in the man page" do
    options = help_long_options
    assert(options.include?("duration") && options.include?("help"), "options parsed from --help: #{options}")
    text = man_text(MAN_PAGE)
    undocumented = options.reject { |o| text.match?(/(?<![\w-])--#{Regexp.escape(o)}(?![\w-])/) }
    assert(undocumented.empty?, "in --help but not in docs/rbprof-bpf.8: #{undocumented.map { |o| "--#{o}" }}")
  end

  test "install: every relative link in README.md and docs/*.md names a file of the repository" do
    docs = ["README.md", *Dir.glob("docs/**/*.md", base: REPO_ROOT).sort]
    broken = docs.flat_map { |doc| broken_links(doc) }
    assert(broken.empty?, "broken links:\n#{broken.join("\n")}")
  end

  class Context
    # The relative links of the markdown file +doc+ (repository-relative) that point to
    # nothing: a missing file, or a missing heading for "#anchor" into a markdown file.
    def broken_links(doc)
      text = File.read(File.join(REPO_ROOT, doc))
      prose = text.gsub(/^(```|~~~).*?^\1[^\n]*$/m, "").gsub(/`[^`\n]*`/, "")
      targets = prose.scan(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/).flatten +
                prose.scan(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/).flatten
      targets.reject { |t| t.match?(%r{\A[a-z][a-z0-9+.-]*:}i) }.filter_map do |target|
        path, anchor = target.split("#", 2)
        file = path.empty? ? doc : File.join(File.dirname(doc), path)
        file = File.expand_path(file, REPO_ROOT).delete_prefix("#{REPO_ROOT}/")
        why = link_problem(file, anchor)
        "#{doc}: (#{target}): #{why}" if why
      end
    end

    def link_problem(file, anchor)
      full = File.join(REPO_ROOT, file)
      return "no such file #{file}" unless File.exist?(full)
      return nil unless anchor && file.end_with?(".md")
      return nil if markdown_anchors(File.read(full)).include?(anchor)

      "no heading for ##{anchor} in #{file}"
    end

    # GitHub's anchors of a markdown file's headings: lower case, punctuation but "-" and
    # "_" dropped, spaces as "-"; a repeated one gets "-1", "-2", ...
    def markdown_anchors(text)
      seen = Hash.new(0)
      text.gsub(/^(```|~~~).*?^\1[^\n]*$/m, "").scan(/^\#{1,6}\s+(.+?)\s*#*\s*$/).flatten.map do |heading|
        slug = heading.gsub(/`/, "").downcase.gsub(/[^\p{Word}\- ]/, "").tr(" ", "-")
        n = seen[slug]
        seen[slug] += 1
        n.zero? ? slug : "#{slug}-#{n}"
      end
    end
  end
end
