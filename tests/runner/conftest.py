"""Fixtures of the runner tests: real uvicorn servers on 127.0.0.1, a temporary store, the built viewer."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from runner.app import create_app
from spikeinterface_sortingview.store import LocalStore
from tests.servers import ThreadServer, find_free_port


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
    # Runners of these tests start Ray on their first compute request only, as they did before the runner started
    # it ahead; tests/runner/test_runner_prestart.py tests starting it ahead.
    env["SORTINGVIEW_PRESTART"] = "0"
    return env
