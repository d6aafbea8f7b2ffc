# frozen_string_literal: true

require "fileutils"
require "json"
require "tmpdir"
require_relative "../lib/clients"

# -f speedscope / -o FILE.json: speedscope's own file format, read back by Ruby's JSON parser
# and opened in the real speedscope app (headless Chromium, tests/clients/speedscope_check.js).
module E2E
  SPEEDSCOPE_MIN_SHARE_PERCENT = 80

  SPEEDSCOPE = format_onces("profile.json", basic: ["basic.rb"], threads: ["threads.rb", "--threads"],
                                            hostile: ["hostile.rb"])

  class Context
    # once's run: [run, its target, its file parsed, its profiles' names], after the checks
    # every speedscope run must pass.
    def speedscope_run(once)
      run = format_run(once)
      json = speedscope_file(run)
      [run, run[:target], json, json["profiles"].map { |p| p["name"] }]
    end

    def speedscope_file(run)
      json = JSON.parse(run[:data]) rescue nil # rubocop:disable Style/RescueModifier
      assert(json, "not JSON: #{run[:data][0, 300].inspect}")
      assert(json["$schema"] == "https://www.speedscope.app/file-format-schema.json", "$schema: #{json['$schema']}")
      assert(json["exporter"] == "rbprof-bpf" && json["activeProfileIndex"].zero?, "exporter, activeProfileIndex")
      period = SampleClock.period_ns(run[:result])
      assert(period, "no 'sampled at' line: #{run[:result].stderr_lines.first(2)}")
      json["profiles"].each { |p| check_sampled(p, json["shared"]["frames"].size, period) }
      json
    end

    # A sampled profile in CPU ns: one weight per sample, each a number of periods (the CPU ns
    # a sample stands for), summed in endValue; every frame index in range.
    def check_sampled(profile, nframes, period)
      weights = profile["weights"]
      assert(profile["type"] == "sampled" && profile["unit"] == "nanoseconds" && profile["startValue"].zero?,
             "profile #{profile['name']}: type #{profile['type']}, unit #{profile['unit']}")
      assert(weights.size == profile["samples"].size, "#{weights.size} weights, #{profile['samples'].size} samples")
      assert(profile["endValue"] == weights.sum, "endValue #{profile['endValue']} != #{weights.sum}")
      assert(weights.all? { |w| w.positive? && (w % period).zero? }, "a weight not n * #{period}")
      bad = profile["samples"].flatten.find { |i| !(0...nframes).cover?(i) }
      assert(bad.nil?, "frame index #{bad} out of 0...#{nframes}")
    end

    # speedscope_check.js on the run's file: loaded, no page or console error, schema-valid.
    def speedscope_app(run, *names)
      Dir.mktmpdir("rbprof-e2e-speedscope") do |dir|
        path = File.join(dir, "profile.json")
        File.binwrite(path, run[:data])
        report = Clients.speedscope(path, *names)
        assert(report["schema_errors"].empty?, "not speedscope's schema: #{report['schema_errors'].first(5)}")
        assert(report["page_errors"].empty?, "page errors: #{report['page_errors'].first(5)}")
        assert(report["console_errors"].empty?, "console errors: #{report['console_errors'].first(5)}")
        assert(report["loaded"] && report["sandwich"], "not loaded, or no Sandwich table: #{report}")
        report
      end
    end

    # The frames of a sample, root first: [name, file, line].
    def sample_frames(json, sample)
      sample.map { |i| json["shared"]["frames"][i].values_at("name", "file", "line") }
    end
  end

  test "formats: speedscope: -o FILE.json is one sampled profile of CPU ns, <main> -> run -> burn root first" do
    run, target, json, names = speedscope_run(SPEEDSCOPE[:basic])
    assert(names == ["#{target.comm} [#{target.pid}]"], "profiles #{names}, expected one per process")
    profile = json["profiles"].first
    path = target.path
    want = [["<main>", target.line_of("CALL:run")], ["Object#run", target.line_of("CALL:burn")],
            ["Object#burn", target.loop_lines("burn")]]
    good = profile["samples"].zip(profile["weights"]).select do |s, _|
      f = sample_frames(json, s)
      f.size == 3 && want.zip(f).all? { |(label, lines), (n, file, line)| n == label && file == path && lines === line }
    end
    share = percent(good.sum { |_, w| w }, profile["endValue"])
    assert(share >= SPEEDSCOPE_MIN_SHARE_PERCENT, "only #{share.round(1)}% of the weight is <main> -> run -> burn")
    count = run[:result].stderr_lines.grep(/process #{target.pid} .*: (\d+) samples\z/).first.to_s[/(\d+) samples\z/, 1]
    period = SampleClock.period_ns(run[:result])
    assert(count.to_i * period == profile["endValue"], "endValue #{profile['endValue']}, summary #{count} samples of #{period} ns")
  end

  test "formats: speedscope: the speedscope app loads it, no error, its Sandwich view lists Object#burn" do
    report = speedscope_app(SPEEDSCOPE[:basic].get, "Object#burn", "Object#run")
    assert(report["found"].values.all?, "not in the Sandwich table: #{report['found']}; page: #{report['toolbar']}")
  end

  test "formats: speedscope: --threads makes each thread a profile, COMM [PID] thread NAME [TID], the app's selector shows them" do
    run, target, json, names = speedscope_run(SPEEDSCOPE[:threads])
    THREAD_METHODS.each do |m|
      want = /\A#{Regexp.escape(target.comm)} \[#{target.pid}\] thread #{m} \[\d+\]\z/
      profiles = json["profiles"].select { |p| want.match?(p["name"]) }
      assert(profiles.size == 1, "#{profiles.size} profiles named like #{want.source}; profiles: #{names}")
      leaves = profiles.first["samples"].map { |s| s.empty? ? nil : json["shared"]["frames"][s.last]["name"] }
      burns = leaves.grep(/\AObject#burn_/).uniq
      assert(burns == ["Object##{m}"], "thread #{m}'s profile has the leaves #{burns}")
    end
    frames = json["shared"]["frames"].map { |f| f["name"] }.grep(/\Athread /)
    assert(frames.empty?, "thread frames in the frames: #{frames}")
    report = speedscope_app(run, "Object#burn_")
    assert(report["toolbar"].include?("(1/#{names.size})"), "the selector shows no 1/#{names.size}: #{report['toolbar']}")
    assert(report["toolbar"].include?(names.first), "the selector does not show #{names.first}: #{report['toolbar']}")
    assert(report["found"]["Object#burn_"], "no burn_ method in the Sandwich table: #{report['toolbar']}")
  end

  test "formats: speedscope: hostile method and file names parse as JSON, round-trip cleaned, load in the app" do
    run, target, json, = speedscope_run(SPEEDSCOPE[:hostile])
    frames = json["shared"]["frames"]
    assert(frames.all? { |f| f["name"].valid_encoding? && (f["file"].nil? || f["file"].valid_encoding?) }, "invalid UTF-8")
    files = frames.map { |f| f["file"] }.compact.uniq
    assert(files == [target.path], "files #{files.inspect}, expected [#{target.path.inspect}]")
    names = frames.map { |f| f["name"] }
    Hostile.labels.each do |label|
      assert(names.include?(label), "no frame #{label.inspect}; frames: #{names.uniq.first(12).inspect}")
    end
    report = speedscope_app(run, *Hostile.labels)
    assert(report["found"].values.all?, "not in the Sandwich table: #{report['found']}")
  end
end
