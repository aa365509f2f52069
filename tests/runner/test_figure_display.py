"""publish_view's display: the URL and how to serve it when no runner answers, inline in notebooks otherwise."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import IPython.display
import pytest

from spikeinterface_sortingview import views
from spikeinterface_sortingview.runner_client import fetch_health as runner_health
from spikeinterface_sortingview.widgets import publish
from spikeinterface_sortingview.widgets.publish import publish_view


class FakeWidget:
    """Stands for a SpikeInterface widget: publish_view only sets attributes on it."""


@pytest.fixture
def configured(monkeypatch, tmp_path: Path, free_port) -> Iterator[dict[str, str]]:
    """Configuration pointing at a free loopback port (nothing answers), a temporary store and home."""
    env = {
        "SORTINGVIEW_HOME": str(tmp_path / "home"),
        "SORTINGVIEW_STORE_DIR": str(tmp_path / "store"),
        "SORTINGVIEW_ADDRESS": f"http://127.0.0.1:{free_port()}",
        "SORTINGVIEW_CONFIG": str(tmp_path / "no-config.yaml"),
        # These runners only serve files: they start Ray on a first compute request, which never comes.
        "SORTINGVIEW_PRESTART": "0",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env
    # Any runner a test started (directly or through publish_view) is stopped.
    subprocess.run(
        [sys.executable, "-m", "runner.cli", "stop", "--all"],
        capture_output=True,
        timeout=60,
        env={**os.environ, **env},
    )


def figure_hash(url: str) -> str:
    return parse_qs(urlsplit(url).query)["d"][0].removeprefix("sha1://")


def test_without_a_runner_the_url_and_the_command_that_serves_it_are_printed(configured, capsys):
    widget = FakeWidget()
    publish_view(widget, views.Markdown("# hello"), figlabel="hello")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == widget.url
    assert widget.url.startswith(configured["SORTINGVIEW_ADDRESS"] + "/f?")
    port = urlsplit(configured["SORTINGVIEW_ADDRESS"]).port
    assert out[1].startswith(f"Nothing answers at {configured['SORTINGVIEW_ADDRESS']}; serve this figure with: ")
    command = out[1].split("serve this figure with: ", 1)[1]
    assert command == f"sv-runner start --port {port} --store-dir {configured['SORTINGVIEW_STORE_DIR']}"

    # The printed command really serves the figure (run detached here so that the test can go on).
    args = shlex.split(command)
    assert args[:2] == ["sv-runner", "start"]
    started = subprocess.run(
        [sys.executable, "-m", "runner.cli", *args[1:], "--background"],
        capture_output=True,
        text=True,
        timeout=90,
        env={**os.environ, **configured},
    )
    assert started.returncode == 0, started.stderr
    response = httpx.get(f"{configured['SORTINGVIEW_ADDRESS']}/sha1/{figure_hash(widget.url)}", timeout=10)
    assert response.status_code == 200
    assert response.json()["type"] == "MainLayout"


def test_display_false_is_silent(configured, capsys):
    widget = FakeWidget()
    publish_view(widget, views.Markdown("quiet"), display=False)
    assert widget.url is not None
    assert capsys.readouterr().out == ""


def test_generate_url_false_stores_nothing(configured, capsys):
    widget = FakeWidget()
    view = views.Markdown("not stored")
    publish_view(widget, view, generate_url=False)
    assert widget.view is view and widget.url is None
    assert capsys.readouterr().out == ""
    assert not Path(configured["SORTINGVIEW_STORE_DIR"]).exists()


def test_with_a_runner_only_the_url_is_printed(configured, serve_app, capsys, monkeypatch, tmp_path):
    url = serve_app(store_dir=configured["SORTINGVIEW_STORE_DIR"], viewer_dir=tmp_path / "no-viewer")
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", url)
    widget = FakeWidget()
    publish_view(widget, views.Markdown("served"))
    assert capsys.readouterr().out == widget.url + "\n"
    assert httpx.get(f"{url}/sha1/{figure_hash(widget.url)}", timeout=10).status_code == 200


def test_a_runner_serving_another_store_is_pointed_out(configured, serve_app, capsys, monkeypatch, tmp_path):
    url = serve_app(store_dir=tmp_path / "other-store", viewer_dir=tmp_path / "no-viewer")
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", url)
    publish_view(FakeWidget(), views.Markdown("elsewhere"))
    out = capsys.readouterr().out
    assert "serves the store" in out and "--store-dir" in out


def test_the_runner_check_gives_up_quickly_on_a_silent_server():
    # A socket that accepts connections but never answers: the check must not hang a plotting call.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        assert runner_health(f"http://127.0.0.1:{silent.getsockname()[1]}") is None
        assert time.monotonic() - started < 1.5


def test_in_a_notebook_a_runner_is_started_and_the_figure_shown_inline(configured, monkeypatch, capsys):
    shown: list[object] = []
    monkeypatch.setattr(publish, "in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    address = configured["SORTINGVIEW_ADDRESS"]
    assert runner_health(address) is None

    widget = FakeWidget()
    publish_view(widget, views.Markdown("# inline"), height=420)

    health = runner_health(address)
    assert health is not None, capsys.readouterr().out
    assert health["store_dir"] == configured["SORTINGVIEW_STORE_DIR"]
    assert len(shown) == 1
    frame = shown[0].data
    assert '<iframe src="' + widget.url.replace("&", "&amp;") + '"' in frame
    assert 'height="420"' in frame
    assert "runner" in capsys.readouterr().out  # the start is reported once
    assert httpx.get(f"{address}/sha1/{figure_hash(widget.url)}", timeout=10).status_code == 200

    # The next figure reuses the running runner.
    publish_view(FakeWidget(), views.Markdown("# again"))
    assert runner_health(address)["pid"] == health["pid"]
    assert len(shown) == 2
    assert capsys.readouterr().out == ""


def test_in_a_notebook_a_remote_address_is_not_started_here(configured, monkeypatch, capsys):
    monkeypatch.setattr(publish, "in_notebook", lambda: True)
    monkeypatch.setattr(publish, "fetch_health", lambda address, timeout=0.5: None)
    monkeypatch.setattr(publish, "start_local_runner", lambda config: pytest.fail("must not start a runner"))
    # Never contacted (fetch_health is replaced): only the decision is tested.
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", "http://figures.example.org:8931")
    publish_view(FakeWidget(), views.Markdown("remote"))
    out = capsys.readouterr().out
    assert "Nothing answers at http://figures.example.org:8931" in out
    assert "sv-runner start --host figures.example.org" in out
