# frozen_string_literal: true

require "fileutils"
require "json"
require "tmpdir"

# The --push tests' server: lib/pyroscope_receiver.py, a Python http.server on loopback that
# keeps every upload, run bounded in time and stopped by the test.
module E2E
  class Receiver
    SCRIPT = File.expand_path("pyroscope_receiver.py", __dir__)
    # The longest a receiver lives: past any test's run.
    LIFETIME = 300
    START_TIMEOUT = 10

    # One request the receiver got: its query's parameters, headers, and the body's path.
    Upload = Struct.new(:query, :authorization, :content_type, :path, :body_path, keyword_init: true) do
      def from = Integer(query["from"])
      def until = Integer(query["until"])
      def name = query["name"]

      # The labels of the series name "app{k=v,...}".
      def labels
        name[/\{(.*)\}\z/, 1].to_s.split(",").to_h { |kv| kv.split("=", 2) }
      end
    end

    attr_reader :dir, :port

    # A receiver answering `status` on a port of its own (or `port`), keeping uploads in dir;
    # with tls, over https with a certificate for 127.0.0.1 made for it (its CA: ca_file).
    def initialize(status: 200, port: 0, dir: nil, tls: false)
      @dir = dir || Dir.mktmpdir("rbprof-e2e-push")
      @own_dir = dir.nil?
      File.delete(File.join(@dir, "port")) if File.exist?(File.join(@dir, "port"))
      argv = ["python3", SCRIPT, @dir, "--port", port.to_s, "--status", status.to_s, "--lifetime", LIFETIME.to_s]
      argv += ["--tls", make_certificate.join(",")] if tls
      @tls = tls
      @child = Child.new(argv, in: File::NULL, out: File::NULL, err: File::NULL)
      deadline = Clock.now + START_TIMEOUT
      until File.exist?(File.join(@dir, "port"))
        raise Failure, "the receiver did not start" if Clock.now > deadline || !@child.running?

        sleep Child::POLL_INTERVAL
      end
      @port = Integer(File.read(File.join(@dir, "port")))
    end

    def url
      "#{@tls ? 'https' : 'http'}://127.0.0.1:#{@port}"
    end

    # The self-signed certificate of a tls receiver: the one CA its clients must trust.
    def ca_file
      File.join(@cert_dir, "cert.pem")
    end

    # A self-signed certificate for 127.0.0.1, in a directory of its own: [cert, key].
    def make_certificate
      @cert_dir = Dir.mktmpdir("rbprof-e2e-tls")
      cert = File.join(@cert_dir, "cert.pem")
      key = File.join(@cert_dir, "key.pem")
      ok = system("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                  "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert, out: File::NULL, err: File::NULL)
      raise Failure, "openssl could not make the receiver's certificate" unless ok

      [cert, key]
    end

    # The uploads so far, in the order received.
    def uploads
      Dir.glob(File.join(@dir, "*.json")).sort_by { |f| Integer(File.basename(f, ".json")) }.map do |f|
        m = JSON.parse(File.read(f))
        Upload.new(query: m["query"], authorization: m["authorization"], content_type: m["content_type"],
                   path: m["path"], body_path: f.sub(/\.json\z/, ".body"))
      end
    end

    # Stops it (its uploads stay, unless it made its directory and `remove`).
    def stop(remove: false)
      @child.kill
      FileUtils.rm_rf(@dir) if remove && @own_dir
      FileUtils.rm_rf(@cert_dir) if remove && @cert_dir
    end
  end
end
