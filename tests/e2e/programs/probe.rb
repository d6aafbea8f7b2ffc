# Run once by the e2e harness with the target Ruby: the facts that expectations differing
# between Ruby versions depend on, as this Ruby itself reports them, one "key value" a line.
# Written for every supported Ruby (2.7 syntax).

# The line of the first instruction of +method+ (Ruby code) that yields to its block, from
# Ruby's own line table (RubyVM::InstructionSequence#to_a: line numbers, then instructions).
def yield_line(method)
  iseq = RubyVM::InstructionSequence.of(method) or return nil
  line = nil
  iseq.to_a.last.each do |item|
    line = item if item.is_a?(Integer)
    return line if item.is_a?(Array) && item.first == :invokeblock
  end
  nil
end

def loads?(feature)
  require feature
  true
rescue LoadError
  false
end

times = Integer.instance_method(:times)
puts "version #{RUBY_VERSION}"
puts "stackprof #{loads?('stackprof')}"
# A Ruby built without zlib's headers (a musl build, say) has no zlib extension.
puts "zlib #{loads?('zlib')}"
# Integer#times is a C method up to 3.2, Ruby code (in <internal:numeric>) since 3.3.
puts "times_path #{times.source_location&.first}"
puts "times_yield_line #{yield_line(times)}"
