"""PCA features of one unit or a pair: shapes, labels, and two different units landing apart."""

from __future__ import annotations

import numpy as np
import pytest

from runner.handlers import HandlerInputError, run_handler

TASK = "sortingview.pca_features.1"


def test_a_pair_of_units_separates_in_pca_space(data, ground_truth, unit_ids):
    _, sorting = ground_truth
    pair = unit_ids[:2]
    result = run_handler(TASK, {"recording_uri": "rec", "sorting_uri": "sort", "unit_ids": pair}, data).data
    features, labels = result["features"], result["spikeUnitIndices"]
    counts = [len(sorting.get_unit_spike_train(u)) for u in pair]
    assert features.shape == (len(labels), 3) and features.dtype == np.float32
    assert labels.dtype == np.int32 and np.bincount(labels).tolist() == counts  # all spikes (< 1000 per unit)
    assert result["unitIds"] == pair and len(result["channelIds"]) == 8
    centroid_distance = np.linalg.norm(features[labels == 0].mean(axis=0) - features[labels == 1].mean(axis=0))
    spread = max(features[labels == k].std(axis=0).max() for k in (0, 1))
    assert centroid_distance > 3 * spread
    assert result["explainedVarianceRatio"][0] > 0.3


def test_one_unit_with_a_spike_cap_and_fewer_channels(data, unit_ids):
    request = {
        "recording_uri": "rec",
        "sorting_uri": "sort",
        "unit_ids": [unit_ids[4]],
        "max_spikes": 50,
        "num_channels": 3,
    }
    result = run_handler(TASK, request, data).data
    assert result["features"].shape == (50, 3) and set(result["spikeUnitIndices"]) == {0}
    assert len(result["channelIds"]) == 3
    again = run_handler(TASK, request, data).data
    np.testing.assert_array_equal(result["features"], again["features"])
    assert np.all(np.diff(result["spikeTimesSec"]) >= 0)


def test_more_than_two_units_are_refused(data, unit_ids):
    with pytest.raises(HandlerInputError, match="at most 2"):
        run_handler(TASK, {"recording_uri": "rec", "sorting_uri": "sort", "unit_ids": unit_ids[:3]}, data)
