"""Comparisons of sortings as figures: performance against ground truth, study tables, multi-sorting agreement.

Each ``*_view`` function turns SpikeInterface comparison objects into a view; each ``plot_*`` stores that view as a
figure and returns its figURL, as the widgets do::

    cmp = si.compare_sorter_to_ground_truth(gt_sorting, sorting)
    url = sv.plot_ground_truth_comparison(cmp, sorter_name="tridesclous2")
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import views
from .figure import Figure
from .views.comparisons import DEFAULT_WELL_DETECTED_SCORE
from .widgets.common import plain_unit_id, plain_unit_ids


def unit_performance(comparison) -> views.UnitPerformance:
    """Per ground-truth unit accuracy, precision, recall and hungarian match of a ``GroundTruthComparison``."""
    performance = comparison.get_performance(method="by_unit")
    gt_unit_ids = list(performance.index)
    units2 = set(comparison.sorting2.unit_ids)
    match = comparison.hungarian_match_12
    return views.UnitPerformance(
        plain_unit_ids(gt_unit_ids),
        [plain_unit_id(match[u]) if match[u] in units2 else None for u in gt_unit_ids],
        performance["accuracy"].to_numpy(dtype="float64"),
        performance["precision"].to_numpy(dtype="float64"),
        performance["recall"].to_numpy(dtype="float64"),
        np.array([comparison.event_counts1[u] for u in gt_unit_ids], dtype="int64"),
    )


def ground_truth_comparison_view(
    comparison,
    sorter_name: str | None = None,
    recording_name: str | None = None,
    well_detected_score: float = DEFAULT_WELL_DETECTED_SCORE,
) -> views.GroundTruthComparison:
    """The per-unit view of a ``GroundTruthComparison`` (``si.compare_sorter_to_ground_truth``)."""
    if sorter_name is None:
        sorter_name = str(comparison.name_list[1])
    return views.GroundTruthComparison(unit_performance(comparison), sorter_name, recording_name, well_detected_score)


def study_cell(
    comparison,
    sorter_name: str,
    recording_name: str,
    well_detected_score: float = DEFAULT_WELL_DETECTED_SCORE,
    run_time_sec: float | None = None,
    sorting_uri: str | None = None,
) -> views.StudyCell:
    """One cell of a study table, with the numbers SpikeInterface's comparison gives."""
    average = comparison.get_performance(method="pooled_with_average")
    return views.StudyCell(
        sorter_name,
        recording_name,
        unit_performance(comparison),
        num_sorted_units=len(comparison.sorting2.unit_ids),
        mean_accuracy=float(average["accuracy"]),
        num_well_detected=comparison.count_well_detected_units(well_detected_score),
        run_time_sec=run_time_sec,
        sorting_uri=sorting_uri,
    )


def study_table_view(
    comparisons: Mapping[tuple[str, str], object],
    well_detected_score: float = DEFAULT_WELL_DETECTED_SCORE,
    run_times: Mapping[tuple[str, str], float] | None = None,
    sorting_uris: Mapping[tuple[str, str], str] | None = None,
) -> views.StudyTable:
    """A study table of ``{(sorter_name, recording_name): GroundTruthComparison}``.

    Parameters
    ----------
    comparisons : Mapping[tuple[str, str], GroundTruthComparison]
        One comparison per sorter and recording (a missing pair shows "no result").
    well_detected_score : float
        Accuracy from which a ground-truth unit counts as well detected (SpikeInterface's default 0.8).
    run_times, sorting_uris : Mapping | None
        Per cell, the sorter's run time in seconds and the sorting's URI (e.g. from ``sv.submit_batch``).
    """
    run_times = run_times or {}
    sorting_uris = sorting_uris or {}
    cells = [
        study_cell(
            cmp,
            sorter,
            recording,
            well_detected_score,
            run_times.get((sorter, recording)),
            sorting_uris.get((sorter, recording)),
        )
        for (sorter, recording), cmp in comparisons.items()
    ]
    return views.StudyTable(cells, well_detected_score=well_detected_score)


def multi_sorting_agreement_view(multi_comparison) -> views.MultiSortingAgreement:
    """The agreement units of a ``MultiSortingComparison`` (``si.compare_multiple_sorters``)."""
    agreement = multi_comparison.get_agreement_sorting(minimum_agreement_count=1)
    numbers = agreement.get_property("agreement_number")
    averages = agreement.get_property("avg_agreement")
    members = agreement.get_property("unit_ids")
    units = [
        {
            "unit_id": plain_unit_id(unit_id),
            "agreement_number": int(numbers[i]),
            "average_agreement": float(averages[i]),
            "unit_ids": {str(name): plain_unit_id(u) for name, u in members[i].items()},
        }
        for i, unit_id in enumerate(agreement.unit_ids)
    ]
    names = [str(name) for name in multi_comparison.name_list]
    num_units = {
        str(name): len(sorting.unit_ids) for name, sorting in zip(names, multi_comparison.object_list, strict=True)
    }
    return views.MultiSortingAgreement(names, units, num_units)


def plot_ground_truth_comparison(comparison, label: str | None = None, **kwargs) -> str:
    """Store the per-unit view of a ground-truth comparison and return its figURL (kwargs as for the view)."""
    view = ground_truth_comparison_view(comparison, **kwargs)
    return Figure(view).url(label=label or f"{view.sorter_name} vs ground truth")


def plot_study(comparisons: Mapping[tuple[str, str], object], label: str | None = None, **kwargs) -> str:
    """Store a study table (see ``study_table_view``) and return its figURL."""
    return Figure(study_table_view(comparisons, **kwargs)).url(label=label or "Ground-truth study")


def plot_multi_sorting_agreement(multi_comparison, label: str | None = None) -> str:
    """Store the agreement view of a multi-sorting comparison and return its figURL."""
    view = multi_sorting_agreement_view(multi_comparison)
    return Figure(view).url(label=label or "Agreement of " + ", ".join(view.sorting_names))
