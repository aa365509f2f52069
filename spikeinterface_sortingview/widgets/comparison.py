"""Builders for plot_confusion_matrix (ConfusionMatrix) and plot_agreement_matrix (AgreementMatrix).

They show what SpikeInterface's matplotlib backend shows: the confusion matrix of a ground-truth comparison
(matched event counts of the hungarian match, an FN column and an FP row, units ordered as SpikeInterface orders
them), and the agreement scores of any pair comparison (ordered so best matches lie on the diagonal).
"""

from __future__ import annotations

from spikeinterface.widgets.base import to_attr

from .. import views
from .common import plain_unit_id, plain_unit_ids
from .parity import check

FALSE_POSITIVES = "FP"
FALSE_NEGATIVES = "FN"


def confusion_matrix_view(comparison) -> views.ConfusionMatrix:
    """SpikeInterface's confusion matrix of a comparison (``comparison.get_confusion_matrix()``)."""
    matrix = comparison.get_confusion_matrix()
    unit_ids1 = [u for u in matrix.index if not (isinstance(u, str) and u == FALSE_POSITIVES)]
    unit_ids2 = [u for u in matrix.columns if not (isinstance(u, str) and u == FALSE_NEGATIVES)]
    counts = [views.UnitEventCount(plain_unit_id(u), int(comparison.event_counts1[u])) for u in unit_ids1]
    counts += [views.UnitEventCount(plain_unit_id(u), int(comparison.event_counts2[u])) for u in unit_ids2]
    matching = [
        views.MatchingUnitEventCount(plain_unit_id(u1), plain_unit_id(u2), int(matrix.at[u1, u2]))
        for u1 in unit_ids1
        for u2 in unit_ids2
        if matrix.at[u1, u2] > 0
    ]
    name1, name2 = comparison.name_list
    return views.ConfusionMatrix(
        plain_unit_ids(unit_ids1),
        plain_unit_ids(unit_ids2),
        counts,
        matching,
        false_negative_counts=[int(matrix.at[u, FALSE_NEGATIVES]) for u in unit_ids1],
        false_positive_counts=[int(matrix.at[FALSE_POSITIVES, u]) for u in unit_ids2],
        sorting1_name=str(name1),
        sorting2_name=str(name2),
    )


def agreement_matrix_view(comparison, ordered: bool = True) -> views.AgreementMatrix:
    """The agreement scores of a pair comparison, ordered as SpikeInterface's ``get_ordered_agreement_scores``."""
    scores = comparison.get_ordered_agreement_scores() if ordered else comparison.agreement_scores
    best = comparison.best_match_12
    # No match is -1, or an empty string when unit ids are strings: anything not a unit of sorting 2.
    units2 = set(comparison.sorting2.unit_ids)
    best_match = [plain_unit_id(best[u]) if best[u] in units2 else None for u in scores.index]
    name1, name2 = comparison.name_list
    return views.AgreementMatrix(
        plain_unit_ids(scores.index),
        plain_unit_ids(scores.columns),
        scores.to_numpy(dtype="float32"),
        best_match,
        sorting1_name=str(name1),
        sorting2_name=str(name2),
    )


def build_confusion_matrix_view(data_plot: dict) -> views.ConfusionMatrix:
    """Units in the order of SpikeInterface's confusion matrix (matched units first), as matplotlib draws it."""
    check("plot_confusion_matrix", data_plot)
    return confusion_matrix_view(to_attr(data_plot).gt_comparison)


def build_agreement_matrix_view(data_plot: dict) -> views.AgreementMatrix:
    """With ``ordered``, units ordered by best agreement, as matplotlib draws them; else in sorting order."""
    check("plot_agreement_matrix", data_plot)
    dp = to_attr(data_plot)
    return agreement_matrix_view(dp.sorting_comparison, ordered=dp.ordered)
