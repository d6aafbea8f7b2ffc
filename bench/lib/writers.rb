# Each writer on a large made-up profile (bench/writers.c, built by make bench): its time and
# the memory it takes, against the size of the folded output of the same profile.
module Writers
  BIN = File.join(ROOT, ".output", "bench-writers")
  # [title, distinct stacks, depths]: the issue's 100,000 distinct stacks, and deep ones.
  PROFILES = [
    ["100,000 distinct stacks, 10-90 frames", 100_000, 10, 90],
    ["10,000 distinct stacks, 1000 frames", 10_000, 1000, 1000],
  ].freeze
  LINE = /^(\w+): (\d+) bytes, ([\d.]+) s, (-?\d+) KiB peak growth, (\d+) stacks, (\d+) frames$/.freeze

  # [{ title:, stacks:, frames:, formats: { "svg" => { bytes:, s:, kib: }, ... } }, ...]
  def self.run(log:)
    PROFILES.map do |title, stacks, lo, hi|
      log.call("  #{title}")
      out = IO.popen([BIN, stacks.to_s, lo.to_s, hi.to_s], &:read)
      raise "bench: bench-writers #{stacks} failed: #{out}" unless $?.success?

      rows = out.lines.filter_map { |l| LINE.match(l.chomp) }
      { title: title, stacks: rows.first[5].to_i, frames: rows.first[6].to_i,
        formats: rows.to_h { |m| [m[1], { bytes: m[2].to_i, s: m[3].to_f, kib: m[4].to_i }] } }
    end
  end
end
