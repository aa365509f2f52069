"""What every `plot_sortingview` does at the end: set `widget.view`, store the figure, show or print its URL.

In a Jupyter notebook the figure is shown inline, in an iframe served by the local runner (started as a
background process if nothing answers the configured address). A kernel running on a server is shown through
its Jupyter server's proxy, or the configured ``proxy_url`` (``notebook_route.py``). Elsewhere the URL is
printed, with the command that serves it when no runner answers. This package never imports ``runner``: it only
talks to it over HTTP and starts it as a process.
"""

from __future__ import annotations

import html
import sys

from ..config import Config, get_config
from ..figure import Figure
from ..notebook_route import browser_figure_url, browser_route
from ..runner_client import (
    address_is_loopback,
    fetch_health,
    runner_start_command,
    serves_other_store,
    start_local_runner,
)
from ..sharing import publish
from ..views import View

DEFAULT_IFRAME_HEIGHT = 600


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
    publish_to: str | None = None,
) -> None:
    """Attach ``view`` to ``widget`` and, with ``generate_url``, store it and set ``widget.url``.

    ``display=True`` shows the figure inline in a Jupyter notebook (starting the local runner if needed) and
    prints the URL elsewhere; ``display=False`` builds silently (as the sorting summary does for its parts).
    ``height`` is the height of the notebook iframe in pixels. ``publish_to`` (default: the configuration's
    ``publish_to``) copies the figure to that runner (or to kachery-cloud, ``"kachery-cloud"``), and ``widget.url``
    is then its figURL there (on figurl.org).
    """
    widget.view = view
    widget.url = None
    if not generate_url:
        return
    widget.url = Figure(view).url(label=figlabel or default_figure_label(widget))
    publish_to = publish_to or get_config().publish_to
    if publish_to:
        widget.url = publish(widget.url, to=publish_to)
        if display:
            print(widget.url)
        return
    if display:
        show_figure(widget.url, height=height)


def show_figure(url: str, height: int | None = None) -> None:
    """Show a figURL: inline in a notebook when a runner serves it, else print it (and how to serve it).

    The browser is given the figURL at the address it reaches the runner at: through the Jupyter server's
    proxy when the kernel runs under one with jupyter-server-proxy, or at the configured ``proxy_url``.
    """
    config = get_config()
    health = fetch_health(config.address)
    notebook = in_notebook()
    route = browser_route(config, notebook)
    shown = browser_figure_url(url, config.address, route.base)
    if notebook:
        if health is None and address_is_loopback(config.address):
            health = start_local_runner(config)
        if health is not None:
            warn_if_other_store(health, config)
            if route.note:
                print(route.note)
            display_iframe(shown, height or DEFAULT_IFRAME_HEIGHT)
            return
    print(shown)
    if health is None:
        print(f"Nothing answers at {config.address}; serve this figure with: {runner_start_command(config)}")
    else:
        warn_if_other_store(health, config)


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython is only consulted if something already imported it)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def warn_if_other_store(health: dict, config: Config) -> None:
    """Say so when the runner serves another store than the one the figure was written to (it would 404)."""
    served = serves_other_store(health, config)
    if served:
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
