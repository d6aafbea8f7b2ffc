# frozen_string_literal: true

# Owners captured with the frames, at sample time: a method whose frames live for
# microseconds, always in a slot a sibling just left, has its class in every sample; one
# iseq under two owners (a module_function and its singleton copy) is labelled by the owner
# of each sample's own frame.
module E2E
  OWNERS = profile_once("owners.rb", ["-d", 3, "-F", 999])

  test "owners: microsecond methods sharing a slot have their class in every sample" do
    target, result = OWNERS.get.values_at(:target, :result)
    mine = stacks_of(assert_profiled(result), target)
    frames = mine.stacks.flat_map { |s| s.frames.map { |f| [f, s.count] } }
    want = { target.line_of("LINE:tick") => "Quick.tick", target.line_of("LINE:tock") => "Quick#tock" }
    leaves = frames.select { |f, _| f.path == target.path && want.key?(f.line) }
    wrong = leaves.reject { |f, _| f.label == want[f.line] }
    seen = leaves.sum { |_, n| n }
    assert(seen >= 20, "only #{seen} samples in tick and tock; top:\n#{mine.top}")
    assert(wrong.empty?, "#{wrong.sum { |_, n| n }} of #{seen} samples in tick/tock without their " \
                         "owner: #{wrong.map { |f, _| f.to_s }.uniq.first(4)}")
  end

  test "owners: a module_function's frames follow their own owner, blocks too" do
    target, result = OWNERS.get.values_at(:target, :result)
    mine = stacks_of(assert_profiled(result), target)
    via_module = mine.select { |s| s.frames.any? { |f| f.line == target.line_of("CALL:work") } }
    via_user = mine.select { |s| s.frames.any? { |f| f.line == target.line_of("CALL:go") } }
    { via_module => "Both.work", via_user => "Both#work" }.each do |stacks, label|
      work = stacks.stacks.flat_map(&:frames).select { |f| f.line == target.line_of("LINE:work") }
      assert(!work.empty?, "no samples in work under #{label}; top:\n#{mine.top}")
      labels = work.map(&:label).uniq.sort
      assert(labels - [label, "block in #{label}"] == [],
             "frames of work called as #{label} read #{labels}")
    end
  end
end
