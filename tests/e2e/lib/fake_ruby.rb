# frozen_string_literal: true

require "fileutils"
require "open3"
require "tmpdir"

# Builds (once per suite) a process that looks like Ruby 1.9.3, which the
# profiler does not support: a "ruby" executable linked with a libruby
# exporting ruby_version = "1.9.3", ruby_current_vm_ptr, ruby_current_ec.
module E2E
  module FakeRuby
    SOURCES = File.expand_path("../programs/fake_ruby", __dir__)
    LIBRARY = "libruby-1.9.3.so.1.9"
    VERSION = "1.9.3"

    # Path of the built executable; raises Failure if gcc fails.
    def self.executable
      @executable ||= build(Dir.mktmpdir("rbprof-e2e-fake-ruby"))
    end

    def self.start
      Target.command([executable])
    end

    # A Ruby 3.4.9 stripped of what the profiler needs, with no code to read it from.
    def self.start_stripped
      Target.command([stripped_executable])
    end

    def self.stripped_executable
      @stripped ||= build(Dir.mktmpdir("rbprof-e2e-stripped-ruby"), stripped: true)
    end

    # A process that looks like Ruby 3.1.2 (Debian's, so a whole-host run reads it) and rewrites
    # its VM memory without end (programs/fake_ruby/scribble.c).
    def self.start_scribbler
      @scribbler ||= begin
        dir = Dir.mktmpdir("rbprof-e2e-scribbler")
        at_exit { FileUtils.rm_rf(dir) }
        lib = File.join(dir, "libruby.so.3.1")
        exe = File.join(dir, "ruby")
        gcc(["-DFAKE_VERSION=\"3.1.2\"", "-shared", "-fPIC", "-Wl,-soname,libruby.so.3.1", "-o", lib,
             "#{SOURCES}/libruby.c"])
        gcc(["-o", exe, "#{SOURCES}/scribble.c", lib, "-lpthread", "-Wl,-rpath,#{dir}"])
        exe
      end
      Target.command([@scribbler])
    end

    # The stripped Ruby's libruby as it was before stripping: what a debug file server has.
    def self.stripped_debug_file
      File.join(File.dirname(stripped_executable), "debug", LIBRARY)
    end

    def self.build(dir, stripped: false)
      at_exit { FileUtils.rm_rf(dir) }
      lib = File.join(dir, LIBRARY)
      exe = File.join(dir, "ruby")
      flags = stripped ? %w[-DFAKE_STRIPPED -g] : [] # -g: a debug file server indexes DWARF
      gcc([*flags, "-shared", "-fPIC", "-Wl,-soname,#{LIBRARY}", "-o", lib, "#{SOURCES}/libruby.c"])
      gcc([*flags, "-o", exe, "#{SOURCES}/spin.c", lib, "-Wl,-rpath,#{dir}"])
      if stripped
        FileUtils.mkdir_p(File.join(dir, "debug"))
        FileUtils.cp(lib, File.join(dir, "debug", LIBRARY))
        strip(lib)
      end
      exe
    end

    # As Debian's dh_strip does it: no .symtab left.
    def self.strip(path)
      out, status = Open3.capture2e("strip", "--remove-section=.comment", "--remove-section=.note",
                                    "--strip-unneeded", path)
      raise Failure, "strip #{path} failed:\n#{out}" unless status.success?
    end

    def self.gcc(args)
      out, status = Open3.capture2e("gcc", "-O1", *args)
      raise Failure, "gcc #{args.join(' ')} failed:\n#{out}" unless status.success?
    end
  end

  # A process mapping a stand-in libruby built with -g from the look-alike Ruby structs of
  # tests/unit/fixtures/dwarf_lookalike.h, under a version the layout table does not have:
  # the profiler must take its offsets from its DWARF. Not a working Ruby (no VM, no EC):
  # what is checked is the choice of layout and the notice.
  module DwarfRuby
    FIXTURES = File.expand_path("../../unit/fixtures", __dir__)
    # name => [version, extra -D flags]
    SHAPES = {
      new: ["4.1.0", %w[-DLOOKALIKE_NEW]],                       # no series: DWARF or nothing
      nopath: ["4.0.99", %w[-DLOOKALIKE_NEW -DLOOKALIKE_NO_PATHOBJ]] # incomplete: 4.0 entry
    }.freeze

    def self.start(shape)
      Target.command([host, library(shape)])
    end

    def self.version(shape)
      SHAPES.fetch(shape).first
    end

    def self.dir
      @dir ||= Dir.mktmpdir("rbprof-e2e-dwarf-ruby").tap { |d| at_exit { FileUtils.rm_rf(d) } }
    end

    def self.host
      @host ||= File.join(dir, "dwarf_host").tap do |exe|
        FakeRuby.gcc(%W[-o #{exe} #{FIXTURES}/dwarf_host.c -ldl])
      end
    end

    def self.library(shape)
      version, flags = SHAPES.fetch(shape)
      lib = File.join(dir, "libruby-#{shape}.so")
      return lib if File.exist?(lib)

      FakeRuby.gcc(["-g", "-fPIC", "-shared", "-DLOOKALIKE_VERSION=\"#{version}\"", *flags,
                    "-o", lib, "#{FIXTURES}/dwarf_lookalike.c"])
      lib
    end

    # The :new stand-in with its DWARF stripped (kept in debug_file): only a debug file
    # server can give its layout.
    def self.start_stripped
      Target.command([host, stripped_library])
    end

    def self.stripped_library
      @stripped_library ||= File.join(dir, "libruby-new-stripped.so").tap do |lib|
        FileUtils.mkdir_p(File.dirname(debug_file))
        FileUtils.cp(library(:new), debug_file)
        out, status = Open3.capture2e("strip", "--strip-debug", "-o", lib, library(:new))
        raise Failure, "strip failed:\n#{out}" unless status.success?
      end
    end

    def self.debug_file
      File.join(dir, "debug", "libruby-new.so")
    end
  end
end
