# frozen_string_literal: true

require "fileutils"
require "tmpdir"

# Days, not seconds: a whole-host profile pushed every few seconds while a short Ruby process
# starts every 0.25 s. What the profiler holds must not grow with the processes it has seen:
# its RSS at the end is within 1.5x of its RSS at 15 s, its open files do not grow, and most
# of the processes are in the uploads.
module E2E
  CHURN_SECONDS = 80
  CHURN_PERIOD = 0.25
  CHURN_BURN = 0.2
  CHURN_INTERVAL = 5
  CHURN_RSS_AT = 15
  CHURN_RSS_FACTOR = 1.5
  CHURN_SEEN_PERCENT = 70

  def self.proc_rss_kib(pid)
    File.read("/proc/#{pid}/status")[/^VmRSS:\s+(\d+)/, 1].to_i
  end

  def self.proc_fds(pid)
    Dir.children("/proc/#{pid}/fd").size
  end

  test "churn: #{CHURN_SECONDS} s of a new Ruby process every #{CHURN_PERIOD} s: memory and fds hold, " \
       ">= #{CHURN_SEEN_PERCENT}% of them uploaded" do
    receiver = Receiver.new
    dir = Dir.mktmpdir("rbprof-e2e-churn")
    pids_file = File.join(dir, "pids")
    run = Profiler.start(["-F", 99, "-d", CHURN_SECONDS + 2, "--push", receiver.url, "--push-interval", CHURN_INTERVAL])
    run.wait_attached
    driver = Target.ruby("churn.rb", args: [pids_file, CHURN_SECONDS, CHURN_PERIOD, CHURN_BURN])
    driver.go
    started = Clock.now
    sleep CHURN_RSS_AT
    rss15 = E2E.proc_rss_kib(run.pid)
    fds15 = E2E.proc_fds(run.pid)
    sleep 1 while Clock.now - started < CHURN_SECONDS - 2
    rss_end = E2E.proc_rss_kib(run.pid)
    fds_end = E2E.proc_fds(run.pid)
    driver.wait(30)
    result = run.finish(Profiler::SLACK + 10)
    assert_exit(result, 0)
    Harness.note("churn: RSS #{rss15} KiB at #{CHURN_RSS_AT} s, #{rss_end} KiB at the end; fds #{fds15} -> #{fds_end}")
    assert(rss_end <= rss15 * CHURN_RSS_FACTOR, "RSS grew from #{rss15} KiB to #{rss_end} KiB")
    assert(fds_end <= fds15, "open files grew from #{fds15} to #{fds_end}")
    started_pids = File.readlines(pids_file).map(&:to_i)
    seen = receiver.uploads.map { |u| u.labels["pid"].to_i }.uniq & started_pids
    share = percent(seen.size, started_pids.size)
    Harness.note("churn: #{started_pids.size} processes started, #{seen.size} in the uploads (#{share.round(1)}%)")
    assert(started_pids.size >= CHURN_SECONDS / CHURN_PERIOD * 0.8, "only #{started_pids.size} processes started")
    assert(share >= CHURN_SEEN_PERCENT, "#{seen.size} of #{started_pids.size} processes uploaded (#{share.round(1)}%)")
    assert_line_mentions(result.stderr_lines.grep(/exited and let go/).first.to_s, "let go")
    assert_line_mentions(result.stderr_lines.grep(/--push:/).last.to_s, "0 dropped")
  ensure
    driver&.stop
    run&.stop
    receiver&.stop(remove: true)
    FileUtils.rm_rf(dir) if dir
  end
end
