# Small statistics for the benchmark: medians, ranges and ratios of repeated measurements.
module BenchStats
  module_function

  def median(xs)
    s = xs.compact.sort
    return nil if s.empty?

    s.size.odd? ? s[s.size / 2] : (s[s.size / 2 - 1] + s[s.size / 2]) / 2.0
  end

  # "1.234 [1.200-1.300]" with `digits` decimals.
  def med_range(xs, digits = 3)
    xs = xs.compact
    return "-" if xs.empty?

    format("%.#{digits}f [%.#{digits}f-%.#{digits}f]", median(xs), xs.min, xs.max)
  end

  # Per-round ratios to the baseline of the same round, as percent changes.
  def paired_change(values, baseline)
    values.zip(baseline).filter_map { |v, b| v && b && b.positive? ? (v / b - 1) * 100 : nil }
  end

  # "+1.2% [-0.5..+3.1]"
  def pct_range(changes)
    return "-" if changes.empty?

    format("%+.1f%% [%+.1f..%+.1f]", median(changes), changes.min, changes.max)
  end
end
