# frozen_string_literal: true

# Stripped builds: where a Ruby 3.3+ keeps its VM is in no symbol table a distribution ships,
# so the profiler reads it from the code of exported functions and checks it against the
# live process. Debian's 3.1 has the symbols; RBPROF_SYMBOLS_FROM=code makes the profiler
# read its code all the same. And a Ruby that cannot be profiled is never left out silently.
module E2E
  CODE_PATH = %w[env RBPROF_SYMBOLS_FROM=code].freeze
  STRIPPED_MIN_SHARE_PERCENT = 80

  test "stripped: ruby_current_ec found in rb_errinfo's code, checked live; whole stacks" do
    if Gem::Version.new(TargetRuby.version) < Gem::Version.new("3.0")
      skip "Ruby #{TargetRuby.version} has no thread-local ruby_current_ec (a global EC)"
    end
    target = Target.ruby("basic.rb")
    result = Profiler.run(["-p", target.pid, "-d", 2, "-v"], wrap: CODE_PATH)
    notes = result.stderr_lines.grep(/pid #{target.pid} .*ruby_current_ec from the code of rb_errinfo/)
    assert(notes.size == 1, "no note of where ruby_current_ec came from: #{result.stderr_lines}")
    assert_exit(result, 0) # -v: libbpf's lines too, so not assert_profiled
    mine = stacks_of(result.profile, target)
    burn = mine.select { |s| s.labels == %w[<main> Object#run Object#burn] }
    share = percent(burn.total, mine.total)
    assert(share >= STRIPPED_MIN_SHARE_PERCENT,
           "only #{share.round(1)}% of #{mine.total} samples in <main>;run;burn; top:\n#{mine.top}")
  ensure
    target&.stop
  end

  test "never silent: a Ruby that cannot be profiled is named with -p (exit 1, why)" do
    fake = FakeRuby.start_stripped
    result = Profiler.run(["-p", fake.pid, "-d", 1], timeout: ERROR_TIMEOUT)
    assert_error(result, RUNTIME_ERROR, "cannot profile", "ruby_current_ec", "rb_errinfo")
  ensure
    fake&.stop
  end

  test "never silent: whole host names it once, counts it, profiles the rest" do
    fake = FakeRuby.start_stripped
    # 2 s: a process under a second old that fails is looked at again before it is named
    result, = whole_host_beside(fake, /pid #{fake.pid} .*cannot profile/, 2)
    count = result.stderr_lines.grep(/Ruby processes not profiled/).first.to_s[/(\d+)\z/, 1].to_i
    assert(count >= 1, "summary does not count it: #{result.stderr_lines.grep(/not profiled/)}")
  ensure
    fake&.stop
  end
end
