# frozen_string_literal: true

# define_method methods show the name they were defined under (separators escaped, never
# splitting the line), and time inside a C extension keeps the Ruby stack that called it.
module E2E
  DYNAMIC = profile_once("dynamic.rb", ["-d", 3, "-F", 199])

  test "define_method: named as defined, nested block under it, odd name escaped" do
    target, result = DYNAMIC.get.values_at(:target, :result)
    mine = stacks_of(assert_profiled(result), target)
    chain = [["Maker#odd;name\nhere", target.line_of("CALL:odd")],
             ["Maker#built", target.line_of("CALL:built-times")], TargetRuby.times_frame,
             ["block in Maker#built", target.line_of("CALL:built-times")]]
    assert(consecutive?(mine, target, chain), "no stack with #{chain.inspect}; top:\n#{mine.top}")
    raw = result.stdout.lines.grep(/Maker#odd/)
    assert(raw.all? { |l| l.include?("Maker#odd\\x3bname\\x0ahere (") },
           "odd method name not escaped as odd\\x3bname\\x0ahere: #{raw.first.inspect}")
  end

  test "C extension: samples inside zlib keep the Ruby stack that called it" do
    skip "no zlib extension in Ruby #{TargetRuby.version}" unless TargetRuby.zlib?
    target, result = DYNAMIC.get.values_at(:target, :result)
    mine = stacks_of(assert_profiled(result), target)
    chain = [["<main>", target.line_of("CALL:compress")],
             ["Maker#compress", target.line_of("CALL:deflate")], "Zlib::Deflate.deflate [c]"]
    inside = mine.select { |s| s.labels.last == "Zlib::Deflate.deflate [c]" }
    assert(percent(inside.total, mine.total) >= 20,
           "only #{inside.total} of #{mine.total} samples in Zlib::Deflate.deflate; top:\n#{mine.top}")
    assert(consecutive?(inside, target, chain), "deflate not under #{chain.inspect}; top:\n#{inside.top}")
  end
end
