# Run by the launch tests through `rbprof-bpf -- ruby launch_split.rb [UID_FILE]`: three parts
# of CPU in heavy, one in light, then exit 3. With UID_FILE, writes Process.uid there first.
# Stops by itself (about 2 s).
File.write(ARGV[0], Process.uid.to_s) if ARGV[0]

def spin(seconds)
  deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
  x = 0
  x += 1 while Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline
  x
end

def heavy
  spin(1.5)
end

def light
  spin(0.5)
end

heavy
light
exit 3
