# The loader's per-sample path on recorded events (bench/userspace.c, built by make bench).
require_relative "workloads"

module Userspace
  BIN = File.join(ROOT, ".output", "bench-userspace")
  FIXTURES = [
    ["50-frame method mix", "tests/unit/fixtures/bench-method-mix-3.1.2-debian.fixture.gz"],
    ["1000-frame recursion", "tests/unit/fixtures/bench-recursion-3.1.2-debian.fixture.gz"],
  ].freeze

  # [{ title:, depth:, per_s:, ns:, mb_s:, record: }, ...]
  def self.run(seconds)
    FIXTURES.map do |title, fixture|
      out = IO.popen([BIN, File.join(ROOT, fixture), seconds.to_s], &:read)
      m = out.match(/depth (\d+): (\d+) samples\/s per core, (\d+) ns per sample, (\d+) MB\/s of records, (\d+) distinct stacks, (\d+)-byte records/)
      raise "bench: bench-userspace #{fixture} failed: #{out}" unless $?.success? && m

      { title: title, depth: m[1].to_i, per_s: m[2].to_i, ns: m[3].to_i, mb_s: m[4].to_i,
        stacks: m[5].to_i, record: m[6].to_i }
    end
  end
end
