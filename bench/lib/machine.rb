# What the benchmark ran on, for the results file.
require "etc"
require "time"

module Machine
  module_function

  def first_line(cmd)
    IO.popen(cmd, err: File::NULL, &:read).lines.first&.strip
  rescue SystemCallError
    nil
  end

  def describe(ruby)
    cpu = File.read("/proc/cpuinfo")[/^model name\s*:\s*(.*)$/, 1]
    mem = File.read("/proc/meminfo")[/^MemTotal:\s+(\d+)/, 1].to_i / 1024 / 1024.0
    {
      "date" => Time.now.utc.iso8601,
      "machine" => format("%s, %d CPUs, %.0f GiB", cpu, Etc.nprocessors, mem),
      "kernel" => first_line(%w[uname -rv]),
      "ruby" => first_line([ruby, "-v"]),
      "stackprof" => first_line(["dpkg-query", "-W", "-f", "${Version}", "ruby-stackprof"]),
      "bpftrace" => first_line(%w[bpftrace --version]),
      "rbprof-bpf" => first_line(%w[git log -1 --format=%h\ %s]),
    }
  end
end
