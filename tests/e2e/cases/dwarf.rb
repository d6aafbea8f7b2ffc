# frozen_string_literal: true

# A Ruby whose version has no table entry gets its offsets from its DWARF, with one notice;
# DWARF lacking a member the profiler needs falls back to the series' entry, saying which.
# The processes are stand-ins (lib/fake_ruby.rb, DwarfRuby): real -g Rubies are checked
# in development (docs/ruby-versions.md).
module E2E
  test "DWARF: an unknown version (4.1.0) is read from its DWARF, one notice" do
    notice = dwarf_notice(:new)
    assert_line_mentions(notice, "Ruby #{DwarfRuby.version(:new)}: offsets from its DWARF",
                         "ID_ENTRY_UNIT", "4.0 layout")
  end

  test "DWARF: incomplete DWARF falls back to the series' layout and names what is missing" do
    notice = dwarf_notice(:nopath)
    assert_line_mentions(notice, DwarfRuby.version(:nopath), "using the 4.0 layout",
                         "location.pathobj")
  end

  class Context
    # Profile a DwarfRuby of +shape+ for a second: exit 0 and one notice for it, returned.
    def dwarf_notice(shape)
      fake = DwarfRuby.start(shape)
      result = Profiler.run(["-p", fake.pid, "-d", 1], timeout: ERROR_TIMEOUT)
      assert_exit(result, 0)
      notices = result.stderr_lines.grep(/\Arbprof-bpf: pid #{fake.pid} /)
      assert(notices.size == 1, "expected one notice for pid #{fake.pid}, got #{notices}")
      notices.first
    ensure
      fake&.stop
    end
  end
end
