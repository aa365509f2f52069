"""Compact spike trains: about 2 bytes a spike, spike-exact, one unit or one window decoded at a time."""

from __future__ import annotations

import io

import numpy as np
import pytest
import spikeinterface.core as sc
from spikeinterface.core.base import minimum_spike_dtype

import spikeinterface_sortingview as sv
from extractors.compact_spikes import CHECKPOINT_SPIKES, ESCAPE, CompactSpikeTrains, encode_spike_trains
from extractors.encoding import encode_array
from extractors.sorting import SORTING_FORMAT


def stored_bytes(store, uri: str) -> int:
    manifest = store.load_json(uri)
    uris = [uri, manifest["spike_trains"]["deltas_uri"], manifest["spike_trains"]["index_uri"]]
    return sum(store.path(u).stat().st_size for u in uris)


def test_a_shared_sorting_takes_at_most_4_bytes_a_spike_and_reads_back_exactly(store):
    sorting = sc.generate_sorting(num_units=40, sampling_frequency=30_000.0, durations=[120.0], firing_rates=15, seed=3)
    uri = sv.share_sorting(sorting, in_place=False)
    num_spikes = sorting.to_spike_vector().size
    assert num_spikes > 50_000
    assert stored_bytes(store, uri) / num_spikes <= 4.0
    loaded = sv.load_sorting(uri)
    np.testing.assert_array_equal(loaded.to_spike_vector(), sorting.to_spike_vector())


def test_one_unit_or_one_window_is_decoded_without_the_rest(store):
    sorting = sc.generate_sorting(num_units=5, sampling_frequency=30_000.0, durations=[300.0], firing_rates=20, seed=4)
    loaded = sv.load_sorting(sv.share_sorting(sorting, in_place=False))
    unit = sorting.unit_ids[2]
    assert len(sorting.get_unit_spike_train(unit)) > 3 * CHECKPOINT_SPIKES  # windows start from a checkpoint
    for start, end in [(None, None), (0, 30), (1_234_567, 4_000_000), (5_000_000, None), (None, 777), (9e9, 9e9 + 1)]:
        np.testing.assert_array_equal(
            loaded.get_unit_spike_train(unit, start_frame=start, end_frame=end),
            sorting.get_unit_spike_train(unit, start_frame=start, end_frame=end),
        )
    assert loaded._cached_spike_vector is None  # nothing decoded every train


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gaps_over_65535_frames_duplicates_empty_units_and_segments_are_exact(seed):
    rng = np.random.default_rng(seed)
    n = 20_000
    segment = rng.integers(0, 3, n)
    unit = rng.choice([0, 1, 3], n, p=[0.98, 0.015, 0.005])  # unit 2 and 4 have no spikes; 3 is sparse
    frames = rng.integers(0, 2**34, n)  # large frames: many first frames and gaps overflow uint16
    frames[:50] = frames[50]  # duplicates
    encoded = encode_spike_trains(frames, unit, segment, num_units=5, num_segments=3)
    assert len(encoded["overflow_positions"]) > 0 and (encoded["deltas"] == ESCAPE).sum() == len(
        encoded["overflow_positions"]
    )
    trains = CompactSpikeTrains(encoded["deltas"], encoded)
    for s in range(3):
        for u in range(5):
            expected = np.sort(frames[(segment == s) & (unit == u)])
            np.testing.assert_array_equal(trains.unit_train(s, u), expected)
            lo, hi = np.sort(rng.integers(0, 2**34, 2))
            np.testing.assert_array_equal(trains.unit_train(s, u, lo, hi), expected[(expected >= lo) & (expected < hi)])
    order = [np.sort(frames[(segment == s) & (unit == u)]) for s in range(3) for u in range(5)]
    np.testing.assert_array_equal(trains.all_frames(), np.concatenate(order))


