"""A tiny Task Execution API for the client's tests: records every request, answers from a script."""

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SDK_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SDK_DIR not in sys.path:
    sys.path.insert(0, SDK_DIR)


class FakeExecutionApi:
    """`answers` maps (METHOD, path) to a list of (status, json body) used in turn (the last one repeats)."""

    def __init__(self):
        self.requests = []
        self.answers = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append({
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": json.loads(raw) if raw else None,
                    })
                    queue = fake.answers.get((self.command, self.path))
                    if queue:
                        status, body = queue.pop(0) if len(queue) > 1 else queue[0]
                    else:
                        status, body = 404, {"detail": {"reason": "no_route", "message": "fake has no answer"}}
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if payload:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_PUT = do_PATCH = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, method, path, *responses):
        self.answers[(method, path)] = list(responses)

    def calls(self, method, path_part=""):
        with self.lock:
            return [r for r in self.requests if r["method"] == method and path_part in r["path"]]
