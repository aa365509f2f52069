"""The leaf views of a widget's figure as the stored JSON reads back (arrays decoded), without storing it."""

from __future__ import annotations

import json

from spikeinterface_sortingview.views import Layout, View, from_json_value
from spikeinterface_sortingview.views.encoding import canonical_json


def figure_leaves(view: View) -> list[dict]:
    """Every leaf of ``view`` in layout order, each as its JSON object with arrays decoded."""
    if isinstance(view, Layout):
        return [leaf for item in view.items for leaf in figure_leaves(item.view)]
    return [from_json_value(json.loads(canonical_json(view.to_dict())))]


def leaf_types(leaves: list[dict]) -> list[str]:
    return [leaf["type"] for leaf in leaves]


def only(leaves: list[dict], view_type: str) -> dict:
    """The one leaf of that type."""
    (leaf,) = [leaf for leaf in leaves if leaf["type"] == view_type]
    return leaf
