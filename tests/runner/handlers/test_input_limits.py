"""Inputs at the edges of what handlers can compute are refused as input errors (a 400), never raised as crashes."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.core as sc

from runner.handlers import DictDataSource, HandlerInputError, run_handler
from runner.handlers.timeseries import MIN_FREQ_MIN

TRACES = "sortingview.traces_window.1"
CORRELOGRAMS = "sortingview.correlograms.1"


def test_bandpass_below_what_spikeinterface_filters_is_an_input_error(data):
    # SpikeInterface's bandpass filter raises ValueError below 100 Hz: the handler's limit is that one
    assert MIN_FREQ_MIN == 100.0
    band = {"freq_min": 50.0, "freq_max": 3000.0}
    with pytest.raises(HandlerInputError, match="freq_min must be at least 100 Hz"):
        run_handler(TRACES, {"recording_uri": "rec", "start_frame": 0, "end_frame": 100, "bandpass": band}, data)
    band["freq_min"] = MIN_FREQ_MIN
    result = run_handler(TRACES, {"recording_uri": "rec", "start_frame": 0, "end_frame": 100, "bandpass": band}, data)
    assert result.data["numSamples"] == 100


@pytest.mark.parametrize("end_sec", [1e305, 1e300, float(2**70)])
def test_a_window_of_huge_seconds_is_outside_the_segment(data, end_sec):
    with pytest.raises(HandlerInputError, match="is not inside segment 0"):
        run_handler(TRACES, {"recording_uri": "rec", "start_sec": 0, "end_sec": end_sec}, data)


@pytest.mark.parametrize("bin_ms", [5e-324, 1e-300, 1e-9])
def test_bins_shorter_than_a_microsecond_are_refused(data, unit_ids, bin_ms):
    task_input = {"sorting_uri": "sort", "unit_groups": [unit_ids[0]], "bin_ms": bin_ms}
    with pytest.raises(HandlerInputError, match="bin_ms must be at least"):
        run_handler(CORRELOGRAMS, task_input, data)
    old = {"data_uri": "sort", "unit_id1": unit_ids[0], "bin_size_msec": bin_ms}
    with pytest.raises(HandlerInputError, match="bin_size_msec must be at least"):
        run_handler("spikesortingview.fetch_cross_correlogram.2", old, data)


@pytest.mark.parametrize(
    "task_name",
    ["sortingview.spike_amplitudes.1", "sortingview.average_waveforms.1", "sortingview.snippets.1"],
)
def test_a_sorting_longer_than_its_recording_is_refused(data, ground_truth, task_name):
    recording, _ = ground_truth
    num_samples = recording.get_num_samples(0)
    # unit 1 fires past the recording's last frame
    frames = np.array([100, 2000, num_samples - 10, num_samples + 500], dtype=np.int64)
    labels = np.array([0, 1, 0, 1])
    sorting = sc.NumpySorting.from_samples_and_labels([frames], [labels], recording.sampling_frequency)
    source = DictDataSource({"rec": recording, "long": sorting})
    task_input = {"recording_uri": "rec", "sorting_uri": "long", "unit_ids": [0]}
    with pytest.raises(HandlerInputError, match=f"spike at frame {num_samples + 500} of segment 0"):
        run_handler(task_name, task_input, source)
