"""Turn a tree of views into the files of a figure: one JSON per leaf view and the MainLayout document."""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import Layout, View
from .encoding import canonical_json, content_uri
from .layouts import Box


@dataclass
class FigureFiles:
    """Everything a figure stores, with each file's content URI.

    Attributes
    ----------
    uri : str
        URI of the MainLayout document (the figURL's ``d``).
    document : bytes
        The MainLayout document.
    files : dict
        ``{uri: bytes}`` of every leaf view's JSON and the files views refer to.
    """

    uri: str
    document: bytes
    files: dict[str, bytes] = field(default_factory=dict)

    def total_bytes(self) -> int:
        return len(self.document) + sum(len(data) for data in self.files.values())


def build_figure_files(root: View) -> FigureFiles:
    """Encode a figure. A single leaf view is wrapped in a horizontal Box.

    View ids are given in a pre-order walk of the layout tree, the root layout taking ``"0"``,
    so the same figure always gives the same bytes and URIs.
    """
    if not isinstance(root, Layout):
        root = Box("horizontal", [root])
    next_id = 0
    views: list[dict] = []
    files: dict[str, bytes] = {}

    def walk(node: View) -> dict:
        nonlocal next_id
        view_id = str(next_id)
        next_id += 1
        if isinstance(node, Layout):
            children = [walk(item.view) for item in node.items]
            return {"type": node.type, **node.layout_fields(children)}
        data = canonical_json(node.to_dict())
        uri = content_uri(data)
        files[uri] = data
        for extra in node.files():
            files[content_uri(extra)] = extra
        views.append({"type": node.type, "viewId": view_id, "dataUri": uri})
        return {"type": "View", "viewId": view_id}

    layout = walk(root)
    document = canonical_json({"type": "MainLayout", "layout": layout, "views": views})
    return FigureFiles(uri=content_uri(document), document=document, files=files)
