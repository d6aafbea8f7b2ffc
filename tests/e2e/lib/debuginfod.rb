# frozen_string_literal: true

require "fileutils"
require "shellwords"
require "tmpdir"

# A real debuginfod server (Debian's package) serving a directory of debug files, for the
# profiler to fetch from. debuginfod listens on every address, so it runs in a network
# namespace of its own, where only loopback exists and is up, and the profiler runs inside
# the same namespace (the profiled processes stay outside: no network is needed to sample
# them). The server is stopped when the profiler exits; everything is bounded in time.
module E2E
  module Debuginfod
    PORT = 8002
    READY_TRIES = 100 # x 0.2 s: the server scans its directory at start

    # The `wrap:` of a ProfilerRun that serves the files under +serve+ (nil: no server, so
    # that only the cache can answer) and caches downloads in +cache+.
    def self.wrap(serve, cache, build_id)
      url = "http://127.0.0.1:#{PORT}"
      server = serve ? <<~SH : ":"
        debuginfod -F -p #{PORT} -d #{Shellwords.escape(File.join(File.dirname(cache), "debuginfod.sqlite"))} \\
          #{Shellwords.escape(serve)} >/dev/null 2>&1 & server=$!
        trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
        i=0
        # a fresh cache each try: libdebuginfod remembers a miss (the server not up yet)
        until rm -rf #{Shellwords.escape(cache)}.probe &&
            DEBUGINFOD_URLS=#{url} DEBUGINFOD_CACHE_PATH=#{Shellwords.escape(cache)}.probe \\
            debuginfod-find debuginfo #{build_id} >/dev/null 2>&1; do
          i=$((i + 1)); [ $i -lt #{READY_TRIES} ] || { echo "debuginfod never served #{build_id}" >&2; exit 97; }
          sleep 0.2
        done
      SH
      script = <<~SH
        ip link set lo up || exit 96
        #{server}
        DEBUGINFOD_URLS=#{url} DEBUGINFOD_CACHE_PATH=#{Shellwords.escape(cache)} "$@"
      SH
      ["unshare", "--net", "--", "sh", "-c", script, "sh"]
    end

    def self.build_id(path)
      out = `readelf -n #{Shellwords.escape(path)}`
      out[/Build ID: ([0-9a-f]+)/, 1] or raise Failure, "#{path} has no build id"
    end
  end
end
