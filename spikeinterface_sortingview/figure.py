"""A figure: a tree of views stored in a content-addressed store and opened by a figURL."""

from __future__ import annotations

import json
from urllib.parse import quote

from .config import get_config
from .store import LocalStore, default_store
from .views import FigureFiles, View, build_figure_files


class Figure:
    """A view (leaf or layout) ready to be stored and opened in a browser.

    Parameters
    ----------
    view : View
        The root view; a single leaf view is wrapped in a horizontal Box.

    Examples
    --------
    >>> fig = Figure(views.Markdown("# hello"))
    >>> fig.url(label="hello")
    'http://127.0.0.1:8931/f?v=http://127.0.0.1:8931/viewer&d=sha1://...&label=hello'
    """

    def __init__(self, view: View):
        if not isinstance(view, View):
            raise TypeError(f"Figure takes a View, got {type(view).__name__}")
        self.view = view
        self._files: FigureFiles | None = None

    def files(self) -> FigureFiles:
        """The figure's encoded files (built once)."""
        if self._files is None:
            self._files = build_figure_files(self.view)
        return self._files

    def store(self, store: LocalStore | None = None) -> str:
        """Write every view's JSON and the MainLayout document; return the document's URI."""
        store = store or default_store()
        files = self.files()
        for data in files.files.values():
            store.store_bytes(data)
        return store.store_bytes(files.document)

    def url(
        self,
        label: str | None = None,
        state: dict | None = None,
        store: LocalStore | None = None,
        address: str | None = None,
        view_url: str | None = None,
    ) -> str:
        """Store the figure and return its figURL.

        Parameters
        ----------
        label : str | None
            Title of the figure (shown by the browser).
        state : dict | None
            Initial URL state, e.g. ``{"sortingCuration": "sha1://..."}``; written URL-encoded as ``s=``.
        store : LocalStore | None
            Where to write; the configured store by default.
        address : str | None
            Base of the URL; the configured address (the local runner) by default.
        view_url : str | None
            The viewer address written as ``v=``; the configured one by default.
        """
        config = get_config()
        document_uri = self.store(store)
        return figure_url(
            document_uri,
            label=label,
            state=state,
            address=address or config.address,
            view_url=view_url or config.view_url,
        )


def figure_url(document_uri: str, label: str | None, state: dict | None, address: str, view_url: str) -> str:
    """Format ``<address>/f?v=<viewer>&d=<uri>&label=...[&s=...]``."""
    url = f"{address.rstrip('/')}/f?v={view_url}&d={document_uri}"
    if label:
        url += f"&label={quote(label)}"
    if state:
        state_json = json.dumps(state, sort_keys=True, separators=(",", ":"), allow_nan=False)
        url += f"&s={quote(state_json)}"
    return url
