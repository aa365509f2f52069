"""What every `plot_sortingview` does at the end: set `widget.view`, store the figure, print its URL."""

from __future__ import annotations

from ..figure import Figure
from ..views import View


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

    ``display=True`` prints the URL; ``display=False`` builds silently (as the sorting summary
    does for its parts). ``height`` is the height of the notebook iframe, kept for upstream
    compatibility.
    """
    widget.view = view
    widget.url = None
    if not generate_url:
        return
    widget.url = Figure(view).url(label=figlabel or default_figure_label(widget))
    if display:
        print(widget.url)
