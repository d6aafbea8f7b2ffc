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

    def self.build(dir)
      at_exit { FileUtils.rm_rf(dir) }
      lib = File.join(dir, LIBRARY)
      exe = File.join(dir, "ruby")
      gcc(%W[-shared -fPIC -Wl,-soname,#{LIBRARY} -o #{lib} #{SOURCES}/libruby.c])
      gcc(%W[-o #{exe} #{SOURCES}/spin.c #{lib} -Wl,-rpath,#{dir}])
      exe
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
  end
end
