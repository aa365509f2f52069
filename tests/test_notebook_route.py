"""Where a notebook's browser reaches the runner: the Jupyter server's proxy, a configured proxy_url, or directly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hatchling.metadata.core import ProjectMetadata

from runner.server import allowed_hosts
from spikeinterface_sortingview import notebook_route
from spikeinterface_sortingview.config import ConfigError, get_config
from spikeinterface_sortingview.notebook_route import (
    browser_figure_url,
    browser_route,
    jupyter_base_url,
    sortingview_proxy_server,
)

REPO = Path(__file__).resolve().parents[1]
ADDRESS = "http://127.0.0.1:8931"
FIGURL = f"{ADDRESS}/f?v={ADDRESS}/viewer&d=sha1://{'a' * 40}&label=my%20figure&s=%7B%7D"


@pytest.fixture
def outside_jupyter(monkeypatch):
    for name in ("JUPYTERHUB_SERVICE_PREFIX", "JPY_PARENT_PID", "SORTINGVIEW_PROXY_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", ADDRESS)


def test_the_figure_url_is_rewritten_with_its_view_address():
    proxied = browser_figure_url(FIGURL, ADDRESS, "/user/alice/sortingview")
    assert proxied == (
        f"/user/alice/sortingview/f?v=/user/alice/sortingview/viewer&d=sha1://{'a' * 40}&label=my%20figure&s=%7B%7D"
    )
    assert browser_figure_url(FIGURL, ADDRESS, ADDRESS) == FIGURL
    other = "https://sortings.lab.org/f?v=https://sortings.lab.org/viewer&d=sha1://x"
    assert browser_figure_url(other, ADDRESS, "/user/alice/sortingview") == other


def test_jupyterhub_kernels_show_figures_through_the_servers_proxy(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    route = browser_route(get_config(), in_notebook=True)
    assert (route.base, route.via, route.note) == ("/user/alice/sortingview", "jupyter-server-proxy", None)
    # Outside a notebook (a script on the same server) nothing is proxied.
    assert browser_route(get_config(), in_notebook=False).base == ADDRESS


def test_a_plain_jupyter_servers_base_url_is_read_from_its_runtime_file(outside_jupyter, monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("JPY_PARENT_PID", "4242")
    assert jupyter_base_url() is None  # no such server
    (tmp_path / "jpserver-4242.json").write_text(json.dumps({"base_url": "/lab-prefix", "port": 8888}))
    assert jupyter_base_url() == "/lab-prefix/"
    assert browser_route(get_config(), in_notebook=True).base == "/lab-prefix/sortingview"


def test_without_jupyter_server_proxy_the_figure_is_direct_with_a_note(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setattr(notebook_route, "jupyter_server_proxy_installed", lambda: False)
    route = browser_route(get_config(), in_notebook=True)
    assert route.base == ADDRESS and route.via == "direct"
    assert "pip install 'spikeinterface-sortingview[jupyter]'" in route.note
    assert "ssh -L 8931:127.0.0.1:8931" in route.note and "SORTINGVIEW_PROXY_URL" in route.note


def test_a_configured_proxy_url_wins_and_names_the_port(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setenv("SORTINGVIEW_PROXY_URL", "https://code.lab.org/absproxy/{port}/")
    route = browser_route(get_config(), in_notebook=False)
    assert (route.base, route.via) == ("https://code.lab.org/absproxy/8931", "proxy_url")
    # The proxy forwards the browser's Host header: a runner on loopback accepts that host name.
    assert "code.lab.org" in allowed_hosts("127.0.0.1")
    monkeypatch.setenv("SORTINGVIEW_PROXY_URL", "code.lab.org/absproxy")
    with pytest.raises(ConfigError, match="proxy_url 'code.lab.org/absproxy' must be an address"):
        get_config()


def test_a_remote_runner_is_not_proxied(outside_jupyter, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", "https://sortings.lab.org")
    assert browser_route(get_config(), in_notebook=True).base == "https://sortings.lab.org"


def test_the_jupyter_server_proxy_entry_point_forwards_to_the_configured_runner(outside_jupyter, monkeypatch):
    target = ProjectMetadata(str(REPO), None).core.entry_points["jupyter_serverproxy_servers"]["sortingview"]
    assert target == "spikeinterface_sortingview.notebook_route:sortingview_proxy_server"
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", "http://127.0.0.1:9123")
    server = sortingview_proxy_server()
    assert server["port"] == 9123 and server["command"] == []
    assert server["request_headers_override"] == {"Host": "127.0.0.1:9123"}
