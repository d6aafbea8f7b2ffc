# make bench: what rbprof-bpf costs, measured side by side in one run (a benchmark, not a
# test). Prints, for a CPU-bound Ruby workload with a ~50-frame stack:
#   - BPF run time per sample (kernel.bpf_stats_enabled: run_time_ns / run_cnt), for samples
#     that hit the Ruby process and for samples that did not;
#   - the workload's slowdown (CPU and wall time) at 99 Hz and 999 Hz against unprofiled runs,
#     interleaved A B C A B C ... so that drift of the machine hits every configuration alike;
#   - the loader's CPU time and peak RSS (from its own getrusage summary).
require "json"
require "open3"

ROOT = File.expand_path("..", __dir__)
PROFILER = File.join(ROOT, "rbprof-bpf")
WORKLOAD = File.join(ROOT, "scripts", "bench_workload.rb")
ROUNDS = Integer(ENV.fetch("BENCH_ROUNDS", "7"))
# With two CPUs or more, the workload runs alone on the last CPU and the loader on CPU 0, so
# that the scheduler's placement does not add to the run-to-run noise.
LAST_CPU = Integer(`nproc`) - 1
WORKLOAD_CPU = LAST_CPU.positive? ? ["taskset", "-c", LAST_CPU.to_s] : []
LOADER_CPU = LAST_CPU.positive? ? ["taskset", "-c", "0"] : []

abort "make bench loads BPF programs: run it as root" unless Process.uid.zero?

def sysctl_bpf_stats(on)
  File.write("/proc/sys/kernel/bpf_stats_enabled", on ? "1" : "0")
end

# run_time_ns and run_cnt of our program, summed over its loaded instances.
def bpf_prog_stats
  out, = Open3.capture2("bpftool", "-j", "prog", "show")
  progs = JSON.parse(out).select { |p| p["name"] == "rbprof_sample" }
  abort "bench: #{progs.size} rbprof-bpf programs loaded; run the benchmark alone" if progs.size > 1
  [progs.sum { |p| p["run_time_ns"].to_i }, progs.sum { |p| p["run_cnt"].to_i }]
end

def median(xs)
  s = xs.sort
  s.size.odd? ? s[s.size / 2] : (s[s.size / 2 - 1] + s[s.size / 2]) / 2.0
end

# Run the workload once, optionally under rbprof-bpf at `hz`; returns a result hash.
def run_once(hz)
  wl_out, wl_w = IO.pipe
  go_r, go = IO.pipe
  wl = Process.spawn({ "BENCH_WAIT" => "1" }, *WORKLOAD_CPU, "ruby", WORKLOAD, out: wl_w,
                                                                         in: go_r)
  wl_w.close
  go_r.close
  prof = nil
  if hz
    err_r, err_w = IO.pipe
    prof = Process.spawn(*LOADER_CPU, PROFILER, "-v", "-p", wl.to_s, "-F", hz.to_s, out: File::NULL,
                                   err: err_w)
    err_w.close
    stderr_text = +""
    # Attached once it says so; the rest of stderr is read by a thread so it never blocks.
    while (l = err_r.gets)
      stderr_text << l
      break if l.include?("sampling ")
    end
    reader = Thread.new { stderr_text << err_r.read }
  else
    sleep 0.05 # the same pause as a profiled run's hand-over, give or take
  end
  go.puts "go"
  go.close
  line = wl_out.read
  Process.wait(wl)
  r = {}
  if (m = line.match(/wall ([\d.]+) cpu ([\d.]+)/))
    r[:wall] = m[1].to_f
    r[:cpu] = m[2].to_f
  end
  if prof
    Process.kill("INT", prof) rescue nil
    Process.wait(prof)
    reader.join
    summary = stderr_text
    if (m = summary.match(/loader: user ([\d.]+) s, system ([\d.]+) s, peak RSS (\d+) KiB/))
      r[:loader_cpu] = m[1].to_f + m[2].to_f
      r[:loader_rss_kib] = m[3].to_i
    end
    r[:ruby_samples] = summary[/samples in Ruby processes: (\d+)/, 1].to_i
    r[:lost] = summary[/ring buffer full\): (\d+)/, 1].to_i
  end
  r
end

# The sampler's per-CPU counters (bpf/rbprof.h enum rbprof_counter), summed over CPUs.
def bpf_counters
  out, = Open3.capture2("bpftool", "-j", "map", "dump", "name", "counters")
  JSON.parse(out).to_h do |e|
    f = e.fetch("formatted")
    [f["key"], f["values"].sum { |v| v["value"] }]
  end
rescue JSON::ParserError, KeyError
  {}
