# frozen_string_literal: true

require "tmpdir"
require "fileutils"
require "shellwords"

# --top: the live view in a real terminal (tmux), read back with capture-pane; the plain
# table it prints when stdout is no terminal; and names that would move a terminal's cursor.
module E2E
  # How soon the hot method must show once the view is up, and how long `q` may take.
  TOP_SHOW_WITHIN = 2.0
  TOP_QUIT_WITHIN = 3.0
  TMUX_COLS = 160
  TMUX_ROWS = 30

  class Context
    # Runs argv in a detached tmux session of its own (its own server socket: no other
    # tmux is touched); yields the session; always kills the server.
    def in_tmux(argv, exit_file)
      sock = File.join(Dir.mktmpdir("rbprof-e2e-tmux"), "sock")
      cmd = "#{Shellwords.join(argv)}; echo $? > #{Shellwords.escape(exit_file)}; sleep 30"
      tmux = ["tmux", "-S", sock]
      ok = system(*tmux, "new-session", "-d", "-x", TMUX_COLS.to_s, "-y", TMUX_ROWS.to_s, cmd)
      assert(ok, "tmux new-session failed")
      yield(tmux)
    ensure
      system(*tmux, "kill-server", err: File::NULL) if tmux
      FileUtils.rm_rf(File.dirname(sock)) if sock
    end

    def pane(tmux)
      IO.popen([*tmux, "capture-pane", "-p"], &:read)
    end

    # Polls the pane until the block says yes or +timeout+ passes; the last screen.
    def wait_pane(tmux, timeout)
      deadline = Clock.now + timeout
      loop do
        screen = pane(tmux)
        return [screen, true] if yield(screen)
        return [screen, false] if Clock.now >= deadline

        sleep 0.1
      end
    end

    # --top on +program+ in tmux; yields (tmux, target); then `q` must end it with exit 0.
    def top_in_tmux(program)
      target = Target.ruby(program)
      exit_file = File.join(Dir.mktmpdir("rbprof-e2e-top"), "exit")
      in_tmux([Profiler.binary, "--top", "-p", target.pid.to_s, "-F", "199"], exit_file) do |tmux|
        yield(tmux, target)
        system(*tmux, "send-keys", "q")
        code = wait_file(exit_file, TOP_QUIT_WITHIN)
        assert(code == "0", "after q: exit #{code.inspect} (expected 0 within #{TOP_QUIT_WITHIN} s)")
        # the alternate screen is gone: the shell's screen is back, the summary on it
        after = pane(tmux)
        assert(!after.include?("SELF%"), "the view stayed on the screen after q:\n#{after}")
      end
    ensure
      target&.stop
      FileUtils.rm_rf(File.dirname(exit_file)) if exit_file
    end

    def wait_file(path, timeout)
      deadline = Clock.now + timeout
      sleep 0.05 until File.size?(path) || Clock.now >= deadline
      File.size?(path) ? File.read(path).strip : nil
    end
  end

  test "top: the live view under tmux shows the hot method within 2 s; q quits with exit 0" do
    top_in_tmux("basic.rb") do |tmux, target|
      # the view is up once its title shows; from then on the hot method within 2 s
      _, up = wait_pane(tmux, 10) { |s| s.include?("rbprof-bpf --top") }
      assert(up, "no --top title on the screen:\n#{pane(tmux)}")
      screen, hot = wait_pane(tmux, TOP_SHOW_WITHIN) do |s|
        s.lines.any? { |l| l.include?("Object#burn (#{File.basename(target.path)})") && l.include?("ruby [#{target.pid}]") }
      end
      assert(hot, "Object#burn of pid #{target.pid} not shown within #{TOP_SHOW_WITHIN} s:\n#{screen}")
      row = screen.lines.find { |l| l.include?("Object#burn") }
      self_pct = row.split.first.to_f
      assert(self_pct >= 80, "Object#burn's self share is #{self_pct}%, expected most: #{row}")
      heads = screen.lines.find { |l| l.include?("SELF%") }
      assert(heads && %w[TOTAL% SELF TOTAL PROCESS METHOD].all? { |h| heads.include?(h) },
             "column heads missing: #{heads.inspect}")
    end
  end

  test "top: not a terminal: a plain table a second, no escape sequences; -o still gets the profile" do
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-top")
    out = File.join(dir, "p.folded")
    result = Profiler.run(["--top", "-p", target.pid, "-d", 3, "-F", 199, "-o", out])
    assert_exit(result, 0)
    assert(!result.stdout.include?("\e"), "escape sequences on a pipe: #{result.stdout[0, 200].inspect}")
    tables = result.stdout.split(/^(?=rbprof-bpf --top)/)
    assert(tables.size >= 3, "expected a table a second for 3 s, got #{tables.size}:\n#{result.stdout}")
    last = tables.last
    assert(last.lines.any? { |l| l.include?("Object#burn (#{File.basename(target.path)})") }, "no Object#burn row:\n#{last}")
    profile = Folded.parse(File.read(out))
    assert(stacks_of(profile, target).total.positive?, "-o #{out} holds no stack of pid #{target.pid}")
  ensure
    target&.stop
    FileUtils.rm_rf(dir) if dir
  end

  test "top: a method named with a terminal escape and a newline shows escaped, the screen intact" do
    top_in_tmux("top_names.rb") do |tmux, _target|
      screen, shown = wait_pane(tmux, 10) { |s| s.include?("evil\\x1b[2J\\x0a<&") }
      assert(shown, "the evil method not shown escaped as evil\\x1b[2J\\x0a<&:\n#{screen}")
      assert(screen.include?("rbprof-bpf --top") && screen.include?("SELF%"),
             "the title or heads were wiped (the escape ran?):\n#{screen}")
    end
  end
end
