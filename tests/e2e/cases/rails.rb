# frozen_string_literal: true

# A real Rails application (programs/rails_shop, Debian's ruby-rails) under puma and load:
# compiled ERB templates are labelled by their template's path, and no label carries a
# value of one process (an address, ActionView's per-process hash and id), so that the
# workers of a cluster merge into one flame graph.
module E2E
  RAILS_PROFILE_SECONDS = 4
  RAILS_TEMPLATES = %w[app/views/products/index.html.erb app/views/products/_row.html.erb].freeze

  test "rails: templates labelled by their path; no per-process value in any label" do
    app = RailsApp.new(threads: 4)
    load = app.load(clients: 4, seconds: RAILS_PROFILE_SECONDS + 3)
    result = Profiler.run(["-d", RAILS_PROFILE_SECONDS])
    load.each(&:join)
    profile = assert_profiled(result)
    mine = profile.stacks.select { |s| app.serving_pids.include?(s.pid) }
    assert(mine.sum(&:count) > 50, "only #{mine.sum(&:count)} samples of puma")
    labels = mine.flat_map(&:labels).uniq
    RAILS_TEMPLATES.each do |t|
      assert(labels.include?(t), "no frame labelled #{t}; template-like: #{labels.grep(/erb|_html/).first(8)}")
    end
    assert(labels.include?("block in app/views/products/index.html.erb"), "no block of the index template")
    unstable = labels.grep(/0x\h{6,}|__\d{5,}_\d+/)
    assert(unstable.empty?, "labels with a per-process value: #{unstable.first(5)}")
  ensure
    app&.stop
  end

  test "rails: two puma workers give their templates the same labels" do
    app = RailsApp.new(threads: 2, workers: 2)
    load = app.load(clients: 4, seconds: RAILS_PROFILE_SECONDS + 3)
    result = Profiler.run(["-d", RAILS_PROFILE_SECONDS])
    load.each(&:join)
    profile = assert_profiled(result)
    workers = app.serving_pids
    assert(workers.size == 2, "expected 2 workers, found #{workers}")
    per_worker = workers.map do |pid|
      profile.stacks.select { |s| s.pid == pid }.flat_map(&:labels).uniq
    end
    RAILS_TEMPLATES.each do |t|
      missing = workers.zip(per_worker).reject { |_, ls| ls.include?(t) }.map(&:first)
      assert(missing.empty?, "worker(s) #{missing} have no frame labelled #{t}")
    end
  ensure
    app&.stop
  end
end
