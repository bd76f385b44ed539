"""A webhook receiver on loopback for the tests: records every delivery and
answers with the statuses it is told to."""

import http.server
import json
import threading
import time
from dataclasses import dataclass


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


class Receiver:
    def __init__(self, statuses=(), delays=(), location=""):
        self.received = []
        self.statuses = list(statuses)  # answered in turn, then 200
        self.delays = list(delays)  # seconds before answering, in turn, then 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(dict(self.headers), body))
                time.sleep(receiver.delays.pop(0) if receiver.delays else 0)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.received
