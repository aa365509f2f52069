"""The default data source loads shared extractors by URI and keeps them, and their spike trains, warm."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from extractors import share_recording, share_sorting
from runner.handlers import DataSource, HandlerInputError, run_handler


def test_default_source_loads_shared_extractors_and_caches_them(ground_truth, tmp_path):
    recording, sorting = ground_truth
    recording_uri, sorting_uri = share_recording(recording), share_sorting(sorting)
    data = DataSource(journal_dir=tmp_path / "journals")
    assert data.recording(recording_uri) is data.recording(recording_uri)
    assert data.spike_trains(sorting_uri) is data.spike_trains(sorting_uri)
    unit = sorting.unit_ids[0].item()
    result = run_handler(
        "sortingview.average_waveforms.1",
        {"recording_uri": recording_uri, "sorting_uri": sorting_uri, "unit_ids": unit, "max_spikes": 20},
        data,
    ).data
    assert result["waveform"].shape == (8, 75)
    window = run_handler(
        "sortingview.traces_window.1", {"recording_uri": recording_uri, "start_frame": 10, "end_frame": 60}, data
    )
    expected = recording.get_traces(start_frame=10, end_frame=60)
    np.testing.assert_allclose(np.frombuffer(window.payload_bytes(), np.float32).reshape(50, 8), expected, atol=1e-5)


def test_unknown_uri_is_an_input_error():
    with pytest.raises(HandlerInputError, match="cannot load the sorting"):
        DataSource().sorting("sha1://" + "0" * 40)


def test_the_cache_is_bounded(ground_truth):
    data = DataSource(cache_size=2)
    for key in range(5):
        data.derived(("k", key), lambda key=key: key)
    assert data.derived(("k", 4), lambda: "recomputed") == 4
    assert data.derived(("k", 0), lambda: "recomputed") == "recomputed"


def test_a_data_source_pickles_without_its_caches(data, unit_ids):
    run_handler("sortingview.sorting_info.1", {"sorting_uri": "sort"}, data)
    copy = pickle.loads(pickle.dumps(data))
    assert copy.journal_dir == data.journal_dir and not copy._derived
    assert run_handler("sortingview.sorting_info.1", {"sorting_uri": "sort"}, copy).data["unitIds"] == unit_ids
    result = run_handler(
        "sortingview.traces_window.1", {"recording_uri": "rec", "start_frame": 0, "end_frame": 10}, copy
    )
    restored = pickle.loads(pickle.dumps(result))
    assert restored.data == result.data and restored.payload_bytes() == result.payload_bytes()
