# The benchmark's results as Markdown (printed, and written to bench/results.md): the targets
# of issue #5 first, met or not, then every figure they come from.
require_relative "stats"
require_relative "slowdown"
require_relative "startup"

class Report
  include BenchStats

  US = 1000.0 # ns per microsecond

  def initialize(info:, settings:, userspace:, cost:, startup:, discovery:, loader:, runs:,
                 side: nil, writers: [], procs: {}, wall: {}, cache: {}, clock: {})
    @info = info
    @clock = clock
    @cache = cache
    @wall = wall
    @procs = procs
    @writers = writers
    @settings = settings
    @userspace = userspace
    @cost = cost
    @side = side
    @startup = startup
    @discovery = discovery
    @loader = loader
    @runs = runs
  end

  def markdown
    parts = [header, targets]
    parts << bpf_table unless @cost.empty?
    parts << side_table if @side
    parts << slowdown_tables unless @runs.empty?
    parts << startup_table unless @startup.empty?
    parts << discovery_table unless @discovery.empty?
    parts << loader_table unless @loader.empty?
    parts << userspace_table unless @userspace.empty?
    parts << writers_table unless @writers.empty?
    parts << procs_table unless @procs.empty?
    parts << wall_table unless @wall.empty?
    parts << cache_table unless @cache.empty?
    parts << clock_table unless @clock.empty?
    parts.join("\n")
  end

  private

  def yes(ok)
    ok.nil? ? "not measured" : (ok ? "met" : "**not met**")
  end

  def header
    rows = @info.map { |k, v| "| #{k} | #{v} |" }
    <<~MD
      # rbprof-bpf benchmark results

      Written by `make bench` (bench/bench.rb); #{@settings}.

      | | |
      | --- | --- |
      #{rows.join("\n")}
    MD
  end

  # Median CPU-time change of a configuration against the unprofiled runs of the same rounds.
  def change(workload, config, field = :cpu)
    rs = @runs[workload][config]
    base = @runs[workload]["none"]
    median(paired_change(rs.map { |r| r[field] }, base.map { |r| r[field] }))
  end

  def ruby_ns(tool, workload)
    @cost.dig(tool, :workloads, workload, :ruby_ns)
  end

  def title_of(key)
    WORKLOADS.find { |x| x.key == key }&.title || key
  end

  # The median over the side-by-side sessions of the work tree's time per sample over the
  # baseline's (lib/side_by_side.rb), or nil.
  def baseline_ratio(workload)
    r = @side && @side.dig(:workloads, workload, :ratios)
    r && !r.empty? ? median(r) : nil
  end

  def non_ruby_ns(tool)
    @cost.dig(tool, :non_ruby_ns)
  end

  def us(ns)
    ns ? format("%.2f us", ns / US) : "-"
  end

  def all_le(values, limit)
    values.compact.empty? ? nil : values.compact.all? { |v| v < limit }
  end

  def targets
    keys = @runs.keys
    rows = []
    b50 = ruby_ns("rbprof-bpf", "mix50")
    b1000 = ruby_ns("rbprof-bpf", "rec1000")
    nr = non_ruby_ns("rbprof-bpf")
    bt50 = ruby_ns("bpftrace", "mix50")
    rows << ["BPF time per Ruby sample, 50 frames", "< 1.5 us", us(b50), yes(b50 && b50 < 1500)]
    rows << ["BPF time per Ruby sample, 1000 frames", "< 15 us", us(b1000),
             yes(b1000 && b1000 < 15_000)]
    rows << ["BPF time per sample outside Ruby", "< 0.2 us", us(nr), yes(nr && nr < 200)]
    rows << ["... at 50 frames, vs bpftrace's ustack per sample", "not above",
             "#{us(b50)} vs #{us(bt50)}", yes(b50 && bt50 && b50 <= bt50)]
    if @side
      ratio = baseline_ratio("mix50")
      w = @side.dig(:workloads, "mix50")
      rows << ["... at 50 frames, vs rbprof-bpf #{@side[:rev]} (both attached at once, " \
               "median of #{@side[:sessions]} sessions' ratios)", "within +10%",
               ratio ? format("%s vs %s (%+.1f%%)", us(median(w[:mine_ns])),
                              us(median(w[:base_ns])), (ratio - 1) * 100) : "-",
               yes(ratio && ratio <= 1.10)]
    end
    [[99, 0.5], [999, 2.0]].each do |hz, limit|
      ch = keys.to_h { |w| [w, change(w, "rbprof#{hz}")] }
      rows << ["workload CPU time at #{hz} Hz, every workload", "< +#{limit}%",
               ch.map { |w, c| c ? format("%s %+.1f%%", w, c) : "#{w} -" }.join(", "),
               yes(all_le(ch.values, limit))]
      sp = keys.to_h { |w| [w, change(w, "stackprof#{hz}")] }
      lower = keys.map { |w| ch[w] && sp[w] ? ch[w] < sp[w] : nil }
      rows << ["... lower than stackprof at #{hz} Hz, every workload", "lower",
               keys.map { |w| format("%s %+.1f%% vs %+.1f%%", w, ch[w] || 0, sp[w] || 0) }.join(", "),
               yes(lower.compact.empty? ? nil : lower.all?)]
    end
    steady = @loader.values.map { |l| l[:steady_share] }
    rows << ["loader CPU at 999 Hz, steady (worst workload)", "< 1% of a core",
             steady.empty? ? "-" : format("%.2f%% (first %d s: %.2f%%)", steady.max * 100,
                                          @loader.values.first[:settle],
                                          @loader.values.map { |l| l[:first_share] }.max * 100),
             yes(all_le(steady, 0.01))]
    rss = ((@runs["procs20"] || {}).values_at("rbprof99", "rbprof999").flatten.compact +
           [@loader["procs20"]].compact).filter_map { |r| r[:peak_rss_kib] }
    rows << ["loader peak RSS, 20 processes", "< 32 MiB",
             rss.empty? ? "-" : format("%.1f MiB", rss.max / 1024.0),
             yes(rss.empty? ? nil : rss.max < 32 * 1024)]
    mix = @userspace.first
    rows << ["user-space path, #{mix ? mix[:depth] : 50}-frame samples", ">= 1,000,000/s per core",
             mix ? format("%d/s", mix[:per_s]) : "-", yes(mix && mix[:per_s] >= 1_000_000)]
    first = @startup.values.flatten.map { |r| r[:first_sample_s] }
    rows << ["start to first sample, every workload (median, max)", "< 0.5 s",
             first.empty? ? "-" : format("%.2f s, %.2f s", median(first), first.max),
             yes(first.empty? ? nil : first.max < 0.5)]
    code = @discovery.reject { |label, _| label.start_with?("symbol") }.values.flatten
    rows << ["discovery of a stripped process, code reading and its live check included (max)",
             "< 50 ms", code.empty? ? "-" : format("%.1f ms", code.max),
             yes(code.empty? ? nil : code.max < 50)]
    rows.concat(writer_targets)
    rows.concat(procs_targets)
    rows.concat(wall_targets)
    rows.concat(clock_targets)
    <<~MD

      ## Targets

      | target | goal | measured | |
      | --- | --- | --- | --- |
      #{rows.map { |r| "| #{r.join(' | ')} |" }.join("\n")}

      Workload times are medians of the per-round change against the unprofiled run of the
      same round; the workloads' own run-to-run spread is in the tables below.
    MD
  end

  # The clock part's figures of one configuration: slowdown (paired with the round's first
  # unprofiled run), samples, BPF ns per sample and BPF time as a share of the workload's.
  def clock_figures(key)
    runs = @clock[:runs][key]
    none = @clock[:runs]["none"].map { |r| r[:wall] }
    ch = paired_change(runs.map { |r| r[:wall] }, none)
    per = runs.filter_map { |r| r[:bpf_ns] && r[:samples].to_i.positive? ? r[:bpf_ns].to_f / r[:samples] : nil }
    share = runs.filter_map { |r| r[:bpf_ns] && r[:seconds].positive? ? r[:bpf_ns] / (r[:seconds] * 1e9) * 100 : nil }
    { change: ch, slowdown: median(ch), samples: median(runs.map { |r| r[:samples] }),
      per_sample_ns: median(per), share: median(share), rate: median(runs.map { |r| r[:rate] }),
      wall: runs.map { |r| r[:wall] } }
  end

  def clock_targets
    return [] if @clock.empty?

    hz = @clock[:hz]
    noise = clock_figures("none-again")[:change]
    span = noise.empty? ? 0 : [noise.max.abs, noise.min.abs].max
    tick = clock_figures("rbprof-tick")
    sp = clock_figures("stackprof")
    perf = clock_figures("rbprof-perf-999")
    count = clock_figures("count-perf-999")
    perf_high = clock_figures("rbprof-perf-high")
    count_high = clock_figures("count-perf-high")
    gap = tick[:slowdown] && tick[:share] ? tick[:slowdown] - tick[:share] : nil
    [["tick clock at HZ (#{hz}): the workload's slowdown, against the BPF time share", "within noise",
      format("%+.2f%% vs %.2f%% (noise: unprofiled runs within +-%.2f%%)", tick[:slowdown] || 0,
             tick[:share] || 0, span),
      yes(gap && gap.abs <= span)],
     ["... below stackprof's at the same sample count", "lower",
      format("%+.2f%% (%d samples) vs %+.2f%% (%d samples)", tick[:slowdown] || 0, tick[:samples].to_i,
             sp[:slowdown] || 0, sp[:samples].to_i),
      yes(tick[:slowdown] && sp[:slowdown] && tick[:slowdown] < sp[:slowdown])],
     ["perf clock: slowdown, against the counting-only program at the same rate (999 Hz, #{ClockCost::HIGH_HZ} Hz)",
      "no worse",
      format("%+.2f%% vs %+.2f%%; %+.2f%% vs %+.2f%%", perf[:slowdown] || 0, count[:slowdown] || 0,
             perf_high[:slowdown] || 0, count_high[:slowdown] || 0),
      yes(perf[:slowdown] && count[:slowdown] && perf_high[:slowdown] && count_high[:slowdown] &&
          perf[:slowdown] <= count[:slowdown] + span &&
          perf_high[:slowdown] <= count_high[:slowdown] + span + (perf_high[:share] || 0))]]
  end

  def clock_table
    rows = @clock[:configs].map do |c|
      f = clock_figures(c.key)
      next format("| %s | %s | - | - | - | - | - |", c.title, med_range(f[:wall], 3)) if c.key == "none"

      format("| %s | %s | %s | %s | %s | %s | %s |", c.title, med_range(f[:wall], 3),
             pct_range(f[:change]), f[:rate] ? format("%.4g Hz", f[:rate]) : "-",
             f[:samples] ? f[:samples].round.to_s : "-",
             f[:per_sample_ns] ? us(f[:per_sample_ns]) : "-",
             f[:share] ? format("%.3f%%", f[:share]) : "-")
    end
    <<~MD

      ## The sampling clock's cost

      lib/clock_cost.rb: #{ClockCost::WORKLOAD.title} pinned to CPU #{Slowdown::WORKLOAD_CPU}, each
      profiler's process on CPU #{Slowdown::PROFILER_CPU}; #{@clock[:runs]["none"].size} rounds,
      every configuration once a round, in reversed order every other round, after the round's
      unprofiled run. "counting only" is bench/count.c, a BPF program that only counts, on the
      same trigger as rbprof-bpf's: a cpu-clock perf event, or every Nth scheduler tick (HZ
      #{@clock[:hz]}) through the hrtimer_expire_entry raw tracepoint. Slowdown: the
      workload's wall time against the unprofiled run of its round, median [min..max].
      Samples: of the workload's process (counting only: every CPU's; stackprof: its own).
      BPF: the sampler's run_time_ns (bpf_stats) per sample, and as a share of the workload's
      time (on the tick, every hrtimer expiry of the host runs the program: those are in it).
      "no profiler, again" measures nothing: its change is the machine's noise.

      | configuration | wall s | slowdown | rate | samples | BPF per sample | BPF share |
      | --- | ---: | ---: | ---: | ---: | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  def side_table
    rev = @side[:rev]
    rows = @side[:workloads].map do |w, r|
      sorted = r[:ratios].sort
      format("| %s | %s | %s | %+.1f%% | %+.1f%% .. %+.1f%% |", title_of(w), us(median(r[:mine_ns])),
             us(median(r[:base_ns])), (median(r[:ratios]) - 1) * 100, (sorted.first - 1) * 100,
             (sorted.last - 1) * 100)
    end
    <<~MD

      ## BPF time per sample, side by side with rbprof-bpf #{rev}

      Both programs attached at once at #{SideBySide::HZ} Hz, one copy of the workload per
      CPU, #{@side[:sessions]} sessions of #{@side[:seconds]} s, each with fresh processes
      and the start order alternating (bench/lib/side_by_side.rb): run_time_ns / run_cnt of
      each, every sample of the window (nearly all in Ruby). The change is the median of the
      sessions' ratios.

      | workload | work tree | #{rev} | change | sessions' range |
      | --- | ---: | ---: | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  def bpf_table
    tools = @cost.keys
    rows = @cost.values.first[:workloads].keys.map do |w|
      title = title_of(w)
      cells = tools.map do |t|
        c = @cost.dig(t, :workloads, w)
        "#{us(c[:ruby_ns])} (#{c[:ruby].round} of #{c[:runs]})"
      end
      "| Ruby sample, #{title} | #{cells.join(' | ')} |"
    end
    other = tools.map { |t| "#{us(non_ruby_ns(t))} (#{@cost.dig(t, :non_ruby_window, :runs)})" }
    <<~MD

      ## BPF time per sample

      `kernel.bpf_stats_enabled=1`, run_time_ns / run_cnt of each profiler's perf_event
      program at #{BpfCost::HZ} Hz, with every CPU busy: shell loops for the samples outside
      Ruby, then one copy of each workload per CPU (in brackets: the samples that hit Ruby
      and all samples of the window). bpftrace runs `#{BpftraceRun.program(BpfCost::HZ)}`.
      rbprof-bpf (tick) is the same sampler on the scheduler tick (`--clock tick`, at HZ,
      #{ClockCost.kernel_hz} here): its raw tracepoint's program runs at every hrtimer expiry
      and on every tick, so its "all samples" are those runs, and each costs a compare
      (outside Ruby).

      | sample | #{tools.join(' | ')} |
      | --- | #{tools.map { '---:' }.join(' | ')} |
      #{rows.join("\n")}
      | outside Ruby | #{other.join(' | ')} |
    MD
  end

  def slowdown_tables
    # a workload left out (BENCH_WORKLOADS) may have an empty entry from a lookup above
    @runs.select { |_, by_config| by_config.values.any?(&:any?) }.map do |w, by_config|
      title = title_of(w)
      base = by_config["none"]
      rows = CONFIGS.map do |c|
        rs = by_config[c.key]
        next if rs.empty?

        prof = c.tool == :rbprof || c.tool == :bpftrace
        [
          c.title,
          med_range(rs.map { |r| r[:wall] }, 2),
          pct_range(paired_change(rs.map { |r| r[:wall] }, base.map { |r| r[:wall] })),
          med_range(rs.map { |r| r[:cpu] }, 2),
          pct_range(paired_change(rs.map { |r| r[:cpu] }, base.map { |r| r[:cpu] })),
          c.tool ? median(rs.map { |r| r[:samples] })&.round.to_s : "",
          prof ? format("%.2f%%", median(rs.map { |r| r[:prof_share] }) * 100) : "",
          prof ? format("%.2f s", median(rs.map { |r| r[:cpu_s] })) : "",
          prof && rs.any? { |r| r[:peak_rss_kib] } ? format("%.1f MiB", rs.filter_map { |r| r[:peak_rss_kib] }.max / 1024.0) : "",
          c.tool == :rbprof ? rs.sum { |r| r[:lost].to_i }.to_s : "",
        ].join(" | ")
      end.compact
      <<~MD

        ### #{title}

        | configuration | wall s | wall vs none | CPU s | CPU vs none | samples | profiler CPU while sampling | profiler CPU total | peak RSS | lost |
        | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
        #{rows.map { |r| "| #{r} |" }.join("\n")}
      MD
    end.unshift(<<~MD).join
      
      ## Workload slowdown

      Each workload runs alone on the last CPU, the profiler's process on CPU 0. Figures are
      medians [min-max] over the rounds; "vs none" is the change against the unprofiled run
      of the same round. "samples" counts what the profiler recorded for the whole host
      (stackprof: in the workload; its :cpu timer ticks at most at the kernel's HZ).
      "profiler CPU while sampling" is the profiler process's CPU time while the workload ran,
      as a share of one core; "total" includes its start-up and the writing of its output.
    MD
  end

  def startup_table
    rows = @startup.map do |w, rs|
      title = title_of(w)
      format("| %s | %s | %s |", title, med_range(rs.map { |r| r[:attached_s] }, 2),
             med_range(rs.map { |r| r[:first_sample_s] }, 2))
    end
    <<~MD

      ## Start-up

      rbprof-bpf -F #{Startup::HZ} started on CPU 0 while the workload runs on the last CPU;
      seconds from its spawn, median [min-max]:

      | workload running | sampling (BPF program loaded, attached, processes found) | first sample received |
      | --- | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  def discovery_table
    rows = @discovery.map { |label, ms| format("| %s | %s |", label, med_range(ms, 1)) }
    <<~MD

      ## Discovery of one Ruby process

      `rbprof-bpf -v -p PID -d 1`, a new profiler each time (its VM file read afresh), the
      "probed in" time it prints, ms, median [min-max]:

      | where its VM's variables are found | ms |
      | --- | ---: |
      #{rows.join("\n")}
    MD
  end

  def loader_table
    settle, window = @loader.values.first.values_at(:settle, :window)
    rows = @loader.map do |w, l|
      format("| %s | %.2f%% | %.2f%% | %.1f MiB | %d |", title_of(w), l[:first_share] * 100,
             l[:steady_share] * 100, l[:peak_rss_kib].to_i / 1024.0, l[:samples].to_i)
    end
    <<~MD

      ## The loader's own cost

      rbprof-bpf -F #{LoaderCost::HZ} (whole host) on CPU 0 while the workload runs on the last
      CPU: its CPU time as a share of one core over its first #{settle} s (the workload's
      iseqs read, the owners of its methods looked for in up to 64 batches) and over the
      #{window} s after (steady), its peak RSS, the samples it took.

      | workload running | CPU, first #{settle} s | CPU, steady | peak RSS | samples |
      | --- | ---: | ---: | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  # The writers' targets (issue #12) on the 100,000-stack profile: each format under 2 s and
  # under 3x the folded output's size in memory.
  def writer_targets
    w = @writers.first
    return [] unless w

    folded = w[:formats]["folded"][:bytes]
    w[:formats].map do |name, f|
      ratio = f[:kib] * 1024.0 / folded
      ["writing #{name}, #{w[:title]}", "< 2 s, < 3x folded size in memory",
       format("%.2f s, %.2fx (%.0f MiB; folded %.0f MiB)", f[:s], ratio, f[:kib] / 1024.0,
              folded / 1048576.0),
       yes(f[:s] < 2 && ratio < 3)]
    end
  end

  # Issue #13's targets: a Ruby process sampled within 50 ms of its exec, and the process
  # events cost the loader under 2% of a core at 200 execs a second.
  def procs_targets
    ev = @procs["events"]
    sc = @procs["scans"]
    return [] unless ev

    picks = ev[:pickup_ms].compact
    missed = ev[:pickup_ms].count(&:nil?)
    [["pickup, spawn of a short Ruby process to its first sample (median, max; vs /proc scans)",
      "< 50 ms",
      format("%.1f ms, %.1f ms%s (scans: %s)", median(picks) || 0, picks.max || 0,
             missed.positive? ? ", #{missed} never sampled" : "",
             sc ? format("%.0f ms median, %d of %d never sampled", median(sc[:pickup_ms].compact) || 0,
                         sc[:pickup_ms].count(&:nil?), sc[:pickup_ms].size) : "-"),
      yes(missed.zero? && picks.max && picks.max < 50)],
     ["loader CPU, #{ProcessEvents::FORKS_PER_S} short non-Ruby processes a second", "< 2% of a core",
      format("%.2f%% (scans: %.2f%%)", ev[:fork_share] * 100, (sc ? sc[:fork_share] : 0) * 100),
      yes(ev[:fork_share] < 0.02)]]
  end

  # Issue #14's target: --wall costs the Puma-like workload under 3% at 99 Hz.
  def wall_targets
    return [] if @wall.empty?

    ch = paired_change(@wall["wall"].map { |r| r[:seconds] }, @wall["none"].map { |r| r[:seconds] })
    [["--wall slowdown, #{WallCost::WORKLOAD.title} at #{WallCost::HZ} Hz", "< 3%",
      pct_range(ch), yes(!ch.empty? && median(ch) < 3)]]
  end

  # Per mode: slowdown, wake-ups a second, samples, the loader and each BPF program type.
  def wall_table
    none = @wall["none"].map { |r| r[:seconds] }
    rows = @wall.map do |mode, runs|
      secs = runs.map { |r| r[:seconds] }
      wakes = median(secs.map { |t| WallCost::WAKES * SCALE / t })
      next format("| %s | - | %.0f | - | - | - | - | - | - | - |", mode, wakes) if mode == "none"

      walls = runs.map { |r| r[:wall_samples].to_i }
      per = lambda do |type|
        ns = median(runs.map { |r| r[:bpf][type][:ns] }) || 0
        runs_ = median(runs.map { |r| r[:bpf][type][:runs] }) || 0
        format("%.0f ns x %d", runs_.positive? ? ns / runs_ : 0, runs_)
      end
      loader_us = median(runs.map { |r| r[:wall_samples].to_i.positive? ? r[:loader_share] * r[:seconds] * 1e6 / r[:wall_samples] : nil })
      format("| %s | %s | %.0f | %d | %d | %.2f%% | %s | %s | %s | %s |", mode,
             pct_range(paired_change(secs, none)), wakes,
             median(runs.map { |r| r[:samples].to_i }), median(walls),
             (median(runs.map { |r| r[:loader_share] }) || 0) * 100,
             loader_us ? format("%.1f us", loader_us) : "-",
             per.call("perf_event"), per.call("switch"), per.call("raw_tp"))
    end
    <<~MD

      ## --wall

      lib/wall_cost.rb: #{WallCost::WORKLOAD.title} (bench/workloads/blocking.rb), unprofiled,
      in CPU mode and with --wall, `-p PID -F #{WallCost::HZ}`, #{@wall["none"].size} rounds
      interleaved. Slowdown: the workload's wall time against the unprofiled run of its
      round. Wake-ups: the workload's blocks in read(2) a second. Samples: of the process,
      all threads; wall: those of threads off their CPUs, which the loader walks. Loader: its
      CPU as a share of one core, and per wall sample. BPF: median run time per run x runs,
      by program type (perf_event: the sampler; switch: rbprof_switch, one run per context
      switch of the host; raw_tp: the process and thread events).

      | mode | slowdown | wake-ups/s | samples | wall samples | loader CPU | loader per wall sample | BPF perf_event | BPF switch | BPF raw_tp |
      | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  def cache_table
    rows = @cache.map do |name, r|
      budget = name == "unbounded" ? "none" : format("%d MiB", r[:budget_mib])
      format("| %s | %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %d | %d | %d | %.1f%% |", name, budget,
             r[:settle_rss_kib] / 1024.0, r[:end_rss_kib] / 1024.0, r[:peak_mib], r[:held_mib], r[:evicted],
             r[:renamed], r[:processes], r[:cpu_share] * 100)
    end
    <<~MD

      ## The symbol caches' budget on a churning host

      lib/cache_budget.rb: #{CacheBudget::MAKERS} Ruby processes that make a new method (eval) and run it, without
      end, and a short Ruby process every #{CacheBudget::CHURN_PERIOD} s, whole host at #{CacheBudget::HZ} Hz with
      `--rotate #{CacheBudget::INTERVAL}`, under a budget of #{CacheBudget::BUDGET_MIB} MiB (RBPROF_SYMCACHE_MB; the
      default is 64 MiB) and under none, one after the other. RSS: the loader's at #{CacheBudget::SETTLE} s and at
      the end. Peak: the most the caches held at a trim (between intervals; they may reach twice the budget
      in between). Renamed: frames found changed by the checks between intervals (an iseq freed by the GC and
      its address taken by new code).

      | run | budget | RSS at #{CacheBudget::SETTLE} s | RSS at the end | caches at most | caches at the end | evicted | renamed | processes | loader CPU |
      | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  def procs_table
    rows = @procs.map do |mode, r|
      picks = r[:pickup_ms]
      format("| %s | %s | %d of %d | %.2f%% |", mode,
             picks.map { |ms| ms ? format("%.0f", ms) : "-" }.join(", "), picks.compact.size,
             picks.size, r[:fork_share] * 100)
    end
    <<~MD

      ## Following processes

      lib/process_events.rb: the kernel's exec, fork and exit events (`events`) against the
      scans of /proc alone (`scans`, RBPROF_PROC_EVENTS=0), whole host. Pickup: from the
      spawn of a Ruby process that lives 0.3 s to the loader's first sample of it, at
      #{ProcessEvents::PICKUP_HZ} Hz, ms for each of #{ProcessEvents::PICKUPS}. Loader CPU: its
      share of one core while a shell starts #{ProcessEvents::FORKS_PER_S} `/bin/true` a second.

      | mode | pickup (ms) | sampled | loader CPU, #{ProcessEvents::FORKS_PER_S} execs/s |
      | --- | --- | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  def writers_table
    rows = @writers.flat_map do |w|
      folded = w[:formats]["folded"][:bytes]
      w[:formats].map do |name, f|
        format("| %s | %s | %.1f MiB | %.2f s | %.0f MiB | %.2fx |", w[:title], name,
               f[:bytes] / 1048576.0, f[:s], f[:kib] / 1024.0, f[:kib] * 1024.0 / folded)
      end
    end
    <<~MD

      ## Writers

      `.output/bench-writers` (bench/writers.c): a made-up profile of one process (stacks that
      share prefixes as a call tree does; 20,000 methods in 2,000 files, up to 8 lines each), each format written by
      a child of its own into a counting sink. Memory is the growth of the child's peak RSS while
      it writes, against the size of the folded output of the same profile.

      | profile | format | output | time | peak memory growth | vs folded size |
      | --- | --- | ---: | ---: | ---: | ---: |
      #{rows.join("\n")}
    MD
  end

  def userspace_table
    rows = @userspace.map do |u|
      format("| %s (%d frames) | %d | %d ns | %d B | %d MB/s |", u[:title], u[:depth], u[:per_s],
             u[:ns], u[:record], u[:mb_s])
    end
    mix = @userspace.first
    host = 64 * 10_000
    <<~MD

      ## User-space path

      `.output/bench-userspace` (bench/userspace.c): recorded events replayed through what the
      loader does per sample (decode, find the process, symbolize every frame from the cache,
      intern, count the stack), one core, records read from memory larger than the caches.

      | stack | samples/s per core | per sample | ring-buffer record | record bytes/s |
      | --- | ---: | ---: | ---: | ---: |
      #{rows.join("\n")}

      64 CPUs at 10 kHz make #{host} samples/s: with #{mix[:depth]}-frame stacks that is
      #{format('%.0f', host * mix[:record] / 1e6)} MB/s through the ring buffer and
      #{format('%.0f%%', host.to_f / mix[:per_s] * 100)} of one core for the loader.
    MD
  end
end
