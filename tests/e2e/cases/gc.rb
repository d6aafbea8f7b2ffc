# frozen_string_literal: true

# Samples taken while the VM collects garbage end in "(garbage collection)", with the phase
# when the VM says which, under the Ruby stack that triggered the collection.
module E2E
  GC_PHASES = ["(marking)", "(sweeping)"].freeze

  test "gc: GC time is a (garbage collection) frame under the allocating stack" do
    target = Target.ruby("gc.rb")
    result = Profiler.run(["-p", target.pid, "-d", 3, "-F", 499])
    mine = stacks_of(assert_profiled(result), target)
    gc = mine.select { |s| s.labels.include?("(garbage collection)") }
    assert(percent(gc.total, mine.total) >= 2,
           "only #{gc.total} of #{mine.total} samples in GC; top stacks:\n#{mine.top}")
    misplaced = gc.reject do |s|
      i = s.labels.index("(garbage collection)")
      tail = s.labels[(i + 1)..]
      (tail.empty? || (tail.size == 1 && GC_PHASES.include?(tail[0]))) &&
        s.labels[0..i].include?("Object#run")
    end
    assert(misplaced.empty?, "GC frame not a leaf under Object#run: #{misplaced.stacks.first&.raw}")
    phases = gc.select { |s| GC_PHASES.include?(s.labels.last) }
    assert(phases.total.positive?, "no (marking)/(sweeping) phase under any GC sample")
    under_alloc = gc.select { |s| s.labels.include?("Object#churn") }
    assert(under_alloc.total.positive?, "no GC sample under Object#churn (the allocating method)")
  ensure
    target&.stop
  end
end
