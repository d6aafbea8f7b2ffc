# Loaded with -r into every benchmark workload. With BENCH_STACKPROF_HZ set, it runs stackprof
# (Debian's ruby-stackprof) in the process the way a user would: :cpu mode, sampling every
# 1e6/HZ microseconds of CPU time, from start to exit. At exit it prints the number of samples
# it took on stderr ("stackprof samples N"); the profile itself is built (StackProf.results)
# but not written, as writing it happens after the timed work anyway.
hz = ENV["BENCH_STACKPROF_HZ"]
if hz
  require "stackprof"
  StackProf.start(mode: :cpu, interval: (1_000_000 / Float(hz)).round)
  at_exit do
    StackProf.stop
    results = StackProf.results
    $stderr.puts "stackprof samples #{results[:samples]}"
  end
end
