"""What every `plot_sortingview` does at the end: set `widget.view`, store the figure, show or print its URL.

In a Jupyter notebook the figure is shown inline, in an iframe served by the local runner (started as a
background process if nothing answers the configured address). Elsewhere the URL is printed, with the command
that serves it when no runner answers. This package never imports ``runner``: it only talks to it over HTTP and
starts it as a process.
"""

from __future__ import annotations

import html
import ipaddress
import json
import shlex
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from ..config import DEFAULT_HOME, DEFAULT_PORT, Config, get_config
from ..figure import Figure
from ..views import View

# Short: it runs on every displayed plot, and a refused loopback connection answers at once anyway.
RUNNER_CHECK_TIMEOUT = 0.5
RUNNER_START_TIMEOUT = 60
DEFAULT_IFRAME_HEIGHT = 600

# Requests to the runner must not go through an HTTP proxy named in the environment.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def default_figure_label(widget: object) -> str:
    name = type(widget).__name__.removesuffix("Widget")
    return f"SpikeInterface - {name}"


def publish_view(
    widget: object,
    view: View,
    generate_url: bool = True,
    display: bool = True,
    figlabel: str | None = None,
    height: int | None = None,
) -> None:
    """Attach ``view`` to ``widget`` and, with ``generate_url``, store it and set ``widget.url``.

    ``display=True`` shows the figure inline in a Jupyter notebook (starting the local runner if needed) and
    prints the URL elsewhere; ``display=False`` builds silently (as the sorting summary does for its parts).
    ``height`` is the height of the notebook iframe in pixels.
    """
    widget.view = view
    widget.url = None
    if not generate_url:
        return
    widget.url = Figure(view).url(label=figlabel or default_figure_label(widget))
    if display:
        show_figure(widget.url, height=height)


def show_figure(url: str, height: int | None = None) -> None:
    """Show a figURL: inline in a notebook when a runner serves it, else print it (and how to serve it)."""
    config = get_config()
    health = runner_health(config.address)
    if in_notebook():
        if health is None and address_is_loopback(config.address):
            health = start_runner(config)
        if health is not None:
            warn_if_other_store(health, config)
            display_iframe(url, height or DEFAULT_IFRAME_HEIGHT)
            return
    print(url)
    if health is None:
        print(f"Nothing answers at {config.address}; serve this figure with: {runner_start_command(config)}")
    else:
        warn_if_other_store(health, config)


def runner_health(address: str, timeout: float = RUNNER_CHECK_TIMEOUT) -> dict | None:
    """The runner's ``/health`` reply at ``address``, or None if no runner answers within ``timeout`` seconds."""
    try:
        with _direct.open(f"{address.rstrip('/')}/health", timeout=timeout) as response:
            reply = json.loads(response.read(64 * 1024))
    except (OSError, ValueError):
        return None
    return reply if isinstance(reply, dict) and reply.get("ok") is True else None


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython is only consulted if something already imported it)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def address_host_port(address: str) -> tuple[str, int]:
    parts = urlsplit(address)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def address_is_loopback(address: str) -> bool:
    """True if ``address`` names this machine, where a runner can be started for it."""
    host, _ = address_host_port(address)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def runner_start_command(config: Config) -> str:
    """The shell command that serves ``config``'s address and store (options only where not the defaults)."""
    host, port = address_host_port(config.address)
    command = ["sv-runner", "start"]
    if host != "127.0.0.1":
        command += ["--host", host]
    if port != DEFAULT_PORT:
        command += ["--port", str(port)]
    if config.store_dir.expanduser().resolve() != (DEFAULT_HOME / "store").expanduser().resolve():
        command += ["--store-dir", str(config.store_dir)]
    return shlex.join(command)


def start_runner(config: Config) -> dict | None:
    """Start ``sv-runner start --background`` for the configured address and store; its health, or None."""
    host, port = address_host_port(config.address)
    command = [sys.executable, "-m", "runner.cli", "start", "--background", "--host", host, "--port", str(port)]
    command += ["--store-dir", str(config.store_dir)]
    try:
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=RUNNER_START_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"Could not start the sortingview runner ({e}); start it with: {runner_start_command(config)}")
        return None
    if result.returncode != 0:
        # Another notebook may have started one meanwhile; that is as good.
        health = runner_health(config.address)
        if health is None:
            print(f"Could not start the sortingview runner:\n{result.stderr.strip()}")
        return health
    print(result.stdout.strip())
    return runner_health(config.address)


def warn_if_other_store(health: dict, config: Config) -> None:
    """Say so when the runner serves another store than the one the figure was written to (it would 404)."""
    served = health.get("store_dir")
    if served and Path(served).resolve() != config.store_dir.expanduser().resolve():
        print(
            f"Note: the runner at {config.address} serves the store {served}, but this figure is in "
            f"{config.store_dir}; restart the runner with --store-dir {config.store_dir} to open it."
        )


def display_iframe(url: str, height: int) -> None:
    """Show the figure in the notebook, with a link to open it in its own tab."""
    from IPython.display import HTML, display  # only reached inside a notebook, where IPython is loaded

    src = html.escape(url, quote=True)
    display(
        HTML(
            f'<div><a href="{src}" target="_blank" rel="noopener">Open the figure in a new tab</a></div>'
            f'<iframe src="{src}" width="100%" height="{int(height)}" style="border: 1px solid #ddd"></iframe>'
        )
    )