@pytest.mark.parametrize("in_time_order", [True, False])
def test_the_numba_pass_and_the_numpy_path_encode_the_same_arrays(monkeypatch, in_time_order):
    """Large sortings are grouped by a numba counting sort, small ones by a stable argsort: the same layout."""
    import extractors.compact_spikes as compact_spikes

    rng = np.random.default_rng(7)
    n = 50_000
    segment = np.sort(rng.integers(0, 2, n))
    unit = rng.integers(0, 6, n)
    frames = np.cumsum(rng.integers(0, 40_000, n))  # gaps of all sizes: some overflow within a unit's train
    if not in_time_order:
        frames = rng.permutation(frames)
    encoded = {}
    for threshold in (0, n + 1):  # numba for every size, then numpy for this one
        monkeypatch.setattr(compact_spikes, "NUMBA_MIN_SPIKES", threshold)
        encoded[threshold] = encode_spike_trains(frames, unit, segment, num_units=7, num_segments=2)
    numba_arrays, numpy_arrays = encoded[0], encoded[n + 1]
    assert len(numba_arrays["overflow_positions"]) > 0
    assert numba_arrays.keys() == numpy_arrays.keys()
    for name in numba_arrays:
        assert numba_arrays[name].dtype == numpy_arrays[name].dtype, name
        np.testing.assert_array_equal(numba_arrays[name], numpy_arrays[name], err_msg=name)
    trains = CompactSpikeTrains(numba_arrays["deltas"], numba_arrays)
    for s in range(2):
        for u in range(7):
            np.testing.assert_array_equal(trains.unit_train(s, u), np.sort(frames[(segment == s) & (unit == u)]))


def test_encoding_holds_at_most_three_int64_copies_of_the_spikes_at_once():
    """At an hour of 1,000 units (23 M spikes) each int64 column is 183 MB: encoding keeps few of them alive."""
    import tracemalloc

    sorting = sc.generate_sorting(
        num_units=100, sampling_frequency=30_000.0, durations=[300.0], firing_rates=20, seed=5
    )
    spikes = sorting.to_spike_vector()
    tracemalloc.start()
    try:
        encode_spike_trains(spikes["sample_index"], spikes["unit_index"], spikes["segment_index"], 100, 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the sort order, the sorted frames and their deltas (8 bytes each) and a 2-byte sort key
    assert peak / spikes.size <= 28


def test_a_sorting_shared_before_compact_trains_still_loads(store):
    """A version 1 manifest with a stored int64 spike vector, as earlier versions wrote it."""
    sorting = sc.generate_sorting(num_units=4, sampling_frequency=20_000.0, durations=[2.0, 1.0], seed=9)
    spikes = np.ascontiguousarray(sorting.to_spike_vector().astype(minimum_spike_dtype))
    buffer = io.BytesIO()
    np.save(buffer, spikes, allow_pickle=False)
    manifest = {
        "format": SORTING_FORMAT,
        "version": 1,
        "sampling_frequency": 20_000.0,
        "unit_ids": encode_array(sorting.unit_ids, "unit_ids"),
        "num_segments": 2,
        "spikes_uri": store.store_bytes(buffer.getvalue()),
        "npz_uri": None,
        "properties": {},
        "annotations": {},
    }
    loaded = sv.load_sorting(store.store_json(manifest))
    np.testing.assert_array_equal(loaded.to_spike_vector(), sorting.to_spike_vector())
    for unit in sorting.unit_ids:
        np.testing.assert_array_equal(
            loaded.get_unit_spike_train(unit, segment_index=1), sorting.get_unit_spike_train(unit, segment_index=1)
        )


def test_a_manifest_of_a_newer_layout_names_the_upgrade(store):
    sorting = sc.generate_sorting(num_units=2, durations=[1.0], seed=1)
    manifest = store.load_json(sv.share_sorting(sorting, in_place=False))
    manifest["spike_trains"]["layout"] = "some-future-layout"
    with pytest.raises(ValueError, match="Upgrade the package"):
        sv.load_sorting(store.store_json(manifest))
