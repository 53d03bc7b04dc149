#!/usr/bin/python3
"""A stand-in OpenTelemetry collector for tests: OTLP/HTTP traces, protobuf.

Decodes ExportTraceServiceRequest with Python modules that protoc generated
from the vendored official .proto files (proto/otel), so what it reports does
not depend on Gantry's C++ encoder. Listens on 127.0.0.1 on a free port,
writes that port to --port-file (atomically), and for every accepted request
appends one JSON object per span to --out:

  trace_id, span_id, parent_span_id (lowercase hex; "" for none), name,
  kind (int), flags, start_ns, end_ns, attributes (flat dict), links
  [{trace_id, span_id}], status {code, message}, events (names),
  event_attributes (one dict per event), resource (flat dict), scope (name)

--requests, if given, gets one JSON object per request: path, status
answered, content_type, headers (lowercase names), spans. --status answers
requests with that HTTP status instead of accepting them (all of them, or
only the first --fail-first), with Retry-After: --retry-after if given.
--reject-spans answers accepted requests with partial_success.rejected_spans.
Exits 0 on SIGTERM. Needs python3-protobuf: run it with /usr/bin/python3.
"""

import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--proto-dir", required=True, help="where protoc --python_out wrote")
    p.add_argument("--port-file", required=True)
    p.add_argument("--out", required=True, help="spans, one JSON object a line")
    p.add_argument("--requests", help="requests, one JSON object a line")
    p.add_argument("--status", type=int, default=200)
    p.add_argument("--fail-first", type=int, default=-1,
                   help="answer only the first N requests with --status (default: all)")
    p.add_argument("--retry-after", help="Retry-After value sent with --status")
    p.add_argument("--reject-spans", type=int, default=0)
    return p.parse_args()


def any_value(v):
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return attributes(v.kvlist_value.values)
    if kind == "bytes_value":
        return v.bytes_value.hex()
    return getattr(v, kind)


def attributes(kvs):
    return {kv.key: any_value(kv.value) for kv in kvs}


def span_records(request):
    for rs in request.resource_spans:
        resource = attributes(rs.resource.attributes)
        for ss in rs.scope_spans:
            for s in ss.spans:
                yield {
                    "trace_id": s.trace_id.hex(),
                    "span_id": s.span_id.hex(),
                    "parent_span_id": s.parent_span_id.hex(),
                    "name": s.name,
                    "kind": int(s.kind),
                    "flags": s.flags,
                    "start_ns": s.start_time_unix_nano,
                    "end_ns": s.end_time_unix_nano,
                    "attributes": attributes(s.attributes),
                    "links": [{"trace_id": l.trace_id.hex(), "span_id": l.span_id.hex()}
                              for l in s.links],
                    "status": {"code": int(s.status.code), "message": s.status.message},
                    "events": [e.name for e in s.events],
                    "event_attributes": [attributes(e.attributes) for e in s.events],
                    "resource": resource,
                    "scope": ss.scope.name,
                }


def main():
    args = parse_args()
    sys.path.insert(0, args.proto_dir)
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as pb

    lock = threading.Lock()
    state = {"requests": 0}

    def append(path, lines):
        if path and lines:
            with open(path, "a", encoding="utf-8") as f:
                f.write("".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as collectors do

        def answer(self, status, body=b"", content_type="application/x-protobuf", extra=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            content_type = self.headers.get("Content-Type", "")
            request = pb.ExportTraceServiceRequest()
            status, spans, extra = 200, [], []
            with lock:
                state["requests"] += 1
                failing = args.fail_first < 0 or state["requests"] <= args.fail_first
                if self.path != "/v1/traces":
                    status = 404
                elif content_type != "application/x-protobuf":
                    status = 415
                elif args.status != 200 and failing:
                    status = args.status
                    if args.retry_after is not None:
                        extra.append(("Retry-After", args.retry_after))
                else:
                    try:
                        request.ParseFromString(body)
                        spans = list(span_records(request))
                    except Exception:  # noqa: BLE001 - any decode failure is a 400
                        status = 400
                append(args.out, spans)
                append(args.requests, [{
                    "path": self.path,
                    "status": status,
                    "content_type": content_type,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "spans": len(spans),
                }])
            response = pb.ExportTraceServiceResponse()
            if status == 200 and args.reject_spans:
                response.partial_success.rejected_spans = args.reject_spans
                response.partial_success.error_message = "rejected by the test receiver"
            self.answer(status, response.SerializeToString() if status == 200 else b"", extra=extra)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def stop(*_):
        # shutdown() waits for serve_forever, so it cannot run on its thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.05)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
