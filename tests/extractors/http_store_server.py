"""A small real HTTP server for tests: serves a store folder as a runner does (``GET /sha1/<hash>``, ranges, 404).

Use it in-process (``with serve_store(store) as server: server.url``) or as a script
(``python http_store_server.py <store dir>`` prints the URL, serves until killed).
It counts requests per hash, and can be told to corrupt the bytes of some files.
"""

from __future__ import annotations

import re
import sys
import threading
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from spikeinterface_sortingview.store import LocalStore

_PATH = re.compile(r"^/sha1/([0-9a-f]{40})$")
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


class StoreServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 over one LocalStore."""

    daemon_threads = True

    def __init__(self, store: LocalStore, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.store = store
        self.requests: Counter[str] = Counter()
        self.corrupt: set[str] = set()
        self._count_lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def count(self, sha1: str) -> None:
        with self._count_lock:
            self.requests[sha1] += 1


class _Handler(BaseHTTPRequestHandler):
    server: StoreServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        match = _PATH.match(self.path)
        if not match:
            return self._error(404, "not a /sha1/<hash> path")
        sha1 = match.group(1)
        self.server.count(sha1)
        path = self.server.store.file_path(f"sha1://{sha1}")
        if path is None:
            return self._error(404, f"sha1://{sha1} is not in the store")
        size = path.stat().st_size
        start, end, status = 0, size, 200
        range_header = self.headers.get("Range")
        if range_header:
            m = _RANGE.match(range_header)
            if not m or int(m.group(1)) >= max(size, 1):
                return self._error(416, "bad range")
            start = int(m.group(1))
            end = min(size, int(m.group(2)) + 1) if m.group(2) else size
            status = 206
        with open(path, "rb") as f:
            f.seek(start)
            body = f.read(end - start)
        if sha1 in self.server.corrupt and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        self.end_headers()
        self.wfile.write(body)

    def _error(self, code: int, message: str) -> None:
        body = message.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_store(store: LocalStore):
    """Serve ``store`` on a free port of 127.0.0.1 for the duration of the block."""
    server = StoreServer(store)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


if __name__ == "__main__":
    server = StoreServer(LocalStore(Path(sys.argv[1])))
    print(server.url, flush=True)
    server.serve_forever()
