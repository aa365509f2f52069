"""A runner with a token behind a reverse proxy that serves it under a path (``https://lab.org/sv``): publishing
to it and reading a recording from it go through the prefix, with the token the configuration gives for that
prefixed address."""

from __future__ import annotations

import contextlib
import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.sharing import PublishError, publish_figure
from spikeinterface_sortingview.store.http import AccessRefusedError
from tests.runner.remote_runners import remote_runner
from tests.servers import find_free_port

PREFIX = "/sv"


@contextlib.contextmanager
def prefix_proxy(port: int, upstream: str) -> Iterator[str]:
    """``http://127.0.0.1:<port>/sv/...`` forwarded to ``<upstream>/...``, the prefix removed, as nginx's
    ``location /sv/ { proxy_pass <upstream>/; }`` does (``Host`` becomes the upstream's); other paths 404."""
    target = urlsplit(upstream)

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self) -> None:
            if not self.path.startswith(PREFIX + "/"):
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            try:
                connection.request(self.command, self.path[len(PREFIX) :], body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            finally:
                connection.close()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = forward

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def prefixed_runner(tmp_path):
    """Runner B (bound beyond loopback, with a token) reached only at ``http://127.0.0.1:<port>/sv``."""
    port = find_free_port()
    public = f"http://127.0.0.1:{port}{PREFIX}"
    with remote_runner(tmp_path / "b", args=("--no-compute", "--public-url", public)) as b:
        with prefix_proxy(port, b.url) as url:
            assert url == public
            yield b, url


def test_publish_and_load_recording_through_a_path_prefix_use_the_token_of_that_address(
    prefixed_runner, tmp_path, monkeypatch
):
    import spikeinterface.full as si

    b, url = prefixed_runner
    recording, sorting = si.generate_ground_truth_recording(durations=[3.0], num_channels=4, num_units=3, seed=4)
    figure = si.plot_rasters(sorting, backend="sortingview", display=False).url

    # Without a token, the error names the runner's host and how to give its token.
    with pytest.raises(PublishError, match=f"The runner at {url.removesuffix(PREFIX)} needs its token"):
        publish_figure(figure, to=url)
    config = tmp_path / "config.yaml"
    config.write_text(f"remotes:\n  http://127.0.0.1:{find_free_port()}: wrong-token\n  {url}: {b.token}\n")
    monkeypatch.setenv("SORTINGVIEW_CONFIG", str(config))

    report = publish_figure(figure, to=url)
    assert report.uploaded_files == report.files > 0
    assert report.url.startswith(f"{url}/f?v={url}/viewer&d=sha1://")
    document = parse_qs(urlsplit(report.url).query)["d"][0].removeprefix("sha1://")
    assert httpx.get(f"{url}/sha1/{document}", headers=b.headers(), timeout=10).json()["type"]
    assert publish_figure(figure, to=url).uploaded_files == 0
    # A browser opens the figURL through the prefix with the token once (503 only if the viewer is not built);
    # the cookie it gets then opens the figure's files.
    with httpx.Client(timeout=10) as browser:
        assert browser.get(f"{url}/sha1/{document}").status_code == 401
        page = browser.get(f"{report.url}&token={b.token}")
        assert page.status_code in (200, 503) and "text/html" in page.headers["content-type"]
        assert browser.get(f"{url}/sha1/{document}").status_code == 200

    # A recording on B, read from here through the prefix with the configured token.
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(b.store_dir))
    uri = sv.share_recording(recording)
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "empty"))
    loaded = sv.load_recording(uri, source_url=url)
    assert (loaded.get_traces(start_frame=0, end_frame=50) == recording.get_traces(start_frame=0, end_frame=50)).all()

    monkeypatch.setenv("SORTINGVIEW_CONFIG", str(tmp_path / "no-config.yaml"))
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "empty-2"))
    with pytest.raises(AccessRefusedError, match=f"The runner at {url.removesuffix(PREFIX)} needs its token"):
        sv.load_recording(uri, source_url=url).get_traces(start_frame=0, end_frame=50)
