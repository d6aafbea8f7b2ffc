# frozen_string_literal: true

# A real Rails application (programs/rails_shop, Debian's ruby-rails) under puma and load:
# every frame of the application's own controllers and models names its class, in every
# run (the owners are captured with the frames, at sample time, however briefly they ran);
# compiled ERB templates are labelled by their template's path, with their lines; and no
# label carries a value of one process (an address, ActionView's per-process hash and id),
# so that the workers of a cluster merge into one flame graph.
module E2E
  RAILS_PROFILE_SECONDS = 4
  # Each template and the lines its frames may show: its own, and the two after the last
  # that ActionView's compiled method ends with (a sample at its return).
  RAILS_TEMPLATES = { "app/views/products/index.html.erb" => 1..11,
                      "app/views/products/_row.html.erb" => 1..3 }.freeze
  # The methods of the application's classes that run on every request.
  RAILS_METHODS = %w[ProductsController#index Product.price_stats Product.volatility
                     Product#label].freeze
  # The share of samples whose innermost Ruby frame may lack its class: those that have no
  # owner to show are not counted (below); this bounds what is left.
  RAILS_CLASSLESS_MAX = 0.02

  # A Ruby frame's label that names an owner: "Foo#bar", "Foo::Bar.baz", "block in Foo#bar".
  OWNED_LABEL = /(?:\A|\bin )[A-Z][\w:]*[#.][^\s;]/
  # Frames that have no owner to name, as Ruby's own backtraces write them: "<main>",
  # "block in <class:Foo>", a template ("app/views/x.html.erb", "block in ..." of one).
  OWNERLESS_LABEL = %r{<[^>]*>|\A(?:block (?:\(\d+ levels\) )?in )?\S*/\S*\.\w+\z}

  # The checks of both tests (they raise Failure as the assertions do).
  module RailsChecks
    extend Assertions

    def self.app_frame?(frame)
      frame.path&.start_with?(File.join(RailsApp::DIR, "app/controllers/"),
                              File.join(RailsApp::DIR, "app/models/"))
    end

    def self.classless?(frame)
      frame.path && !OWNED_LABEL.match?(frame.label) && !OWNERLESS_LABEL.match?(frame.label)
    end

    # Every frame of the app's controllers and models names its class; its methods are there.
    def self.assert_app_frames_classed(profile, where)
      app = profile.stacks.flat_map(&:frames).select { |f| app_frame?(f) && f.label !~ /<[^>]*>/ }
      bare = app.reject { |f| OWNED_LABEL.match?(f.label) }.map(&:to_s).uniq
      assert(bare.empty?, "#{where}: frames of the app without their class: #{bare.first(6)}")
      labels = app.map(&:label).uniq
      missing = RAILS_METHODS.reject { |m| labels.include?(m) }
      assert(missing.empty?, "#{where}: no frame of #{missing}; the app's frames: #{labels.first(12)}")
    end

    # Template frames are labelled by their template, at lines of that template.
    def self.assert_templates(stacks, where)
      frames = stacks.flat_map(&:frames)
      RAILS_TEMPLATES.each do |t, lines|
        mine = frames.select { |f| f.label == t || f.label.end_with?(" in #{t}") }
        assert(!mine.empty?, "#{where}: no frame labelled #{t}; " \
                             "template-like: #{frames.map(&:label).uniq.grep(/erb|_html/).first(8)}")
        wrong = mine.reject { |f| f.path&.end_with?("/#{t}") && lines.cover?(f.line) }
        assert(wrong.empty?, "#{where}: #{t} frames at other places: #{wrong.map(&:to_s).uniq.first(4)}")
      end
      unstable = frames.map(&:label).uniq.grep(/0x\h{6,}|__\d{5,}_\d+/)
      assert(unstable.empty?, "#{where}: labels with a per-process value: #{unstable.first(5)}")
    end
  end

  test "rails: every app frame has its class, <2% classless leaves, templates by path" do
    app = RailsApp.new(threads: 4)
    load = app.load(clients: 4, seconds: RAILS_PROFILE_SECONDS + 3)
    result = Profiler.run(["-d", RAILS_PROFILE_SECONDS])
    load.each(&:join)
    profile = assert_profiled(result).select { |s| app.serving_pids.include?(s.pid) }
    assert(profile.total > 50, "only #{profile.total} samples of puma")
    RailsChecks.assert_app_frames_classed(profile, "puma")
    RailsChecks.assert_templates(profile.stacks, "puma")
    assert(profile.stacks.flat_map(&:labels).include?("block in app/views/products/index.html.erb"),
           "no block of the index template")
    leaves = profile.stacks.select { |s| s.frames.any?(&:path) }
    classless = leaves.select { |s| RailsChecks.classless?(s.frames.reverse.find(&:path)) }
    share = classless.sum(&:count).fdiv(leaves.sum(&:count))
    worst = classless.group_by { |s| s.frames.reverse.find(&:path).to_s }
                     .transform_values { |ss| ss.sum(&:count) }.max_by(5) { |_, n| n }
    assert(share < RAILS_CLASSLESS_MAX,
           format("%.1f%% of %d samples have a classless innermost Ruby frame; most: %s",
                  share * 100, leaves.sum(&:count), worst))
  ensure
    app&.stop
  end

  test "rails: two puma workers give each template and app method one label" do
    app = RailsApp.new(threads: 2, workers: 2)
    load = app.load(clients: 4, seconds: RAILS_PROFILE_SECONDS + 3)
    result = Profiler.run(["-d", RAILS_PROFILE_SECONDS])
    load.each(&:join)
    profile = assert_profiled(result)
    workers = app.serving_pids
    assert(workers.size == 2, "expected 2 workers, found #{workers}")
    per_worker = workers.map { |pid| profile.for_pid(pid) }
    workers.zip(per_worker).each do |pid, p|
      RailsChecks.assert_app_frames_classed(p, "worker #{pid}")
      RailsChecks.assert_templates(p.stacks, "worker #{pid}")
    end
    # Each place of the app's code and templates has one method label, the same in both
    # workers (a line may hold a method's frame and a block's: "block in" is left out).
    by_place = Hash.new { |h, k| h[k] = [] }
    per_worker.flat_map { |p| p.stacks.flat_map(&:frames) }
              .select { |f| RailsChecks.app_frame?(f) || f.path&.include?("/app/views/") }
              .each do |f|
                by_place["#{f.path}:#{f.line}"] << f.label.sub(/\A(?:block|rescue|ensure)(?: \(\d+ levels\))? in /, "")
              end
    split = by_place.transform_values(&:uniq).select { |_, ls| ls.size > 1 }
    assert(split.empty?, "places with several labels: #{split.first(3)}")
  ensure
    app&.stop
  end
end
