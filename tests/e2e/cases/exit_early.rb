# frozen_string_literal: true

# A process that exits while being profiled keeps its symbolized frames.
module E2E
  test "exit: a process exiting mid-profile keeps symbolized frames" do
    target = Target.ruby("exit_early.rb")
    run = Profiler.start(["-p", target.pid, "-d", 3, "-F", 199])
    run.wait_attached # the target burns only once sampling runs
    target.go
    assert(target.wait(5), "target did not exit by itself within 5 s")
    mine = stacks_of(assert_profiled(run.finish(3 + Profiler::SLACK)), target)
    burn = mine.select { |s| s.frames.size == 2 && frame_is?(s.frames[1], "Object#burn", target.path, target.loop_lines("burn")) }
    assert(burn.total >= 20, "only #{burn.total} samples are '<main>;burn (#{target.path}:loop)' " \
                             "out of #{mine.total}; top stacks:\n#{mine.top}")
    main = burn.stacks.map { |s| s.frames[0] }.uniq
    assert(main.all? { |f| frame_is?(f, "<main>", target.path, target.line_of("CALL:burn")) },
           "root frames: #{main.map(&:to_s).inspect}")
  ensure
    run&.stop
    target&.stop
  end
end
