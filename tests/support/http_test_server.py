#!/usr/bin/python3
"""A scriptable HTTP/1.1 server for tests of Gantry's HTTP client and http kind.

Every request's query string says how to answer it, so a test (or a worker's
--http-kind URL) picks the behaviour per URL:

  status=N          answer with status N (default 200)
  header=Name:Value add a response header (repeatable)
  body=TEXT         the response body (default: none)
  echo=1            the response body is the request's body
  body_bytes=N      the response body is N bytes of 'x'
  delay_ms=N        wait this long before answering
  fail_first=N      only the first N requests with the same path, query and
                    Gantry-Job-Id header get the above; later ones get 200
                    with body "ok"

Listens on 127.0.0.1 on a free port and writes the port to --port-file
(atomically). With --tls-dir it serves HTTPS with a fresh self-signed
certificate for 127.0.0.1 and localhost, written there as cert.pem (the CA
file to trust) and key.pem. Every request is appended to --requests as one
JSON object: method, path, query, headers (lowercase names), body,
connection (a number per TCP connection, from 1), received_ms (monotonic).
Exits 0 on SIGTERM. Only the standard library and the openssl CLI.
"""

import argparse
import itertools
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--requests", required=True, help="requests, one JSON object a line")
    p.add_argument("--tls-dir", help="serve HTTPS with a self-signed certificate made here")
    return p.parse_args()


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


class State:
    def __init__(self, requests_path):
        self.lock = threading.Lock()
        self.requests = open(requests_path, "a", encoding="utf-8")
        self.connections = itertools.count(1)
        self.seen = {}  # (path, query, job id) -> requests so far

    def record(self, entry):
        with self.lock:
            self.requests.write(json.dumps(entry) + "\n")
            self.requests.flush()

    def count(self, key):
        with self.lock:
            self.seen[key] = self.seen.get(key, 0) + 1
            return self.seen[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse shows
    state = None

    def setup(self):
        super().setup()
        self.connection_id = next(self.state.connections)

    def log_message(self, fmt, *args):
        sys.stderr.write("http_test_server: " + (fmt % args) + "\n")

    def answer(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        self.state.record({
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
            "connection": self.connection_id,
            "received_ms": int(time.monotonic() * 1000),
        })

        def first(name, default=None):
            return query.get(name, [default])[0]

        status = int(first("status", "200"))
        headers = [h.split(":", 1) for h in query.get("header", []) if ":" in h]
        reply = first("body", "").encode()
        if first("echo") == "1":
            reply = body
        if first("body_bytes") is not None:
            reply = b"x" * int(first("body_bytes"))
        fail_first = first("fail_first")
        if fail_first is not None:
            key = (url.path, url.query, self.headers.get("Gantry-Job-Id", ""))
            if self.state.count(key) > int(fail_first):
                status, headers, reply = 200, [], b"ok"
        delay_ms = int(first("delay_ms", "0"))
        if delay_ms > 0:
            time.sleep(delay_ms / 1000)
        try:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name.strip(), value.strip())
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout or cancel under test)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = answer


def main():
    args = parse_args()
    Handler.state = State(args.requests)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls_dir:
        cert, key = make_certificate(args.tls_dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
