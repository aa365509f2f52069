"""The comparison view classes refuse data the figure format cannot hold, naming what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

from spikeinterface_sortingview import views
from spikeinterface_sortingview.views import FigureDataError


def performance(n: int = 2) -> views.UnitPerformance:
    return views.UnitPerformance(list(range(n)), [5] + [None] * (n - 1), [0.9] * n, [1.0] * n, [0.9] * n, [10] * n)


def test_agreement_scores_must_have_the_shape_of_the_unit_ids():
    with pytest.raises(FigureDataError, match=r"shape \(1, 2\); the unit ids give \(2, 2\)"):
        views.AgreementMatrix([0, 1], [0, 1], np.zeros((1, 2)), [None, None])
    view = views.AgreementMatrix([0, 1], ["a"], np.array([[0.5], [0.0]]), [None, "a"])
    assert view.to_dict()["agreementScores"].dtype == np.float32


def test_confusion_counts_are_one_per_unit():
    with pytest.raises(FigureDataError, match="1 false negative counts for 2 units"):
        views.ConfusionMatrix([0, 1], [0], [], [], false_negative_counts=[3])
    old_style = views.ConfusionMatrix([0], [0], [views.UnitEventCount(0, 4)], []).to_dict()
    assert "falseNegativeCounts" not in old_style  # figures without them read as before


def test_per_unit_scores_are_one_per_ground_truth_unit_and_nan_is_kept():
    with pytest.raises(FigureDataError, match="accuracy has 1 values for 2 units"):
        views.UnitPerformance([0, 1], [None, None], [0.5], [0.5, 0.5], [0.5, 0.5], [1, 1])
    units = views.UnitPerformance([0], [None], [np.nan], [np.nan], [0.0], [4])
    assert np.isnan(views.GroundTruthComparison(units).to_dict()["accuracy"][0])


def test_study_cells_must_name_listed_sorters_and_recordings():
    cell = views.StudyCell("simple", "rec1", performance(), num_sorted_units=3, mean_accuracy=0.9, num_well_detected=2)
    with pytest.raises(FigureDataError, match="cell simple x rec1 is not in the table's names"):
        views.StudyTable([cell], sorter_names=["other"])
    assert views.StudyTable([cell]).to_dict()["sorterNames"] == ["simple"]


def test_multi_agreement_units_name_known_sortings():
    unit = {"unit_id": 0, "agreement_number": 2, "average_agreement": 0.9, "unit_ids": {"a": 1, "c": 2}}
    with pytest.raises(FigureDataError, match=r"names sortings \['c'\]"):
        views.MultiSortingAgreement(["a", "b"], [unit], {"a": 1, "b": 1})
