"""Builders for plot_autocorrelograms and plot_crosscorrelograms."""

from __future__ import annotations

from spikeinterface.widgets.base import to_attr

from .. import views
from .common import histogram_edges_sec, plain_unit_ids


def build_autocorrelograms_view(data_plot: dict) -> views.Autocorrelograms:
    dp = to_attr(data_plot)
    edges = histogram_edges_sec(dp.bins)
    items = [
        views.AutocorrelogramItem(unit_id, edges, dp.correlograms[i, i].astype("int32"))
        for i, unit_id in enumerate(plain_unit_ids(dp.unit_ids))
    ]
    return views.Autocorrelograms(items)


def build_crosscorrelograms_view(data_plot: dict) -> views.CrossCorrelograms:
    """All pairs, or with a similarity matrix only the pairs at least ``min_similarity_for_correlograms`` alike."""
    dp = to_attr(data_plot)
    edges = histogram_edges_sec(dp.bins)
    unit_ids = plain_unit_ids(dp.unit_ids)
    items = []
    for i, unit_id1 in enumerate(unit_ids):
        for j, unit_id2 in enumerate(unit_ids):
            if dp.similarity is not None and i != j and dp.similarity[i, j] < dp.min_similarity_for_correlograms:
                continue
            items.append(views.CrossCorrelogramItem(unit_id1, unit_id2, edges, dp.correlograms[i, j].astype("int32")))
    return views.CrossCorrelograms(items, hide_unit_selector=dp.hide_unit_selector)
