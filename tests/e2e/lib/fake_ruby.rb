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
end
