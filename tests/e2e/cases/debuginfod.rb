# frozen_string_literal: true

# A stripped Ruby whose symbols or layout nothing on the host has: the profiler fetches its
# debug file by build id from the debuginfod server DEBUGINFOD_URLS names (a real one, on
# loopback in a network namespace of its own: lib/debuginfod.rb), and keeps it in its cache
# for the next run, which then needs no server.
module E2E
  DEBUGINFOD_TIMEOUT = 40

  test "debuginfod: a stripped Ruby's symbols from the server's debug file; profiled" do
    fake = FakeRuby.start_stripped
    debug = FakeRuby.stripped_debug_file
    Dir.mktmpdir("rbprof-e2e-debuginfod") do |tmp|
      cache = File.join(tmp, "cache")
      wrap = Debuginfod.wrap(File.dirname(debug), cache, Debuginfod.build_id(debug))
      result = Profiler.run(["-p", fake.pid, "-d", 1, "-v"], wrap: wrap, timeout: DEBUGINFOD_TIMEOUT)
      assert_exit(result, 0)
      note = result.stderr_lines.grep(/pid #{fake.pid} .*ruby_current_ec from debuginfod's debug file/)
      assert(note.size == 1, "no note that ruby_current_ec came from debuginfod: #{result.stderr_lines.grep(/#{fake.pid}/)}")
      summary = result.stderr_lines.grep(/process #{fake.pid} \(ruby\) ruby 3\.4\.9/)
      assert(summary.size == 1, "pid #{fake.pid} not profiled: #{result.stderr_lines.grep(/rbprof-bpf: [^l]/)}")
    end
  ensure
    fake&.stop
  end

  test "debuginfod: a stripped Ruby without a table entry gets its layout; cached for the next run" do
    fake = DwarfRuby.start_stripped
    debug = DwarfRuby.debug_file
    Dir.mktmpdir("rbprof-e2e-debuginfod") do |tmp|
      cache = File.join(tmp, "cache")
      id = Debuginfod.build_id(debug)
      first = Profiler.run(["-p", fake.pid, "-d", 1], wrap: Debuginfod.wrap(File.dirname(debug), cache, id),
                                                      timeout: DEBUGINFOD_TIMEOUT)
      assert_exit(first, 0)
      notice = first.stderr_lines.grep(/\Arbprof-bpf: pid #{fake.pid} /)
      assert(notice.size == 1, "expected one notice, got #{first.stderr_lines}")
      assert_line_mentions(notice.first, "Ruby #{DwarfRuby.version(:new)}: offsets from its DWARF in", cache)
      # no server now: the cache answers
      second = Profiler.run(["-p", fake.pid, "-d", 1], wrap: Debuginfod.wrap(nil, cache, id),
                                                       timeout: DEBUGINFOD_TIMEOUT)
      assert_exit(second, 0)
      assert(second.stderr_lines.any? { |l| l.include?("offsets from its DWARF in #{cache}") },
             "the second run did not read the cached debug file: #{second.stderr_lines}")
    end
  ensure
    fake&.stop
  end
end
