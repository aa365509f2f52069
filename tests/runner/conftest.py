"""Fixtures of the runner tests: real uvicorn servers on 127.0.0.1, a temporary store, the built viewer."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import spikeinterface_sortingview
from runner.app import create_app
from spikeinterface_sortingview.store import LocalStore
from tests.servers import ThreadServer, find_free_port

REPO = Path(__file__).resolve().parents[2]
VIEWER_SOURCE = Path(spikeinterface_sortingview.__file__).parent / "viewer"
NOT_SOURCES = {"node_modules", "dist", "dev"}


@pytest.fixture
def free_port() -> Callable[[], int]:
    """``free_port()``: a loopback port nothing listens on now."""
    return find_free_port


def raw_request(url: str, request_line: str) -> bytes:
    """Send a request line as written (no client-side path normalisation) and return the raw answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"{request_line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.fixture
def send_raw() -> Callable[[str, str], bytes]:
    """``send_raw(url, "GET /path HTTP/1.1")``: a request exactly as written, for paths clients would normalise."""
    return raw_request


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


@pytest.fixture
def serve_app() -> Iterator[Callable[..., str]]:
    """Start ``create_app(**kwargs)`` on a real server; returns its URL. Servers stop at the end of the test."""
    servers: list[ThreadServer] = []

    def start(**kwargs: object) -> str:
        server = ThreadServer(create_app(**kwargs)).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def runner_url(serve_app: Callable[..., str], store: LocalStore, tmp_path: Path) -> str:
    """A runner serving ``store`` with no viewer bundle."""
    return serve_app(store_dir=store.directory, viewer_dir=tmp_path / "no-viewer")


@pytest.fixture
def runner_env(tmp_path: Path) -> dict[str, str]:
    """Environment of CLI subprocesses: their own home (state files), store and config."""
    env = dict(os.environ)
    env["SORTINGVIEW_HOME"] = str(tmp_path / "home")
    env["SORTINGVIEW_STORE_DIR"] = str(tmp_path / "store")
    env.pop("SORTINGVIEW_ADDRESS", None)
    env.pop("SORTINGVIEW_CONFIG", None)
    return env


def viewer_source_hash() -> str:
    """Hash of the viewer's sources, naming a cached build."""
    digest = hashlib.sha1()
    for path in sorted(VIEWER_SOURCE.rglob("*")):
        relative = path.relative_to(VIEWER_SOURCE)
        if relative.parts[0] in NOT_SOURCES or any(p.startswith(".") for p in relative.parts) or not path.is_file():
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def viewer_dist() -> Path:
    """The viewer built from the current sources with `npm run build` (cached in test-artifacts/ by source hash).

    Built apart from ``viewer/dist`` so that a test never replaces the bundle someone is working with.
    """
    if not (VIEWER_SOURCE / "package.json").is_file():
        pytest.fail(f"{VIEWER_SOURCE} has no package.json: the viewer source is missing, so it cannot be built")
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed (Debian: apt-get install nodejs npm); the viewer cannot be built")
    out = REPO / "test-artifacts" / f"viewer-dist-{viewer_source_hash()}"
    if (out / "host.html").is_file() and (out / "index.html").is_file():
        return out
    for stale in out.parent.glob("viewer-dist-*"):
        shutil.rmtree(stale, ignore_errors=True)  # builds of older sources
    if not (VIEWER_SOURCE / "node_modules" / ".package-lock.json").is_file():
        subprocess.run([npm, "ci"], cwd=VIEWER_SOURCE, check=True, capture_output=True, timeout=600)
    result = subprocess.run(
        [npm, "run", "build", "--", "--outDir", str(out), "--emptyOutDir"],
        cwd=VIEWER_SOURCE,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"npm run build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return out
