"""Builders for plot_confusion_matrix and plot_agreement_matrix (ConfusionMatrix views)."""

from __future__ import annotations

from spikeinterface.widgets.base import to_attr

from .. import views
from .common import plain_unit_id, plain_unit_ids
from .parity import check


def confusion_matrix_view(comparison, unit_ids1: list, unit_ids2: list) -> views.ConfusionMatrix:
    """Event counts of both sortings and the matched event counts of every unit pair that shares events, units
    in the order given."""
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
    """Units in the order of SpikeInterface's confusion matrix (matched units first), as matplotlib draws it."""
    check("plot_confusion_matrix", data_plot)
    comparison = to_attr(data_plot).gt_comparison
    matrix = comparison.get_confusion_matrix()
    # its last row and column are the false positives and negatives, not units
    return confusion_matrix_view(comparison, list(matrix.index[:-1]), list(matrix.columns[:-1]))


def build_agreement_matrix_view(data_plot: dict) -> views.ConfusionMatrix:
    """With ``ordered``, units ordered by best agreement, as matplotlib draws them; else in sorting order."""
    check("plot_agreement_matrix", data_plot)
    dp = to_attr(data_plot)
    comparison = dp.sorting_comparison
    scores = comparison.get_ordered_agreement_scores() if dp.ordered else comparison.agreement_scores
    return confusion_matrix_view(comparison, list(scores.index), list(scores.columns))
