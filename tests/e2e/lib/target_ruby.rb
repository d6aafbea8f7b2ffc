# frozen_string_literal: true

require "open3"

# The Ruby that runs the target programs (E2E_RUBY, default Debian's): what the tests expect
# where Ruby versions differ comes from what that Ruby reports of itself (programs/probe.rb),
# asked once, not from tables of versions.
module E2E
  module TargetRuby
    DEFAULT = "/usr/bin/ruby" # Debian's Ruby 3.1, the one CI has
    PROBE = File.expand_path("../programs/probe.rb", __dir__)

    class << self
      # True when the target is Debian's Ruby: CI's, on which every test must run.
      def default?
        File.realpath(Target::RUBY) == File.realpath(DEFAULT)
      rescue SystemCallError
        false
      end

      def version
        facts.fetch("version")
      end

      # Can the in-process profiler of the accuracy test be loaded?
      def stackprof?
        facts["stackprof"] == "true"
      end

      # Was this Ruby built with its zlib extension?
      def zlib?
        facts["zlib"] == "true"
      end

      # Does `ruby --yjit` run YJIT (3.1+ built with it)?
      def yjit?
        return @yjit unless @yjit.nil?

        out, = Open3.capture2e(Target::RUBY, "--yjit", "-e", "print RubyVM::YJIT.enabled?")
        @yjit = out == "true"
      end

      # The frame Integer#times makes while it yields, as an expected frame of
      # Assertions#frame_matches?: a C method up to 3.2, Ruby code since 3.3 (at its yield).
      def times_frame
        path = facts["times_path"].to_s
        return "Integer#times [c]" if path.empty?

        ["Integer#times", Integer(facts.fetch("times_yield_line")), path]
      end

      private

      def facts
        @facts ||= begin
          out, err, status = Open3.capture3(Target::RUBY, PROBE)
          raise Failure, "#{Target::RUBY} #{PROBE} failed (#{status}): #{err}" unless status.success?

          out.lines.to_h { |l| l.chomp.split(" ", 2) }
        end
      end
    end
  end
end
