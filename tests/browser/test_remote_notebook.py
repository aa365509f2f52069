"""A notebook kernel under a real Jupyter server shows its figure through jupyter-server-proxy, in Chromium.

The browser reaches only the Jupyter server (``http://127.0.0.1:<port>/user/alice/``, as it would a JupyterHub):
the kernel, started by that server, displays a figure, and its output is put in a page of the server's origin
(standing for JupyterLab's output area). The figure must render and a merge must get its correlograms computed
by the runner, every request going through the server's prefix, none to the runner's own address. jupyter-server-
proxy reads this package's entry point from a stand-in ``dist-info`` made from pyproject.toml, as an installed
package would give it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import websocket
from hatchling.metadata.core import ProjectMetadata

from spikeinterface_sortingview.notebook_route import browser_figure_url
from tests.browser import test_live_views
from tests.browser.test_live_views import CELL, select_and_merge, view
from tests.browser.test_viewer_pages import FIGURE_FRAME
from tests.browser_support import ARTIFACTS, undo_in_journal
from tests.servers import find_free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
BASE = "/user/alice/"
TOKEN = "remote-notebook-test-token"
HEADERS = {"Authorization": f"token {TOKEN}"}
SHOTS = ARTIFACTS / "browser"
# The live views' figure (its own sorting, so its own journal), made once for both modules that use it.
live_figures = test_live_views.live_figures


def entry_point_dist_info(site: Path) -> None:
    """A ``dist-info`` holding the ``jupyter_serverproxy_servers`` entry points pyproject.toml declares."""
    servers = ProjectMetadata(str(REPO), None).core.entry_points["jupyter_serverproxy_servers"]
    info = site / "sortingview_proxy_entry_point-0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: sortingview-proxy-entry-point\nVersion: 0\n")
    lines = [f"{name} = {target}" for name, target in servers.items()]
    (info / "entry_points.txt").write_text("[jupyter_serverproxy_servers]\n" + "\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def jupyter_server(runner_config: dict[str, str], runner: str, tmp_path_factory) -> Iterator[str]:
    """``jupyter server`` at ``BASE`` with jupyter-server-proxy, its kernels configured like the runner."""
    root = tmp_path_factory.mktemp("jupyter")
    entry_point_dist_info(root / "site")
    port = find_free_port()
    env = {
        **os.environ,
        **runner_config,
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_DATA_DIR": str(root / "data"),
        "PYTHONPATH": os.pathsep.join([str(root / "site"), str(REPO), os.environ.get("PYTHONPATH", "")]),
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
    }
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.base_url={BASE}",
        f"--IdentityProvider.token={TOKEN}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",  # CI runs as root
        # As a hub's single-user server: the browser names the hub's host, not 127.0.0.1.
        "--ServerApp.allow_remote_access=True",
        f"--ServerApp.root_dir={root}",
    ]
    url = f"http://127.0.0.1:{port}"
    with open(ARTIFACTS / "jupyter-server.log", "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=root)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}{BASE}api/status", headers=HEADERS, timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter server did not start; see {ARTIFACTS / 'jupyter-server.log'}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def run_in_kernel(server: str, code: str) -> list[dict]:
    """Start a kernel through the server's REST API, run ``code`` over its websocket; the outputs, in order."""
    kernel = httpx.post(f"{server}{BASE}api/kernels", headers=HEADERS, json={"name": "python3"}, timeout=30)
    assert kernel.status_code == 201, kernel.text
    kernel_id = kernel.json()["id"]
    ws_url = f"ws://{urlsplit(server).netloc}{BASE}api/kernels/{kernel_id}/channels"
    channel = websocket.create_connection(ws_url, header=[f"Authorization: token {TOKEN}"], timeout=120)
    try:
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "date": "", "version": "5.3"}
        content = {"code": code, "silent": False, "store_history": False, "user_expressions": {}}
        message = {"header": {**header, "msg_type": "execute_request"}, "parent_header": {}, "metadata": {}}
        channel.send(json.dumps({**message, "content": {**content, "allow_stdin": False}, "channel": "shell"}))
        outputs: list[dict] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            reply = json.loads(channel.recv())
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = reply["msg_type"]
            if kind in ("display_data", "stream", "error", "execute_result"):
                outputs.append({"type": kind, **reply["content"]})
            if kind == "status" and reply["content"]["execution_state"] == "idle":
                return outputs
        raise AssertionError(f"the kernel did not finish running the code; outputs so far: {outputs}")
    finally:
        channel.close()
        httpx.delete(f"{server}{BASE}api/kernels/{kernel_id}", headers=HEADERS, timeout=30)


