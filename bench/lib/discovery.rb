# Discovery of one Ruby process: how long rbprof-bpf's probe of it takes (its VM file read,
# its version, layout and TLS found), from the "probed in X ms" line it prints under -v. A
# new profiler each time, so the file is read afresh, as at the start of a session.
#   - Debian's Ruby through its symbol tables (what it has);
#   - the same Ruby read as a stripped build is (RBPROF_SYMBOLS_FROM=code): ruby_current_ec
#     and ruby_current_vm_ptr from the code of rb_errinfo and rb_get_coverages, checked
#     against the live process through a thread pointer from the BPF task iterator;
#   - BENCH_STRIPPED_RUBY=/path/to/ruby, if set: a really stripped build (a wrapper that
#     sets LD_LIBRARY_PATH will do).
require "open3"
require_relative "profilers"
require_relative "workloads"

module Discovery
  # { label => [ms, ...] }
  def self.run(reps:, log:)
    cases = { "symbol tables (Debian's #{RUBY})" => [RUBY, {}],
              "code (RBPROF_SYMBOLS_FROM=code)" => [RUBY, { "RBPROF_SYMBOLS_FROM" => "code" }] }
    stripped = ENV["BENCH_STRIPPED_RUBY"]
    cases["a stripped build (#{File.basename(stripped)})"] = [stripped, {}] if stripped
    cases.to_h do |label, (ruby, env)|
      log.call("  #{label}")
      [label, probe_times(ruby, env, reps)]
    end
  end

  def self.probe_times(ruby, env, reps)
    target = spawn(ruby, "-e", "loop { sleep 0.01 }", out: File::NULL)
    sleep 1 # past start-up: its libruby mapped and relocated
    Array.new(reps) do
      out, = Open3.capture2e(env, PROFILER, "-v", "-p", target.to_s, "-d", "1")
      ms = out[/pid #{target} \(.*\): probed in ([\d.]+) ms/, 1]
      raise "bench: no probe time for pid #{target}: #{out.lines.grep(/rbprof-bpf/).last(3).join}" unless ms

      ms.to_f
    end
  ensure
    if target
      Process.kill(:KILL, target)
      Process.wait(target)
    end
  end
end
