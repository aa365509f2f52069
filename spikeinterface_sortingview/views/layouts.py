"""Layout nodes: Box, Splitter, TabLayout and MountainLayout."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Layout, LayoutItem, View


class Box(Layout):
    """Items side by side (``horizontal``) or stacked (``vertical``)."""

    type = "Box"

    def __init__(
        self,
        direction: str,
        items: list[View | LayoutItem],
        scrollbar: bool | None = None,
        show_titles: bool | None = None,
    ):
        super().__init__(items)
        self.direction = check_direction(direction)
        self.scrollbar = scrollbar
        self.show_titles = show_titles

    def layout_fields(self, child_nodes: list[dict]) -> dict:
        fields = {
            "direction": self.direction,
            "items": child_nodes,
            "itemProperties": [item.properties() for item in self.items],
        }
        if self.scrollbar is not None:
            fields["scrollbar"] = self.scrollbar
        if self.show_titles is not None:
            fields["showTitles"] = self.show_titles
        return fields


class Splitter(Layout):
    """Exactly two items with a draggable divider between them."""

    type = "Splitter"

    def __init__(self, direction: str, item1: View | LayoutItem, item2: View | LayoutItem):
        super().__init__([item1, item2])
        self.direction = check_direction(direction)

    def layout_fields(self, child_nodes: list[dict]) -> dict:
        return {
            "direction": self.direction,
            "items": child_nodes,
            "itemProperties": [item.properties() for item in self.items],
        }


@dataclass
class TabLayoutItem:
    """A tab: its label and its view."""

    label: str
    view: View


class TabLayout(Layout):
    """Items in tabs; ``tab_bar_layout="vertical"`` puts the tab bar on the side."""

    type = "TabLayout"

    def __init__(self, items: list[TabLayoutItem], tab_bar_layout: str | None = None):
        if any(not isinstance(item, TabLayoutItem) for item in items):
            raise TypeError("TabLayout items must be TabLayoutItem(label, view)")
        if tab_bar_layout not in (None, "horizontal", "vertical"):
            raise ValueError(f"tab_bar_layout must be 'horizontal' or 'vertical', got {tab_bar_layout!r}")
        super().__init__([item.view for item in items])
        self.labels = [item.label for item in items]
        self.tab_bar_layout = tab_bar_layout

    def layout_fields(self, child_nodes: list[dict]) -> dict:
        fields = {"items": child_nodes, "itemProperties": [{"label": label} for label in self.labels]}
        if self.tab_bar_layout is not None:
            fields["tabBarLayout"] = self.tab_bar_layout
        return fields


@dataclass
class MountainItem:
    """An item of a MountainLayout: a control (shown in the side panel) or a view (shown in tabs)."""

    label: str
    view: View
    is_control: bool = False
    control_height: int | None = None


class MountainLayout(Layout):
    """Controls in a side panel and views in a tab area, like MountainView."""

    type = "Mountain"

    def __init__(self, items: list[MountainItem]):
        if any(not isinstance(item, MountainItem) for item in items):
            raise TypeError("MountainLayout items must be MountainItem(label, view, is_control=...)")
        super().__init__([item.view for item in items])
        self.mountain_items = items

    def layout_fields(self, child_nodes: list[dict]) -> dict:
        properties = []
        for item in self.mountain_items:
            entry = {"label": item.label, "isControl": item.is_control}
            if item.control_height is not None:
                entry["controlHeight"] = item.control_height
            properties.append(entry)
        return {"items": child_nodes, "itemProperties": properties}


def check_direction(direction: str) -> str:
    if direction not in ("horizontal", "vertical"):
        raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")
    return direction