def test_a_kernel_under_jupyter_shows_its_figure_through_the_servers_proxy(
    page, jupyter_server: str, live_figures, runner: str
):
    code = f"from spikeinterface_sortingview.widgets.publish import show_figure\nshow_figure({live_figures.live!r}, height=760)"
    outputs = run_in_kernel(jupyter_server, code)
    assert not [o for o in outputs if o["type"] == "error"], outputs
    html_outputs = [o["data"]["text/html"] for o in outputs if o["type"] == "display_data"]
    assert len(html_outputs) == 1, outputs
    proxied = f"{BASE}sortingview"
    # The figure's runner address (127.0.0.1 of the browser's machine, if elsewhere) is nowhere in the output.
    assert f'src="{proxied}/f?v={proxied}/viewer&amp;d=' in html_outputs[0]
    assert runner not in html_outputs[0]

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.context.set_extra_http_headers(HEADERS)  # the browser is logged in to Jupyter
    output_page = f"{jupyter_server}{BASE}lab/tree/notebook-output"
    page.route(
        output_page,
        lambda route: route.fulfill(content_type="text/html", body=f"<html><body>{html_outputs[0]}</body></html>"),
    )
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(output_page)
    frame = page.frame_locator("iframe").frame_locator(FIGURE_FRAME)
    frame.locator('[data-view-type="UnitsTable"]').first.wait_for(timeout=60_000)

    a, b = map(str, live_figures.units[:2])
    select_and_merge(frame, [a, b])
    auto = view(frame, "Autocorrelograms").locator(f'{CELL}[data-unit-id="{a}+{b}"][data-state="runner"]')
    auto.wait_for(timeout=120_000)
    page.wait_for_timeout(300)  # cells draw on the next animation frame
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "remote-notebook-output.png"))

    assert f"{jupyter_server}{proxied}/api" in requests  # the live compute went through the proxy
    assert any(r.startswith(f"{jupyter_server}{proxied}/sha1/") for r in requests)
    assert any(r.startswith(f"{jupyter_server}{proxied}/viewer/assets/") for r in requests)
    assert not [r for r in requests if r.startswith(runner)]
    assert not page.errors.uncaught
    undo_in_journal(frame, 1)  # the merge: other tests show this sorting's units unmerged


def test_the_runner_works_under_jupyter_server_proxys_port_prefix(page, jupyter_server: str, live_figures, runner):
    # <base>proxy/<port>/ removes its prefix before forwarding (jupyter-server-proxy's documented behaviour).
    port = urlsplit(runner).port
    prefixed = browser_figure_url(live_figures.live, runner, f"{jupyter_server}{BASE}proxy/{port}")
    assert prefixed.startswith(f"{jupyter_server}{BASE}proxy/{port}/f?v={jupyter_server}{BASE}proxy/{port}/viewer&")
    page.context.set_extra_http_headers(HEADERS)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(prefixed)
    frame = page.frame_locator(FIGURE_FRAME)
    frame.locator('[data-view-type="UnitsTable"]').first.wait_for(timeout=60_000)
    assert frame.locator('table[data-testid="units-table"] tr[data-unit-id]').count() == len(live_figures.units)
    assert not [r for r in requests if r.startswith(runner)]
    assert not page.errors.uncaught


def test_the_named_route_gives_the_runner_a_host_name_it_accepts(jupyter_server: str, runner: str):
    # jupyter-server-proxy forwards the browser's Host header; a runner on loopback refuses a name not its own
    # (DNS rebinding), so <base>proxy/<port>/ fails behind a hub, and <base>sortingview/ sends 127.0.0.1:<port>.
    hub = {**HEADERS, "Host": "hub.example.org"}
    port = urlsplit(runner).port
    refused = httpx.get(f"{jupyter_server}{BASE}proxy/{port}/health", headers=hub, timeout=30)
    assert refused.status_code == 400 and "host" in refused.text.lower()
    named = httpx.get(f"{jupyter_server}{BASE}sortingview/health", headers=hub, timeout=30)
    assert named.status_code == 200 and named.json()["ok"] is True