end

# Run rbprof-bpf -p TARGET at hz for a few seconds and read, while it is attached, the
# program's run time and count and how many of its samples hit the Ruby process.
def bpf_cost(target, hz)
  prof = Process.spawn(PROFILER, "-p", target.to_s, "-F", hz.to_s, "-d", "4", out: File::NULL,
                                 err: File::NULL)
  sleep 3.5
  ns, runs = bpf_prog_stats
  c = bpf_counters
  Process.wait(prof)
  { ns: ns, runs: runs, ruby: c[1].to_i }
end

# Samples outside Ruby: the registered Ruby process sleeps while a shell loop burns a CPU.
def bpf_cost_non_ruby(hz)
  idle = Process.spawn("ruby", "-e", "sleep 30")
  busy = Process.spawn("sh", "-c", "while :; do :; done")
  sleep 0.3
  bpf_cost(idle, hz)
ensure
  [busy, idle].each { |pid| Process.kill("KILL", pid) rescue nil; Process.wait(pid) rescue nil }
end

# Samples in Ruby: the workload runs; the other CPU's samples are outside Ruby and are
# taken out with the cost measured above.
def bpf_cost_ruby(hz)
  wl = Process.spawn({ "BENCH_ITERATIONS" => "1000" }, "ruby", WORKLOAD, out: File::NULL)
  sleep 0.3
  bpf_cost(wl, hz)
ensure
  Process.kill("KILL", wl) rescue nil
  Process.wait(wl) rescue nil
end

sysctl_bpf_stats(true)
begin
  other = bpf_cost_non_ruby(999)
  ruby = bpf_cost_ruby(999)
ensure
  sysctl_bpf_stats(false)
end
other_per = other[:runs].zero? ? 0.0 : other[:ns].to_f / other[:runs]
ruby_per = ruby[:ruby].zero? ? 0.0 :
  (ruby[:ns] - (ruby[:runs] - ruby[:ruby]) * other_per) / ruby[:ruby]

configs = { "unprofiled" => nil, "99 Hz" => 99, "999 Hz" => 999 }
results = Hash.new { |h, k| h[k] = [] }
ROUNDS.times do
  configs.each { |name, hz| results[name] << run_once(hz) }
end

base_cpu = median(results["unprofiled"].map { |r| r[:cpu] })
base_wall = median(results["unprofiled"].map { |r| r[:wall] })
base_cpu_min = results["unprofiled"].map { |r| r[:cpu] }.min
puts "rbprof-bpf benchmark (#{ROUNDS} interleaved rounds; kernel #{`uname -r`.strip}, " \
     "#{`ruby -e 'print RUBY_VERSION'`}, #{`nproc`.strip} CPUs)"
puts
puts "BPF program time per sample (bpf_stats, 999 Hz):"
puts format("  sample in the profiled Ruby process (~50 frames): %7.0f ns  (%d of %d runs)",
            ruby_per, ruby[:ruby], ruby[:runs])
puts format("  sample outside Ruby (other process or idle):        %7.0f ns  (%d runs)",
            other_per, other[:runs])
puts
puts "Workload (#{File.basename(WORKLOAD)}), median [min-max] over #{ROUNDS} runs:"
configs.each_key do |name|
  rs = results[name]
  cpu = rs.map { |r| r[:cpu] }
  wall = rs.map { |r| r[:wall] }
  line = format("  %-10s cpu %.3f s [%.3f-%.3f] %+6.2f%% (min %+6.2f%%)   wall %.3f s %+6.2f%%",
                name, median(cpu), cpu.min, cpu.max, (median(cpu) / base_cpu - 1) * 100,
                (cpu.min / base_cpu_min - 1) * 100, median(wall),
                (median(wall) / base_wall - 1) * 100)
  if rs.first[:loader_cpu]
    line += format("   loader cpu %.3f s, peak RSS %d KiB, samples %d, lost %d",
                   median(rs.map { |r| r[:loader_cpu] }), rs.map { |r| r[:loader_rss_kib] }.max,
                   median(rs.map { |r| r[:ruby_samples] }), rs.sum { |r| r[:lost] })
  end
  puts line
end
base = results["unprofiled"].map { |r| r[:cpu] }
puts format("  (run-to-run spread of the unprofiled runs: %.1f%% of their median: timing " \
            "differences smaller than that are noise)", (base.max - base.min) / base_cpu * 100)
puts
puts "The workload's CPU time spent in the sampler (BPF time per Ruby sample x rate):"
[99, 999].each do |hz|
  puts format("  %4d Hz: %.3f%% of one CPU", hz, ruby_per * hz / 1e9 * 100)
end
