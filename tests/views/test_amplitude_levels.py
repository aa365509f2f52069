"""Levels of detail of SpikeAmplitudes: the overview keeps extremes and a uniform sample, chunks hold every spike."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spikeinterface_sortingview import views
from spikeinterface_sortingview.views.encoding import FigureDataError, content_uri, from_json_value
from tests.spec_checker import check_view


def spike_train(num_units: int = 5, num_spikes: int = 20_000, duration: float = 100.0, seed: int = 1):
    """Spikes of several units in time order, each unit a band of amplitudes, with one outlier per unit."""
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0, duration, num_spikes)).astype("float32")
    units = rng.integers(0, num_units, num_spikes)
    amplitudes = (-50.0 * (units + 1) + rng.normal(0, 3, num_spikes)).astype("float32")
    outliers = np.array([np.flatnonzero(units == u)[len(np.flatnonzero(units == u)) // 2] for u in range(num_units)])
    amplitudes[outliers] = -1000.0 - np.arange(num_units)
    return times, amplitudes, units, outliers


def test_chunks_hold_every_spike_once_grouped_by_unit_and_read_back_exactly():
    times, amplitudes, units, _ = spike_train()
    view = views.spike_amplitudes_with_levels(
        0.0, 100.0, [10, 11, 12, 13, 14], times, amplitudes, units, chunk_spikes=3_000
    )
    files = {content_uri(data): data for data in view.files()}
    entries = json.loads(views.canonical_json(view.to_dict()))["chunks"]
    assert len(entries) == 7 and sum(e["numSpikes"] for e in entries) == len(times)
    assert entries[0]["startTimeSec"] == 0.0 and entries[-1]["endTimeSec"] == 100.0
    read = [from_json_value(json.loads(files[e["dataUri"]])) for e in entries]
    for entry, chunk, following in zip(entries, read, entries[1:] + [None], strict=True):
        assert chunk["type"] == "SpikeAmplitudesChunk" and len(chunk["spikeTimesSec"]) == entry["numSpikes"]
        assert chunk["unitIndices"].dtype == np.uint16
        # spans tile the time axis: a chunk ends where the next begins, at its first spike
        if following is not None:
            assert entry["endTimeSec"] == following["startTimeSec"]
        assert chunk["spikeTimesSec"].min() >= entry["startTimeSec"]
        # inside a chunk the spikes are grouped by unit, each unit's in time order (what a reader draws per unit)
        assert np.all(np.diff(chunk["unitIndices"].astype(int)) >= 0)
        for u in range(5):
            assert np.all(np.diff(chunk["spikeTimesSec"][chunk["unitIndices"] == u]) >= 0)
    read_units = np.concatenate([c["unitIndices"] for c in read])
    read_times = np.concatenate([c["spikeTimesSec"] for c in read])
    read_amplitudes = np.concatenate([c["spikeAmplitudes"] for c in read])
    for u in range(5):
        np.testing.assert_array_equal(read_times[read_units == u], times[units == u])
        np.testing.assert_array_equal(read_amplitudes[read_units == u], amplitudes[units == u])
    # chunks hold consecutive spikes: the first chunk the first 3,000 in time, whatever their unit
    np.testing.assert_array_equal(np.sort(read[0]["spikeTimesSec"]), times[:3_000])


def test_grouping_a_chunk_by_unit_makes_it_smaller():
    """Grouped, a chunk's unit indices compress to almost nothing, and each unit's amplitudes sit together."""
    times, amplitudes, units, _ = spike_train(num_units=200, num_spikes=100_000)
    view = views.spike_amplitudes_with_levels(0.0, 100.0, list(range(200)), times, amplitudes, units)
    (chunk_bytes,) = view.files()
    in_time_order = views.canonical_json(
        views.SpikeAmplitudesChunk(0.0, 100.0, times, amplitudes, units.astype("uint16")).to_dict()
    )
    assert len(chunk_bytes) < 0.9 * len(in_time_order)


def test_overview_keeps_every_outlier_and_the_same_sample_rate_for_every_unit():
    times, amplitudes, units, outliers = spike_train(num_spikes=40_000)
    view = views.spike_amplitudes_with_levels(
        0.0, 100.0, list(range(5)), times, amplitudes, units, overview_spikes=2_000, extreme_bins=20
    )
    assert [item.unit_id for item in view.units] == list(range(5))
    for u, item in enumerate(view.units):
        own = units == u
        # the outlier, and each time bin's lowest and highest amplitude, whatever the sample
        assert amplitudes[outliers[u]] in item.spike_amplitudes
        assert item.spike_amplitudes.max() == amplitudes[own].max()
        # the sample is ~5% of each unit's spikes (2,000 of 40,000) plus at most 2 extremes per bin
        assert 0.05 * own.sum() * 0.9 <= len(item.spike_times_sec) <= 0.05 * own.sum() + 40
        assert np.all(np.diff(item.spike_times_sec) >= 0)
        pairs = set(zip(times[own].tolist(), amplitudes[own].tolist(), strict=True))
        assert set(zip(item.spike_times_sec.tolist(), item.spike_amplitudes.tolist(), strict=True)) <= pairs
    # the overview is what readers that ignore chunks draw: the classic fields, every array float32
    data = json.loads(views.canonical_json(view.to_dict()))
    assert set(data) == {"type", "startTimeSec", "endTimeSec", "units", "hideUnitSelector", "chunks"}
    check_view(data)


def test_levels_are_deterministic():
    times, amplitudes, units, _ = spike_train()
    make = lambda: views.build_figure_files(  # noqa: E731
        views.spike_amplitudes_with_levels(0.0, 100.0, list(range(5)), times, amplitudes, units, chunk_spikes=5_000)
    )
    first, second = make(), make()
    assert first.uri == second.uri and first.files.keys() == second.files.keys()
    assert len(first.files) == 1 + 4  # the view and its chunks


def test_levels_refuse_unsorted_times_and_unknown_units():
    times, amplitudes, units, _ = spike_train()
    with pytest.raises(FigureDataError, match="ascending"):
        views.spike_amplitudes_with_levels(0, 100, list(range(5)), times[::-1].copy(), amplitudes, units)
    with pytest.raises(FigureDataError, match="positions in unit_ids"):
        views.spike_amplitudes_with_levels(0, 100, list(range(4)), times, amplitudes, units)
    with pytest.raises(FigureDataError, match="one amplitude"):
        views.spike_amplitudes_with_levels(0, 100, list(range(5)), times, amplitudes[:-1], units)


def test_a_view_without_chunks_is_written_as_before():
    item = views.SpikeAmplitudesItem(1, np.array([0.5], dtype="float32"), np.array([-60.0], dtype="float32"))
    view = views.SpikeAmplitudes(0, 1, [item])
    assert "chunks" not in view.to_dict() and view.files() == []
