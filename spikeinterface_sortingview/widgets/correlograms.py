"""Builders for plot_autocorrelograms and plot_crosscorrelograms."""

from __future__ import annotations

from spikeinterface.widgets.base import to_attr

from .. import views
from .analyzer_views import crosscorrelogram_items
from .common import histogram_edges_sec, plain_unit_ids
from .parity import check


def build_autocorrelograms_view(data_plot: dict) -> views.Autocorrelograms:
    check("plot_autocorrelograms", data_plot)
    dp = to_attr(data_plot)
    edges = histogram_edges_sec(dp.bins)
    items = [
        views.AutocorrelogramItem(unit_id, edges, dp.correlograms[i, i].astype("int32"))
        for i, unit_id in enumerate(plain_unit_ids(dp.unit_ids))
    ]
    return views.Autocorrelograms(items)


def build_crosscorrelograms_view(data_plot: dict) -> views.CrossCorrelograms:
    """Each pair once, and with a similarity matrix only those at least ``min_similarity_for_correlograms`` alike."""
    check("plot_crosscorrelograms", data_plot)
    dp = to_attr(data_plot)
    items = crosscorrelogram_items(
        dp.unit_ids, dp.correlograms, dp.bins, dp.similarity, dp.min_similarity_for_correlograms
    )
    return views.CrossCorrelograms(items, hide_unit_selector=dp.hide_unit_selector)
