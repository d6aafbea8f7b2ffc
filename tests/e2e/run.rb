#!/usr/bin/ruby
# frozen_string_literal: true

# End-to-end tests of rbprof-bpf on live Ruby processes. Run as root:
#   ruby tests/e2e/run.rb [path/to/rbprof-bpf]     (default: ./rbprof-bpf)
# The programs run under E2E_RUBY (default /usr/bin/ruby, Debian's). Prints TAP ("ok N -
# name", "not ok N - name", "ok N - name # SKIP why" for a test that does not apply to
# E2E_RUBY) and ends with "e2e: N passed, N failed[, N skipped]"; exits 1 if any test failed.

E2E_DIR = __dir__
REPO_ROOT = File.expand_path("../..", E2E_DIR)

%w[harness child profiler folded target target_ruby assertions fake_ruby debuginfod rails_app receiver sample_clock].each do |lib|
  require File.join(E2E_DIR, "lib", lib)
end

E2E::Profiler.binary = File.expand_path(ARGV[0] || "rbprof-bpf", ARGV[0] ? Dir.pwd : REPO_ROOT)
only = ENV["E2E_ONLY"] # a substring of test names, to run a subset while debugging
# Substrings of test names to leave out, split by "|": the tests of stand-in Rubies when the
# suite runs through RBPROF_SYMBOLS_FROM=code (their stand-ins have no Ruby-shaped code).
exclude = ENV["E2E_EXCLUDE"].to_s.split("|").reject(&:empty?)

Dir[File.join(E2E_DIR, "cases", "*.rb")].sort.each { |file| require file }
E2E::Harness::TESTS.select! { |name, _| name.include?(only) } if only
E2E::Harness::TESTS.reject! { |name, _| exclude.any? { |x| name.include?(x) } }

unless File.executable?(E2E::Profiler.binary)
  warn "e2e: profiler #{E2E::Profiler.binary} not found or not executable; every test will fail"
end
warn "e2e: not running as root; most tests will fail" unless Process.uid.zero?

at_exit { E2E::Child.kill_all }
exit(E2E::Harness.run_all.zero? ? 0 : 1)
