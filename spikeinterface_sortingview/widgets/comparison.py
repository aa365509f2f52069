"""Builders for plot_confusion_matrix and plot_agreement_matrix (ConfusionMatrix views)."""

from __future__ import annotations

from spikeinterface.widgets.base import to_attr

from .. import views
from .common import plain_unit_id, plain_unit_ids


def confusion_matrix_view(comparison) -> views.ConfusionMatrix:
    """Event counts of both sortings and the matched event counts of every unit pair that shares events."""
    unit_ids1 = list(comparison.sorting1.unit_ids)
    unit_ids2 = list(comparison.sorting2.unit_ids)
    counts = [views.UnitEventCount(plain_unit_id(u), int(comparison.event_counts1[u])) for u in unit_ids1]
    counts += [views.UnitEventCount(plain_unit_id(u), int(comparison.event_counts2[u])) for u in unit_ids2]
    matches = comparison.match_event_count
    matching = [
        views.MatchingUnitEventCount(plain_unit_id(u1), plain_unit_id(u2), int(matches.at[u1, u2]))
        for u1 in unit_ids1
        for u2 in unit_ids2
        if matches.at[u1, u2] > 0
    ]
    return views.ConfusionMatrix(plain_unit_ids(unit_ids1), plain_unit_ids(unit_ids2), counts, matching)


def build_confusion_matrix_view(data_plot: dict) -> views.ConfusionMatrix:
    return confusion_matrix_view(to_attr(data_plot).gt_comparison)


def build_agreement_matrix_view(data_plot: dict) -> views.ConfusionMatrix:
    return confusion_matrix_view(to_attr(data_plot).sorting_comparison)
