# frozen_string_literal: true

require "fileutils"
require "json"
require "rexml/document"
require "tmpdir"

# -o FILE.svg: a flame graph an XML parser reads back (xmllint, REXML) and a browser works as a
# user would (headless Chromium over the DevTools protocol, tests/clients/svg_check.js): a
# click zooms to the hot method, a search says the share of samples it holds, both reset, a
# screenshot that is not blank; names full of XML's specials stay escaped.
module E2E
  SVG_CLIENTS = File.join(REPO_ROOT, "tests", "clients")
  SVG_CHECK = File.join(SVG_CLIENTS, "svg_check.js")
  # s: launching Chromium, working the page and the screenshot take ~4 s on an idle machine
  SVG_CHECK_TIMEOUT = 90
  SVG_TITLE = /\A(.*) \((\d+) samples, [\d.]+%\)\z/m.freeze
  SVG_HOT = "Object#burn"
  # px: the width of the root's box (1200 px wide, 10 px each side)
  SVG_FULL_WIDTH = 1180.0
  # Ruby methods of the hostile program (an ordinary class name: a constant cannot hold them)
  SVG_HOSTILE = "Hostile#ev<il&\"q'x]]>y\\x0az"
  SVG_HOSTILE_DIR = "d&<'q]]>"

  # Profiles +program+ (run from +path+ if given) to an .svg in a directory of its own, checks
  # the run, and works the file in Chromium.
  def self.svg_once(program, hot, dir_name: nil)
    Once.new do
      dir = Dir.mktmpdir("rbprof-e2e-svg")
      at_exit { FileUtils.rm_rf(dir) }
      path = nil
      if dir_name
        FileUtils.mkdir_p(File.join(dir, dir_name))
        path = File.join(dir, dir_name, "prog.rb")
        FileUtils.cp(File.join(Target::PROGRAMS, program), path)
      end
      target = Target.ruby(program, path: path)
      svg = File.join(dir, "profile.svg")
      result = Profiler.run(["-p", target.pid, "-d", 2, "-F", 199, "-o", svg])
      { target: target, result: result, svg: svg, dir: dir, hot: hot }
    ensure
      target&.stop
    end
  end

  SVG_BASIC = svg_once("basic.rb", SVG_HOT)
  SVG_HOSTILE_RUN = svg_once("hostile_names.rb", SVG_HOSTILE, dir_name: SVG_HOSTILE_DIR)

  class Context
    # The run's .svg, written and read back by xmllint.
    def svg_written(run)
      assert_exit(run[:result], 0)
      assert(run[:result].stdout.empty?, "stdout not empty with -o: #{run[:result].stdout[0, 200].inspect}")
      assert(File.size?(run[:svg]), "#{run[:svg]} not written")
      lint = Child.new(["xmllint", "--noout", run[:svg]], out: File::NULL,
                                                         err: File.join(run[:dir], "xmllint.err"))
      status = lint.wait(30)
      assert(status&.success?, "xmllint --noout: #{File.read(File.join(run[:dir], 'xmllint.err'))[0, 1500]}")
      File.binread(run[:svg])
    end

    # Each box's name and samples, as an XML parser reads its <title>.
    def svg_boxes(svg)
      doc = REXML::Document.new(svg)
      frames = REXML::XPath.first(doc, "//*[@id='frames']")
      assert(frames, "no <g id=\"frames\">")
      frames.elements.map do |g|
        m = SVG_TITLE.match(g.elements["title"].text.to_s)
        assert(m, "a box's title without its counts: #{g.elements['title'].text.inspect}")
        { name: m[1], samples: m[2].to_i, fold: g.attributes["class"] == "fold" }
      end
    end

    # What svg_check.js saw of the run's .svg in Chromium (once per run: the result is kept).
    def svg_browsed(run)
      run[:browsed] ||= begin
        svg_written(run)
        assert(File.directory?(File.join(SVG_CLIENTS, "node_modules", "puppeteer-core")),
               "no puppeteer-core in #{SVG_CLIENTS}/node_modules: run scripts/install-deps.sh")
        out = File.join(run[:dir], "check.json")
        err = File.join(run[:dir], "check.err")
        shot = File.join(run[:dir], "shot.png")
        node = Child.new(["node", SVG_CHECK, run[:svg], run[:hot], shot], out: out, err: err)
        status = node.wait(SVG_CHECK_TIMEOUT)
        node.kill unless status
        assert(status&.success?, "svg_check.js #{status ? "exit #{status.exitstatus}" : 'timed out'}: " \
                                 "#{File.read(err)[0, 2000]}")
        JSON.parse(File.read(out))
      end
    end

    # The share of all samples in boxes named like +label+ (a method that never calls itself).
    def svg_share(boxes, label)
      total = boxes.find { |b| b[:name] == "all" }[:samples]
      held = boxes.select { |b| b[:name].start_with?("#{label} (") }.sum { |b| b[:samples] }
      percent(held, total)
    end
  end

  test "formats: svg: valid XML, all > process > <main> > run > burn, the title says the run" do
    run = SVG_BASIC.get
    target = run[:target]
    svg = svg_written(run)
    boxes = svg_boxes(svg)
    all = boxes.find { |b| b[:name] == "all" }
    procs = boxes.select { |b| b[:name] == "#{target.comm} [#{target.pid}]" }
    assert(all && all[:samples].positive?, "no root box 'all' with samples: #{boxes.first(3)}")
    assert(procs.size == 1 && procs[0][:samples] == all[:samples],
           "process box #{target.comm} [#{target.pid}]: #{procs.inspect}, all: #{all[:samples]}")
    path = target.path
    %W[<main>\ (#{path}: Object#run\ (#{path}: Object#burn\ (#{path}:].each do |prefix|
      assert(boxes.any? { |b| b[:name].start_with?(prefix) }, "no box #{prefix}..; boxes: #{boxes.map { |b| b[:name] }.first(8)}")
    end
    assert(svg_share(boxes, SVG_HOT) >= BASIC_MIN_SHARE_PERCENT, "burn holds #{svg_share(boxes, SVG_HOT)}%")
    doc = REXML::Document.new(svg)
    title = REXML::XPath.first(doc, "//*[@id='title']").text
    subtitle = REXML::XPath.first(doc, "//*[@id='subtitle']").text
    assert(title.include?("-o #{run[:svg]}") || title.end_with?(".."), "title #{title.inspect}: not the command line")
    rate = run[:result].stderr_lines.grep(/\Arbprof-bpf: sampled at /).first.to_s[/at ([\d.]+ Hz( on the scheduler tick)?)/, 1]
    assert(rate, "no 'sampled at' line in the summary")
    assert(subtitle.match?(/\A2\.\d s at #{Regexp.escape(rate)}, #{all[:samples]} samples\z/), "subtitle #{subtitle.inspect}, rate #{rate}")
    assert(svg.scan("]]>").size == 1, "']]>' #{svg.scan(']]>').size} times: only the script's CDATA may end")
  end

  test "formats: svg: Chromium: a click zooms to the hot method (full width, siblings hidden), Reset zoom undoes it" do
    got = svg_browsed(SVG_BASIC.get)
    assert(got["errors"].empty?, "page errors: #{got['errors']}")
    zoom = got["zoom"]
    assert(zoom, "no box of #{SVG_HOT} in the page: #{got['names']}")
    assert((zoom["after"] - SVG_FULL_WIDTH).abs <= 1.0, "#{zoom['name']}: #{zoom['before']} px, after the click #{zoom['after']} px")
    assert(zoom["siblings"].positive? && zoom["siblings_hidden"] == zoom["siblings"],
           "#{zoom['siblings_hidden']} of #{zoom['siblings']} siblings hidden after the click")
    assert(zoom["dimmed"] >= 4, "#{zoom['dimmed']} ancestors dimmed (all, process, <main>, run)")
    assert(zoom["unzoom_shown"] && zoom["overflow"].zero?, "zoomed: Reset zoom shown #{zoom['unzoom_shown']}, #{zoom['overflow']} labels overflow")
    assert(got["details"].start_with?(zoom["name"]) && got["details"].include?(" samples, "),
           "details line on hover: #{got['details'].inspect}")
    unzoom = got["unzoom"]
    assert((unzoom["width"] - zoom["before"]).abs < 0.01 && unzoom["hidden"].zero? && unzoom["dimmed"].zero?,
           "after Reset zoom: #{unzoom}, width before the click #{zoom['before']}")
  end

  test "formats: svg: Chromium: Search, Ctrl-F and '/' say the share the titles count; Reset search clears it" do
    run = SVG_BASIC.get
    got = svg_browsed(run)
    want = svg_share(svg_boxes(File.binread(run[:svg])), SVG_HOT)
    search = got["search"]
    matched = search["clicked"][/\AMatched: ([\d.]+)%\z/, 1]
    assert(matched && (matched.to_f - want).abs <= 1.0, "#{search['clicked'].inspect}, the titles say #{want.round(1)}%")
    assert(search["magenta"].positive?, "no box highlighted by the search")
    assert(search["after_reset"].empty? && search["magenta_after_reset"].zero?, "after Reset search: #{search}")
    assert(search["ctrl_f"] == search["clicked"] && search["slash"] == search["clicked"],
           "Ctrl-F: #{search['ctrl_f'].inspect}, '/': #{search['slash'].inspect}, Search: #{search['clicked'].inspect}")
  end

  test "formats: svg: Chromium: a screenshot that is not blank, no label over its box, colours by kind" do
    got = svg_browsed(SVG_BASIC.get)
    png = got["png"]
    assert(png["width"] == 1200 && png["height"].positive?, "screenshot #{png['width']}x#{png['height']}")
    assert(png["colours"] > 10, "screenshot of #{png['colours']} colours: blank")
    assert(got["overflow"].empty?, "labels wider than their box: #{got['overflow'].first(3)}")
    # the root, the process, Ruby frames: three kinds, three hues at least
    assert(got["fills"] >= 3, "#{got['fills']} fills among #{got['frames']} boxes")
  end

  test "formats: svg: hostile names (<&\"' ]]> newline) stay escaped: xmllint, Chromium, the label round-trips" do
    run = SVG_HOSTILE_RUN.get
    svg = svg_written(run)
    assert(svg.scan("]]>").size == 1, "']]>' #{svg.scan(']]>').size} times: a name ended the CDATA")
    name = "#{SVG_HOSTILE} (#{run[:target].path}:"
    parsed = svg_boxes(svg).map { |b| b[:name] }
    assert(parsed.any? { |n| n.start_with?(name) }, "no title #{name.inspect}..; titles: #{parsed.first(4)}")
    got = svg_browsed(run)
    assert(got["errors"].empty?, "page errors: #{got['errors']}")
    assert(got["names"].any? { |n| n.start_with?(name) }, "Chromium's titles: #{got['names'].first(4)}")
    assert(got["zoom"] && (got["zoom"]["after"] - SVG_FULL_WIDTH).abs <= 1.0, "zoom to the hostile method: #{got['zoom']}")
    matched = got["search"]["clicked"][/\AMatched: ([\d.]+)%\z/, 1]
    want = svg_share(svg_boxes(svg), SVG_HOSTILE)
    assert(matched && (matched.to_f - want).abs <= 1.0, "search for the hostile name: #{got['search']}, titles: #{want.round(1)}%")
  end
end
