"""The sorting summary's amplitudes above the levels threshold: an overview and chunks of every spike."""

from __future__ import annotations

import json

import numpy as np

from spikeinterface_sortingview import views
from spikeinterface_sortingview.views.amplitude_chunk_file import read_chunk_file
from spikeinterface_sortingview.views.amplitude_levels import amplitude_step
from spikeinterface_sortingview.views.encoding import content_uri
from spikeinterface_sortingview.widgets.analyzer_views import amplitudes_view
from tests.spec_checker import check_view


def test_amplitudes_view_writes_every_spike_of_the_chosen_units_in_chunks(analyzer):
    unit_ids = list(analyzer.unit_ids)[::-1][:5]  # a subset, in another order than the analyzer's
    view = amplitudes_view(analyzer, unit_ids, levels_min_spikes=0)
    assert view.chunks and [item.unit_id for item in view.units] == [str(u) for u in unit_ids]
    data = json.loads(views.canonical_json(view.to_dict()))
    check_view(data)
    files = {content_uri(f): f for f in view.files()}
    chunks = [read_chunk_file(files[entry["dataUri"]]) for entry in data["chunks"]]
    frames = np.concatenate([c["spikeFrames"] for c in chunks])
    times = np.concatenate([c["spikeTimesSec"] for c in chunks])
    amplitudes = np.concatenate([c["spikeAmplitudes"] for c in chunks])
    positions = np.concatenate([c["unitIndices"] for c in chunks])
    fs = analyzer.sampling_frequency
    all_amplitudes = analyzer.get_extension("spike_amplitudes").get_data()
    spikes = analyzer.sorting.to_spike_vector()
    step = amplitude_step(all_amplitudes)
    for position, unit_id in enumerate(unit_ids):
        own = spikes["unit_index"] == list(analyzer.unit_ids).index(unit_id)
        np.testing.assert_array_equal(frames[positions == position], spikes["sample_index"][own])
        np.testing.assert_array_equal(
            times[positions == position], (spikes["sample_index"][own] / fs).astype("float32")
        )
        np.testing.assert_array_equal(
            amplitudes[positions == position], np.rint(all_amplitudes[own] / np.float32(step)) * np.float32(step)
        )
    assert len(times) == sum(np.isin(spikes["unit_index"], [list(analyzer.unit_ids).index(u) for u in unit_ids]))
    # display precision with levels: multiples of one power-of-two step, the smallest with at most 2048 steps to
    # the largest |amplitude| (so each value is within 1/2048 of that peak)
    peak = np.abs(all_amplitudes).max()
    assert peak / 2048 <= step < peak / 1024 and np.log2(step) == int(np.log2(step))
    np.testing.assert_array_equal(np.rint(amplitudes / step) * step, amplitudes)
    for position, unit_id in enumerate(unit_ids):
        own = spikes["unit_index"] == list(analyzer.unit_ids).index(unit_id)
        assert np.abs(amplitudes[positions == position] - all_amplitudes[own]).max() <= step / 2


def test_amplitudes_view_below_the_threshold_is_inline(analyzer):
    view = amplitudes_view(analyzer, list(analyzer.unit_ids))
    assert view.chunks is None and view.files() == []
