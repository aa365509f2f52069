"""Where a browser reaches the local runner: directly, or through a proxy when the kernel runs on a server.

In JupyterHub, a remote JupyterLab or VS Code remote, ``http://127.0.0.1:8931`` names the browser's own
machine, not the kernel's. jupyter-server-proxy forwards ``<Jupyter base URL><name>/`` to a local port, removing
that prefix; this package registers the name ``sortingview`` for the configured runner (entry point
``jupyter_serverproxy_servers``), so a notebook shows its figures there when jupyter-server-proxy is installed.
The named route, unlike ``<base>proxy/<port>/``, sends the runner a loopback ``Host`` header: jupyter-server-proxy
otherwise forwards the browser's, which a runner on loopback refuses (its guard against DNS rebinding). Other
setups (port forwarding, code-server, a reverse proxy) name the address in ``proxy_url``. The runner's pages
read everything relative to their own address, so they work under such a prefix (``docs/sharing.md``).
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .config import Config, get_config
from .runner_client import address_host_port, address_is_loopback

# The path under the Jupyter base URL where jupyter-server-proxy serves the runner (``sortingview_proxy_server``).
JUPYTER_PROXY_NAME = "sortingview"


@dataclass(frozen=True)
class BrowserRoute:
    """How a browser reaches the runner at ``address``.

    Attributes
    ----------
    base : str
        What replaces the runner's address in URLs given to the browser: a URL, or a path on the server of the
        page that shows them (``/user/alice/proxy/8931``).
    via : str
        ``"direct"``, ``"proxy_url"`` (the configuration) or ``"jupyter-server-proxy"``.
    note : str | None
        What to tell the user when the figure may not show (the kernel's server, seen from elsewhere).
    """

    base: str
    via: str
    note: str | None = None


def jupyter_base_url() -> str | None:
    """The base URL of the Jupyter server this kernel runs under (``/user/alice/``), or None outside one.

    JupyterHub gives it to the kernel as ``JUPYTERHUB_SERVICE_PREFIX``; a plain Jupyter server (JupyterLab,
    Notebook 7) writes it into ``jpserver-<pid>.json`` in its runtime folder, and its kernels know its pid as
    ``JPY_PARENT_PID``.
    """
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix:
        return prefix if prefix.endswith("/") else prefix + "/"
    pid = os.environ.get("JPY_PARENT_PID")
    if not pid or importlib.util.find_spec("jupyter_core") is None:
        return None
    from jupyter_core.paths import jupyter_runtime_dir  # installed with every Jupyter kernel

    info = Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json"
    try:
        base_url = json.loads(info.read_text()).get("base_url")
    except (OSError, ValueError):
        return None
    if not isinstance(base_url, str):
        return None
    return base_url if base_url.endswith("/") else base_url + "/"


def jupyter_server_proxy_installed() -> bool:
    """True if jupyter-server-proxy is importable here (the kernel's environment is usually the server's)."""
    return importlib.util.find_spec("jupyter_server_proxy") is not None


def browser_route(config: Config, in_notebook: bool) -> BrowserRoute:
    """How the browser showing this kernel's figures reaches the runner at ``config.address``.

    Parameters
    ----------
    config : Config
        ``proxy_url`` wins when set (``{port}`` is replaced by the runner's port).
    in_notebook : bool
        Only a notebook's kernel may run under a Jupyter server whose proxy the browser reaches.

    Returns
    -------
    BrowserRoute
        Direct for a runner not on this machine (it has its own address) and outside Jupyter servers.
    """
    port = address_host_port(config.address)[1]
    if config.proxy_url:
        return BrowserRoute(config.proxy_url.replace("{port}", str(port)), "proxy_url")
    if not in_notebook or not address_is_loopback(config.address):
        return BrowserRoute(config.address, "direct")
    base_url = jupyter_base_url()
    if base_url is None:
        return BrowserRoute(config.address, "direct")
    if jupyter_server_proxy_installed():
        return BrowserRoute(f"{base_url}{JUPYTER_PROXY_NAME}", "jupyter-server-proxy")
    note = (
        f"This kernel runs under a Jupyter server ({base_url}). If your browser is on another machine, the figure "
        f"below cannot show: install jupyter-server-proxy where Jupyter runs "
        f"(pip install 'spikeinterface-sortingview[jupyter]') and restart it, forward the port "
        f"(ssh -L {port}:127.0.0.1:{port} <this machine>), or set SORTINGVIEW_PROXY_URL to the address your "
        f"browser reaches port {port} at."
    )
    return BrowserRoute(config.address, "direct", note)


def browser_figure_url(figurl: str, address: str, base: str) -> str:
    """``figurl`` with the runner's ``address`` replaced by ``base``, in the URL and in its ``v=`` view address.

    A figURL of another runner (not starting with ``address``) is returned as it is.
    """
    address = address.rstrip("/")
    base = base.rstrip("/")
    if base == address or not figurl.startswith(address + "/"):
        return figurl
    path, _, query = (base + figurl[len(address) :]).partition("?")
    parts = [
        f"v={base}{part[len('v=') + len(address) :]}" if part.startswith(f"v={address}/") else part
        for part in query.split("&")
    ]
    return f"{path}?{'&'.join(parts)}" if query else path


def sortingview_proxy_server() -> dict:
    """jupyter-server-proxy's settings for ``<Jupyter base URL>sortingview/`` (entry point ``jupyter_serverproxy_servers``).

    It forwards to the runner of the configuration the Jupyter server started with (``SORTINGVIEW_ADDRESS``,
    by default port 8931). It starts nothing: a notebook's first figure starts the runner (``sv-runner start``
    does too). The ``Host`` header is the runner's own, which a runner on loopback accepts.
    """
    port = address_host_port(get_config().address)[1]
    return {
        "command": [],
        "port": port,
        "absolute_url": False,
        "request_headers_override": {"Host": f"127.0.0.1:{port}"},
        "launcher_entry": {"enabled": False},
    }
