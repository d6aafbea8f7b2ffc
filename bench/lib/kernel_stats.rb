# What the kernel says about a process and the BPF programs it holds: CPU time from
# /proc/PID/schedstat (nanoseconds, every thread), and the run time and run count of each
# BPF program (kernel.bpf_stats_enabled) from the fdinfo of the process's program fds,
# which works for rbprof-bpf and bpftrace alike, whatever else is loaded on the host.
require "json"
require "open3"

module KernelStats
  BPF_STATS = "/proc/sys/kernel/bpf_stats_enabled"
  PERF_EVENT_PROG = 7 # enum bpf_prog_type: BPF_PROG_TYPE_PERF_EVENT
  RAW_TRACEPOINT_PROG = 17 # BPF_PROG_TYPE_RAW_TRACEPOINT: the tick clock's sampler
  ARRAY_MAP = 2 # enum bpf_map_type: BPF_MAP_TYPE_ARRAY (global data: .bss)

  module_function

  # Turn bpf_stats on for the block, then back to what it was.
  def with_bpf_stats
    old = File.read(BPF_STATS).strip
    File.write(BPF_STATS, "1")
    yield
  ensure
    File.write(BPF_STATS, old) if old
  end

  # Nanoseconds of CPU time of every thread of pid (0 once it is gone).
  def cpu_ns(pid)
    Dir.glob("/proc/#{pid}/task/*/schedstat").sum do |f|
      File.read(f).split.first.to_i
    rescue Errno::ENOENT, Errno::ESRCH
      0
    end
  end

  # Peak RSS of pid so far, in KiB (VmHWM), or nil.
  def peak_rss_kib(pid)
    File.read("/proc/#{pid}/status")[/^VmHWM:\s+(\d+)/, 1]&.to_i
  rescue Errno::ENOENT, Errno::ESRCH
    nil
  end

  # The fdinfo of every BPF object fd of pid, as hashes of integers and strings.
  def fdinfos(pid)
    Dir.glob("/proc/#{pid}/fdinfo/*").filter_map do |f|
      text = File.read(f)
      next unless text.include?("prog_id:") || text.include?("map_id:")

      text.scan(/^(\w+):\s+(\S+)/).to_h { |k, v| [k, v.match?(/\A\d+\z/) ? v.to_i : v] }
    rescue Errno::ENOENT, Errno::ESRCH, Errno::EACCES
      nil
    end
  end

  # The names of the host's BPF programs by id (bpftool cuts them at 15 characters).
  def prog_names
    out, status = Open3.capture2("bpftool", "-j", "prog", "show")
    status.success? ? JSON.parse(out).to_h { |p| [p["id"], p["name"].to_s] } : {}
  end

  # run_time_ns and run_cnt summed over pid's programs of bpf_prog_type +type+ (perf_event),
  # and with +name+ (a Regexp) only those whose name it matches: the tick clock's sampler is a
  # raw tracepoint's program, as the process events are.
  def prog_stats(pid, type: PERF_EVENT_PROG, name: nil)
    progs = fdinfos(pid).select { |h| h["prog_type"] == type }.uniq { |h| h["prog_id"] }
    if name
      names = prog_names
      progs.select! { |h| names[h["prog_id"]]&.match?(name) }
    end
    { ns: progs.sum { |h| h["run_time_ns"].to_i }, runs: progs.sum { |h| h["run_cnt"].to_i },
      progs: progs.size, insns: progs.sum { |h| h["verified_insns"].to_i } }
  end

  # rbprof-bpf's counters (bpf/rbprof.h enum rbprof_counter), summed over CPUs: the
  # cpu_counters array in its .bss, read through the map's BTF.
  def rbprof_counters(pid)
    fdinfos(pid).each do |h|
      next unless h["map_type"] == ARRAY_MAP && h["max_entries"] == 1

      out, status = Open3.capture2("bpftool", "-j", "map", "dump", "id", h["map_id"].to_s)
      next unless status.success?

      vars = JSON.parse(out).dig(0, "formatted", "value", ".bss")
      per_cpu = vars&.find { |v| v.key?("cpu_counters") }&.fetch("cpu_counters")
      return per_cpu.map { |c| c["c"] }.transpose.map(&:sum) if per_cpu
    end
    nil
  end
end
