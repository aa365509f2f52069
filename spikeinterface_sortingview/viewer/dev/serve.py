"""Development server for the viewer: the runner's routes, with only the standard library.

    python dev/serve.py --store dev/store --port 8765

GET /f -> dist/host.html, GET /viewer/<path> -> dist/<path>, GET /sha1/<hash> (Range
honoured), POST /sha1 (store bytes), POST /api (503 until the compute API exists).
Files are kept as <store>/sha1/aa/bb/cc/<hash>, the kachery layout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SHA1_PATH = re.compile(r"^/sha1/([0-9a-f]{40})$")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def sha1_file(store: Path, h: str) -> Path:
    return store / "sha1" / h[0:2] / h[2:4] / h[4:6] / h


class Handler(BaseHTTPRequestHandler):
    store: Path
    dist: Path

    def log_message(self, format: str, *args: object) -> None:  # quiet by default
        pass

    def send_bytes(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, obj: object) -> None:
        self.send_bytes(status, json.dumps(obj).encode(), "application/json")

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        if path == "/f":
            return self.send_file(self.dist / "host.html")
        if path.startswith("/viewer/"):
            target = (self.dist / path[len("/viewer/"):]).resolve()
            if self.dist.resolve() not in target.parents:
                return self.send_json(404, {"error": "not found"})
            return self.send_file(target)
        m = SHA1_PATH.match(path)
        if m:
            return self.send_sha1(m.group(1))
        self.send_json(404, {"error": "not found"})

    do_HEAD = do_GET

    def send_file(self, p: Path) -> None:
        if not p.is_file():
            return self.send_json(404, {"error": "not found"})
        ctype = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
        self.send_bytes(200, p.read_bytes(), ctype)

    def send_sha1(self, h: str) -> None:
        p = sha1_file(self.store, h)
        if not p.is_file():
            return self.send_json(404, {"error": f"sha1://{h} not found"})
        data = p.read_bytes()
        rng = self.headers.get("Range")
        if rng and (m := RANGE.match(rng.strip())):
            start = int(m.group(1) or 0)
            end = int(m.group(2)) if m.group(2) else len(data) - 1
            end = min(end, len(data) - 1)
            if start > end:
                return self.send_bytes(416, b"", "application/octet-stream", {"Content-Range": f"bytes */{len(data)}"})
            return self.send_bytes(206, data[start : end + 1], "application/octet-stream", {"Content-Range": f"bytes {start}-{end}/{len(data)}"})
        self.send_bytes(200, data, "application/octet-stream", {"Accept-Ranges": "bytes"})

    def do_POST(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if path == "/sha1":
            h = hashlib.sha1(body).hexdigest()
            p = sha1_file(self.store, h)
            p.parent.mkdir(parents=True, exist_ok=True)
            if not p.exists():
                p.write_bytes(body)
            return self.send_json(200, {"uri": f"sha1://{h}"})
        if path == "/api":
            return self.send_json(503, {"type": "serviceQueryResponse", "errorMessage": "The compute API is not available on the development server"})
        self.send_json(404, {"error": "not found"})


def main() -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(here / "store"))
    ap.add_argument("--dist", default=str(here.parent / "dist"))
    ap.add_argument("--port", type=int, default=8765)
    args = ap.parse_args()
    Handler.store = Path(args.store)
    Handler.dist = Path(args.dist)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"serving on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
