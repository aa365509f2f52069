"""plot_confusion_matrix and plot_agreement_matrix: distinct figures holding what SpikeInterface's comparison gives."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.full as si

from spikeinterface_sortingview.views import from_json_value
from tests.widgets.test_backend import stored_leaves


@pytest.fixture(scope="module")
def comparison():
    """Ground truth (ids 0..4) against a sorting that found three of its units, also named 0..2, and a stray one."""
    _, gt = si.generate_ground_truth_recording(durations=[6.0], num_channels=4, num_units=5, seed=5)
    gt = gt.rename_units([0, 1, 2, 3, 4])
    train = gt.get_unit_spike_train
    stray = np.sort(np.random.default_rng(0).integers(0, int(6.0 * gt.sampling_frequency), 50))
    trains = {0: train(0), 1: train(1)[::2], 2: train(3), 3: stray}
    tested = si.NumpySorting.from_unit_dict(trains, gt.sampling_frequency)
    return si.compare_sorter_to_ground_truth(gt, tested, exhaustive_gt=True)


def test_confusion_matrix_holds_spikeinterfaces_counts_with_fn_and_fp(comparison):
    (view,) = stored_leaves(si.plot_confusion_matrix(comparison, backend="sortingview", display=False).url).values()
    matrix = comparison.get_confusion_matrix()
    rows, columns = list(matrix.index[:-1]), list(matrix.columns[:-1])
    assert view["sorting1UnitIds"] == rows and view["sorting2UnitIds"] == columns  # SpikeInterface's order
    cells = {(m["unitId1"], m["unitId2"]): m["count"] for m in view["matchingUnitEventCounts"]}
    assert cells == {(u1, u2): int(matrix.at[u1, u2]) for u1 in rows for u2 in columns if matrix.at[u1, u2] > 0}
    assert view["falseNegativeCounts"] == [int(matrix.at[u, "FN"]) for u in rows]
    assert view["falsePositiveCounts"] == [int(matrix.at["FP", u]) for u in columns]
    assert (view["sorting1Name"], view["sorting2Name"]) == ("ground truth", "tested")
    # both sortings use ids 0..: counts are listed sorting 1 first, so ground-truth unit 2 and tested unit 2 differ
    counts = [c["count"] for c in view["unitEventCounts"]]
    assert counts[: len(rows)] == [int(comparison.event_counts1[u]) for u in rows]
    assert counts[len(rows) :] == [int(comparison.event_counts2[u]) for u in columns]
    assert comparison.event_counts1[2] != comparison.event_counts2[2]


def test_agreement_matrix_holds_the_ordered_agreement_scores(comparison):
    widget = si.plot_agreement_matrix(comparison, backend="sortingview", display=False)
    (view,) = stored_leaves(widget.url).values()
    assert view["type"] == "AgreementMatrix"
    ordered = comparison.get_ordered_agreement_scores()
    assert view["sorting1UnitIds"] == list(ordered.index) and view["sorting2UnitIds"] == list(ordered.columns)
    np.testing.assert_array_equal(from_json_value(view["agreementScores"]), ordered.to_numpy(dtype="float32"))
    best = comparison.best_match_12
    assert view["bestMatch12"] == [int(best[u]) if best[u] != -1 else None for u in ordered.index]
    unordered = si.plot_agreement_matrix(comparison, ordered=False, backend="sortingview", display=False)
    (view,) = stored_leaves(unordered.url).values()
    assert view["sorting1UnitIds"] == list(comparison.agreement_scores.index)
