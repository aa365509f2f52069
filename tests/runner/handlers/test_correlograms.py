"""Correlograms: the numba sweep equals a brute-force count, merge groups give the union's correlogram, and it is fast."""

from __future__ import annotations

import time

import numpy as np
import pytest
import spikeinterface.core as sc

from runner.handlers import DictDataSource, HandlerInputError, run_handler
from runner.handlers.correlograms import bin_edges_sec, correlogram_bins, count_correlogram

FS = 30000.0


def brute_force(train1: np.ndarray, train2: np.ndarray, num_bins: int, bin_samples: float, auto: bool) -> np.ndarray:
    """Every pair's lag, binned with np.histogram on the same edges (bins are [a, b), the last one too)."""
    lags = (train2[None, :] - train1[:, None]).astype(np.float64)
    if auto:
        lags = lags[~np.eye(len(train1), dtype=bool)]
    edges = (np.arange(num_bins + 1) - num_bins / 2) * bin_samples
    lags = lags[lags < edges[-1]]  # np.histogram's last bin includes its right edge; ours does not
    return np.histogram(lags, bins=edges)[0]


def random_sorting(num_units: int, num_spikes: int, duration_s: float, seed: int, num_segments: int = 1):
    """A NumpySorting of random (Poisson-like) trains, with a few exactly coincident spikes between units."""
    rng = np.random.default_rng(seed)
    segments = []
    for _ in range(num_segments):
        samples = rng.integers(0, int(duration_s * FS), size=num_spikes)
        labels = rng.integers(0, num_units, size=num_spikes)
        # duplicate some spikes into another unit at the same sample (overlapping detections)
        dup = rng.choice(num_spikes, size=num_spikes // 20, replace=False)
        samples = np.concatenate([samples, samples[dup]])
        labels = np.concatenate([labels, (labels[dup] + 1) % num_units])
        order = np.argsort(samples, kind="stable")
        segments.append((samples[order], labels[order]))
    return sc.NumpySorting.from_samples_and_labels(
        [s for s, _ in segments], [labels for _, labels in segments], FS, unit_ids=np.arange(num_units) + 10
    )


def unit_train(sorting, unit_id, segment=0):
    return np.sort(sorting.get_unit_spike_train(unit_id, segment_index=segment)).astype(np.int64)


def test_bins_are_odd_and_edges_follow_the_spec():
    assert correlogram_bins(50, 1) == 49
    edges = bin_edges_sec(49, 1.0)
    assert edges.dtype == np.float32 and len(edges) == 50
    assert edges[0] == pytest.approx(-0.0245) and edges[-1] == pytest.approx(0.0245)
    assert correlogram_bins(51, 1) == 51


@pytest.mark.parametrize("bin_ms", [1.0, 0.7])
def test_sweep_equals_brute_force(bin_ms):
    sorting = random_sorting(num_units=3, num_spikes=1500, duration_s=2.0, seed=1)
    num_bins = correlogram_bins(50, bin_ms)
    bin_samples = bin_ms * FS / 1000
    a, b = unit_train(sorting, 10), unit_train(sorting, 11)
    np.testing.assert_array_equal(
        count_correlogram(a, b, num_bins, bin_samples, same_train=False),
        brute_force(a, b, num_bins, bin_samples, False),
    )
    np.testing.assert_array_equal(
        count_correlogram(a, a, num_bins, bin_samples, same_train=True), brute_force(a, a, num_bins, bin_samples, True)
    )


def test_handler_counts_match_brute_force_and_merge_is_the_union(tmp_path):
    sorting = random_sorting(num_units=4, num_spikes=2000, duration_s=3.0, seed=2)
    data = DictDataSource({"s": sorting})
    result = run_handler(
        "sortingview.correlograms.1", {"sorting_uri": "s", "unit_groups": [[10, 11], 12, [13]]}, data
    ).data
    num_bins, bin_samples = 49, 30.0
    merged = np.sort(np.concatenate([unit_train(sorting, 10), unit_train(sorting, 11)]))
    auto = result["autocorrelograms"]
    assert [c["unitIds"] for c in auto] == [[10, 11], [12], [13]]
    np.testing.assert_array_equal(auto[0]["binCounts"], brute_force(merged, merged, num_bins, bin_samples, True))
    assert auto[0]["binCounts"].dtype == np.int32
    # the merge group's correlogram is the correlogram of the merged unit made by SpikeInterface
    merged_sorting = sc.apply_merges_to_sorting(sorting, [[10, 11]], new_unit_ids=[99])
    data_merged = DictDataSource({"s": merged_sorting})
    union = run_handler("sortingview.correlograms.1", {"sorting_uri": "s", "unit_groups": [99, 12]}, data_merged).data
    np.testing.assert_array_equal(auto[0]["binCounts"], union["autocorrelograms"][0]["binCounts"])
    cross = result["crossCorrelograms"]
    assert [(c["unitIds1"], c["unitIds2"]) for c in cross] == [([10, 11], [12]), ([10, 11], [13]), ([12], [13])]
    np.testing.assert_array_equal(cross[0]["binCounts"], union["crossCorrelograms"][0]["binCounts"])
    np.testing.assert_array_equal(
        cross[2]["binCounts"],
        brute_force(unit_train(sorting, 12), unit_train(sorting, 13), num_bins, bin_samples, False),
    )


def test_coincident_spikes_of_merged_units_count_at_zero_lag():
    sorting = sc.NumpySorting.from_unit_dict({1: np.array([100, 5000]), 2: np.array([100, 9000])}, FS)
    data = DictDataSource({"s": sorting})
    auto = run_handler("sortingview.correlograms.1", {"sorting_uri": "s", "unit_groups": [[1, 2]]}, data).data
    counts = auto["autocorrelograms"][0]["binCounts"]
    assert counts[24] == 2 and counts.sum() == 2  # the pair at sample 100, both ways; the others are > 25 ms apart


def test_segments_are_summed_or_selected():
    sorting = random_sorting(num_units=2, num_spikes=800, duration_s=1.0, seed=3, num_segments=2)
    data = DictDataSource({"s": sorting})
    request = {"sorting_uri": "s", "unit_groups": [10], "cross": False}
    total = run_handler("sortingview.correlograms.1", request, data).data["autocorrelograms"][0]["binCounts"]
    parts = [
        run_handler("sortingview.correlograms.1", {**request, "segment_index": s}, data).data["autocorrelograms"][0]
        for s in (0, 1)
    ]
    np.testing.assert_array_equal(total, parts[0]["binCounts"] + parts[1]["binCounts"])
    train = unit_train(sorting, 10, segment=1)
    np.testing.assert_array_equal(parts[1]["binCounts"], brute_force(train, train, 49, 30.0, True))


def test_old_fetch_cross_correlogram_task(ground_truth, data, unit_ids):
    _, sorting = ground_truth
    result = run_handler(
        "spikesortingview.fetch_cross_correlogram.2",
        {"data_uri": "sort", "unit_id1": unit_ids[0], "unit_id2": unit_ids[1]},
        data,
    ).data
    assert set(result) == {"binEdgesSec", "binCounts"}
    a, b = unit_train(sorting, unit_ids[0]), unit_train(sorting, unit_ids[1])
    # SpikeInterface's convention: lag = time of unit 1 - time of unit 2
    np.testing.assert_array_equal(result["binCounts"], brute_force(b, a, 49, 25.0, False))
    same = run_handler(
        "spikesortingview.fetch_cross_correlogram.2", {"data_uri": "sort", "unit_id1": unit_ids[2]}, data
    )
    np.testing.assert_array_equal(
        same.data["binCounts"], brute_force(*[unit_train(sorting, unit_ids[2])] * 2, 49, 25.0, True)
    )


@pytest.mark.parametrize(
    ("task_input", "message"),
    [
        ({"sorting_uri": "sort", "unit_groups": [["nope"]]}, "no unit with id 'nope'"),
        ({"sorting_uri": "sort", "unit_groups": []}, "non-empty list"),
        ({"sorting_uri": "sort", "unit_groups": [[{"a": 1}]]}, "unit ids are ints or strings"),
        ({"sorting_uri": "sort", "unit_groups": ["0"], "window_ms": "50"}, "window_ms must be a number"),
        ({"sorting_uri": "sort", "unit_groups": ["0"], "bin_ms": 0.001}, "bins; at most"),
        ({"sorting_uri": "sort", "unit_groups": ["0"], "window_ms": 0.2}, "shorter than one bin"),
        ({"sorting_uri": "sort", "unit_groups": ["0"], "segment_index": 3}, "segment_index must be at most 0"),
        ({"sorting_uri": "sort", "unit_groups": ["0"], "colour": 1}, "unknown input key(s) colour"),
        ({"unit_groups": ["0"]}, "missing input key(s) sorting_uri"),
        ({"sorting_uri": "missing", "unit_groups": ["0"]}, "no sorting with URI 'missing'"),
        ({"sorting_uri": "sort", "unit_groups": [["0", "0"]]}, "twice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(data, task_input, message):
    with pytest.raises(HandlerInputError) as caught:
        run_handler("sortingview.correlograms.1", task_input, data)
    assert message in str(caught.value)
    assert str(caught.value).startswith("sortingview.correlograms.1: ")


def test_merged_pair_on_a_million_spikes_is_fast():
    # 1.2 M spikes, 200 units, 600 s; the merged pair has ~12 k spikes.
    sorting = random_sorting(num_units=200, num_spikes=1_200_000, duration_s=600.0, seed=4)
    data = DictDataSource({"s": sorting})
    request = {"sorting_uri": "s", "unit_groups": [[10, 11]]}
    run_handler("sortingview.correlograms.1", request, data)  # compiles (or loads) the kernel, builds the trains
    timings = []
    for _ in range(7):
        start = time.perf_counter()
        run_handler("sortingview.correlograms.1", request, data)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.050, f"merged-pair correlogram took {min(timings) * 1000:.1f} ms (target < 50 ms)"


def test_num_bins_matches_spikeinterface_correlograms(data, ground_truth):
    from spikeinterface.postprocessing import compute_correlograms

    _, sorting = ground_truth
    result = run_handler(
        "sortingview.correlograms.1",
        {"sorting_uri": "sort", "unit_groups": [str(u) for u in sorting.unit_ids[:2]], "num_bins": 50},
        data,
    )
    expected, bins_ms = compute_correlograms(sorting, window_ms=50.0, bin_ms=1.0)
    np.testing.assert_allclose(result.data["binEdgesSec"], bins_ms / 1000, atol=1e-7)
    np.testing.assert_array_equal(result.data["autocorrelograms"][0]["binCounts"], expected[0, 0])
    np.testing.assert_array_equal(result.data["crossCorrelograms"][0]["binCounts"], expected[0, 1])
