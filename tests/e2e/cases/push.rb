# frozen_string_literal: true

require "fileutils"
require "socket"
require "tmpdir"
require_relative "../lib/clients"

# --push URL: every --push-interval a pprof per process is POSTed to a Pyroscope-compatible
# server's /ingest (here lib/pyroscope_receiver.py on loopback), read back with go tool pprof.
module E2E
  PUSH_INTERVAL = 5
  PUSH_RATIO_PERCENT = 75
  PUSH_RATIO_POINTS = 6
  # The parameters every upload carries besides name, from and until.
  PUSH_PARAMS = { "format" => "pprof", "spyName" => "rbprof-bpf", "units" => "samples",
                  "aggregationType" => "sum" }.freeze

  PUSH_TWO = Once.new do
    receiver = Receiver.new
    target = Target.ruby("ratio.rb")
    result = Profiler.run(["-p", target.pid, "-F", 499, "-d", 2 * PUSH_INTERVAL, "--push", receiver.url,
                           "--push-interval", PUSH_INTERVAL])
    uploads = receiver.uploads
    shares = uploads.map { |u| Clients.pprof_flat(u.body_path) }
    { receiver: receiver, target: target, result: result, uploads: uploads, shares: shares }
  ensure
    target&.stop
    receiver&.stop
  end

  test "push: two #{PUSH_INTERVAL} s intervals are two uploads to /ingest, each a pprof with the 3:1 split" do
    result, uploads, shares, target = PUSH_TWO.get.values_at(:result, :uploads, :shares, :target)
    assert_exit(result, 0)
    assert(result.stdout.empty?, "--push wrote to stdout: #{result.stdout[0, 200].inspect}")
    assert(uploads.size == 2, "#{uploads.size} uploads, not 2: #{uploads.map(&:query).inspect}")
    uploads.zip(shares).each do |u, flat|
      assert(u.path == "/ingest", "POST to #{u.path}")
      PUSH_PARAMS.each { |k, v| assert(u.query[k] == v, "#{k}=#{u.query[k].inspect}, not #{v}") }
      assert(u.query["sampleRate"] == "499", "sampleRate=#{u.query['sampleRate']}")
      assert(u.content_type == "application/octet-stream", "Content-Type #{u.content_type}")
      heavy = flat.select { |f, _| f.start_with?("Object#heavy") }.values.sum
      light = flat.select { |f, _| f.start_with?("Object#light") }.values.sum
      assert(heavy + light >= 50, "heavy #{heavy}% + light #{light}% of the upload: #{flat.first(5)}")
      share = percent(heavy, heavy + light)
      assert((share - PUSH_RATIO_PERCENT).abs <= PUSH_RATIO_POINTS,
             "heavy has #{share.round(1)}% of heavy+light in #{u.body_path}, expected 75 +- #{PUSH_RATIO_POINTS}")
    end
    a, b = uploads
    assert(a.until == b.from, "not contiguous: [#{a.from}, #{a.until}) then [#{b.from}, #{b.until})")
    [a, b].each do |u|
      assert((u.until - u.from - PUSH_INTERVAL).abs <= 1, "an interval of #{u.until - u.from} s")
    end
    assert((Time.now.to_i - a.from).between?(0, 120), "from=#{a.from} is not now")
    assert_line_mentions(result.stderr_lines.grep(/--push:/).first.to_s, "2 profiles sent", "0 dropped")
    labels = a.labels
    assert(a.name.start_with?("ruby{"), "series #{a.name}")
    assert(labels["pid"] == target.pid.to_s, "pid label #{labels['pid']}, not #{target.pid}")
    assert(labels["comm"] == "ruby" && labels["hostname"] == Socket.gethostname.gsub(/[^A-Za-z0-9._-]/, "_"),
           "labels #{labels}")
  end

  test "push: --app-name names the series; a bearer token comes from RBPROF_PUSH_TOKEN or --push-auth-file" do
    receiver = Receiver.new
    target = Target.ruby("basic.rb")
    dir = Dir.mktmpdir("rbprof-e2e-auth")
    token_file = File.join(dir, "token")
    File.write(token_file, "Bearer file-token\n")
    result = Profiler.run(["-p", target.pid, "-d", 2, "--push", "#{receiver.url}/", "--push-interval", 1,
                           "--app-name", "shop{x}", "-q"], wrap: ["env", "RBPROF_PUSH_TOKEN=env-token"])
    assert_exit(result, 0)
    result = Profiler.run(["-p", target.pid, "-d", 1, "--push", receiver.url, "--push-auth-file", token_file, "-q"],
                          wrap: ["env", "RBPROF_PUSH_TOKEN=env-token"])
    assert_exit(result, 0)
    env_ones, file_ones = receiver.uploads.partition { |u| u.authorization == "Bearer env-token" }
    assert(env_ones.size == 2, "#{env_ones.size} uploads with the env token: #{receiver.uploads.map(&:authorization)}")
    assert(file_ones.size == 1 && file_ones[0].authorization == "Bearer file-token",
           "the file's token: #{file_ones.map(&:authorization)}")
    assert(env_ones.all? { |u| u.path == "/ingest" }, "a trailing / made #{env_ones.map(&:path)}")
    assert(env_ones.all? { |u| u.name.start_with?("shop_x_{") }, "names: #{env_ones.map(&:name)}")
    assert(!result.stderr.include?("token"), "a message shows the token: #{result.stderr}")
  ensure
    target&.stop
    receiver&.stop(remove: true)
    FileUtils.rm_rf(dir) if dir
  end

  test "push: bad URLs and credentials on the command line are refused in one line (exit 2)" do
    [["ftp://127.0.0.1/x", "http"], ["http://user:secret@127.0.0.1:1", "RBPROF_PUSH_TOKEN"],
     ["127.0.0.1:4040", "http"]].each do |url, word|
      result = Profiler.run(["-d", 1, "--push", url], timeout: 10)
      assert_error(result, 2, word)
      assert(!result.stderr.include?("secret"), "the password is shown: #{result.stderr}")
    end
    result = Profiler.run(["-d", 1, "--push", "http://127.0.0.1:1", "--push-auth-file", "/nonexistent"], timeout: 10)
    assert_error(result, 1, "/nonexistent")
    result = Profiler.run(["-d", 1, "--push-interval", 5], timeout: 10)
    assert_error(result, 2, "--push")
  end

  test "push: a 4xx answer is said once and not retried; profiling goes on" do
    receiver = Receiver.new(status: 401)
    target = Target.ruby("basic.rb")
    result = Profiler.run(["-p", target.pid, "-d", 3, "--push", receiver.url, "--push-interval", 1])
    assert_exit(result, 0)
    refusals = result.stderr_lines.grep(/401/)
    assert(refusals.size == 1, "#{refusals.size} lines about the 401: #{refusals}")
    assert(receiver.uploads.size == 3, "#{receiver.uploads.size} requests for 3 intervals: retried?")
    assert_line_mentions(result.stderr_lines.grep(/--push:/).last.to_s, "0 profiles sent", "3 refused")
  ensure
    target&.stop
    receiver&.stop(remove: true)
  end

  test "push: https: a server whose CA is trusted (--push-ca-file) gets the uploads; an untrusted one gets none" do
    receiver = Receiver.new(tls: true)
    target = Target.ruby("basic.rb")
    trusted = Profiler.run(["-p", target.pid, "-d", 3, "--push", receiver.url, "--push-interval", 1,
                            "--push-ca-file", receiver.ca_file])
    assert_exit(trusted, 0)
    sent = receiver.uploads.size
    assert(sent == 3, "#{sent} uploads over https for 3 intervals")
    assert_line_mentions(trusted.stderr_lines.grep(/--push:/).last.to_s, "3 profiles sent", "0 dropped")
    # the system's CAs do not know it: nothing is sent unverified, and the failure is said once
    untrusted = Profiler.run(["-p", target.pid, "-d", 2, "--push", receiver.url, "--push-interval", 1])
    assert_exit(untrusted, 0)
    assert(receiver.uploads.size == sent, "#{receiver.uploads.size - sent} uploads to a server whose certificate is not trusted")
    said = untrusted.stderr_lines.grep(/cannot reach the server/)
    assert(said.size == 1 && said.first.match?(/certificate|SSL/i), "the TLS failure is said as #{said}")
    assert_line_mentions(untrusted.stderr_lines.grep(/--push:/).last.to_s, "0 profiles sent")
    missing = Profiler.run(["-d", 1, "--push", receiver.url, "--push-ca-file", "/nonexistent/ca.pem"])
    assert_error(missing, 1, "--push-ca-file", "/nonexistent/ca.pem")
  ensure
    target&.stop
    receiver&.stop(remove: true)
  end

  # The server down for 10 s in a 2 s cadence: what was sampled meanwhile arrives once it is back.
  PUSH_OUTAGE_SECONDS = 10
  PUSH_OUTAGE_INTERVAL = 2
  PUSH_OUTAGE_RUN = 20

  test "push: the server away for #{PUSH_OUTAGE_SECONDS} s: the missed intervals arrive (or count as dropped), sampling never stops" do
    receiver = Receiver.new
    target = Target.ruby("ratio.rb")
    run = Profiler.start(["-p", target.pid, "-F", 199, "-d", PUSH_OUTAGE_RUN, "--push", receiver.url,
                          "--push-interval", PUSH_OUTAGE_INTERVAL])
    run.wait_attached
    sleep 3
    receiver.stop
    down_at = Time.now.to_i
    sleep PUSH_OUTAGE_SECONDS
    back = Receiver.new(port: receiver.port, dir: receiver.dir)
    up_at = Time.now.to_i
    result = run.finish(PUSH_OUTAGE_RUN + Profiler::SLACK)
    assert_exit(result, 0)
    uploads = back.uploads
    line = result.stderr_lines.grep(/--push:/).last.to_s
    sent, retried, dropped = line.match(/(\d+) profiles sent, (\d+) attempts retried, (\d+) dropped/)&.captures&.map(&:to_i)
    assert(sent, "no --push summary: #{result.stderr}")
    intervals = result.stderr[/intervals written: (\d+)/, 1].to_i
    assert(intervals >= PUSH_OUTAGE_RUN / PUSH_OUTAGE_INTERVAL, "#{intervals} intervals")
    assert(sent + dropped == intervals, "#{sent} sent + #{dropped} dropped != #{intervals} intervals")
    assert(uploads.size == sent, "the receivers got #{uploads.size}, #{sent} said sent")
    assert(retried.positive?, "nothing retried while the server was away")
    # every interval arrived, in order, and those sampled while it was down have samples
    froms = uploads.map(&:from)
    assert(froms == froms.sort, "out of order: #{froms}")
    uploads.each_cons(2) { |x, y| assert(x.until == y.from, "a gap: #{x.until} .. #{y.from}") } if dropped.zero?
    missed = uploads.select { |u| u.from >= down_at && u.until <= up_at }
    assert(missed.size >= (PUSH_OUTAGE_SECONDS / PUSH_OUTAGE_INTERVAL) - 2,
           "#{missed.size} uploads of the outage's intervals: #{froms} (down #{down_at}, up #{up_at})")
    missed.each do |u|
      total = Clients.pprof_total(u.body_path)
      want = PUSH_OUTAGE_INTERVAL * 199 / 2
      assert(total >= want, "an interval of the outage [#{u.from}, #{u.until}) has #{total} samples, not #{want}+")
    end
  ensure
    target&.stop
    run&.stop
    back&.stop
    receiver&.stop(remove: true)
  end
end
