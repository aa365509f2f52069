"""The two kinds of figure nodes: leaf views (data) and layouts (arrangement of views)."""

from __future__ import annotations

from dataclasses import dataclass


class View:
    """A leaf view: a ``type`` and the data that the sortingview view of that type reads.

    Subclasses validate their inputs in ``__init__`` (so bad data fails at construction)
    and return their fields from ``data()``.
    """

    type: str = ""

    def data(self) -> dict:
        """Fields of the view's JSON, camelCase, arrays as numpy arrays (encoded on write)."""
        raise NotImplementedError

    def files(self) -> list[bytes]:
        """Extra files the view's JSON refers to by content URI (e.g. image tiles)."""
        return []

    def to_dict(self) -> dict:
        """The view's JSON object: ``{"type": ..., <fields>}``."""
        return {"type": self.type, **self.data()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


@dataclass
class LayoutItem:
    """A child of a layout with optional sizing properties (only those set are written)."""

    view: View
    min_size: float | None = None
    max_size: float | None = None
    stretch: float | None = None
    title: str | None = None
    collapsible: bool | None = None

    def properties(self) -> dict:
        names = {
            "minSize": self.min_size,
            "maxSize": self.max_size,
            "stretch": self.stretch,
            "title": self.title,
            "collapsible": self.collapsible,
        }
        return {key: value for key, value in names.items() if value is not None}


def as_layout_item(item: View | LayoutItem) -> LayoutItem:
    if isinstance(item, LayoutItem):
        return item
    if isinstance(item, View):
        return LayoutItem(item)
    raise TypeError(f"A layout item must be a View or a LayoutItem, got {type(item).__name__}")


class Layout(View):
    """A node that arranges child views; its JSON references leaves by view id."""

    def __init__(self, items: list[View | LayoutItem]):
        if not items:
            raise ValueError(f"{type(self).__name__} needs at least one item")
        self.items = [as_layout_item(item) for item in items]

    def layout_fields(self, child_nodes: list[dict]) -> dict:
        """The layout's JSON given its children's already-built layout nodes."""
        raise NotImplementedError

    def data(self) -> dict:
        raise TypeError("A layout has no data of its own; build a figure document from it")
