#!/usr/bin/env python3
# A stand-in for a Pyroscope server for the --push tests: on 127.0.0.1 only, it answers
# POST /ingest with STATUS (200 by default) and keeps each request it got in DIR as N.body
# (the bytes) and N.json (path, query parameters, the headers the tests look at), N counting
# from the number of .json files already there (so that a receiver started again on the same
# port and directory goes on counting). It writes its port to DIR/port once listening, and
# stops on SIGTERM or after --lifetime seconds (the tests' bound), whichever comes first. With
# --tls CERT,KEY it serves https.
import argparse
import json
import os
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--status", type=int, default=200)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--tls", metavar="CERT,KEY", help="serve https with this certificate and key")
    args = ap.parse_args()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            url = urllib.parse.urlsplit(self.path)
            meta = {
                "path": url.path,
                "query": dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)),
                "raw_query": url.query,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "user_agent": self.headers.get("User-Agent"),
                "length": len(body),
            }
            with lock:
                i = len([f for f in os.listdir(args.dir) if f.endswith(".json")])
                with open(os.path.join(args.dir, "%d.body" % i), "wb") as f:
                    f.write(body)
                with open(os.path.join(args.dir, "%d.json.tmp" % i), "w") as f:
                    json.dump(meta, f)
                os.rename(os.path.join(args.dir, "%d.json.tmp" % i), os.path.join(args.dir, "%d.json" % i))
            self.send_response(args.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.tls:
        import ssl

        cert, key = args.tls.split(",", 1)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    with open(os.path.join(args.dir, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(os.path.join(args.dir, "port.tmp"), os.path.join(args.dir, "port"))
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    threading.Timer(args.lifetime, server.shutdown).start()
    server.serve_forever()
    server.server_close()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
