import numpy as np
import pytest

from runner.handlers import HandlerInputError, run_handler


def test_spikes_window_lists_every_spike_between_two_frames(data, ground_truth):
    _, sorting = ground_truth
    result = run_handler(
        "sortingview.spikes_window.1", {"sorting_uri": "sort", "start_frame": 1000, "end_frame": 40000}, data
    )
    frames, units = result.data["spikeFrames"], result.data["spikeUnitIndices"]
    assert frames.dtype == np.int32 and np.all((frames >= 1000) & (frames < 40000)) and np.all(np.diff(frames) >= 0)
    for index, unit_id in enumerate(sorting.unit_ids):
        train = sorting.get_unit_spike_train(unit_id, segment_index=0)
        expected = train[(train >= 1000) & (train < 40000)]
        np.testing.assert_array_equal(np.sort(frames[units == index]), expected)


def test_spikes_window_refuses_an_empty_window(data):
    with pytest.raises(HandlerInputError, match="must be greater than start_frame"):
        run_handler("sortingview.spikes_window.1", {"sorting_uri": "sort", "start_frame": 5, "end_frame": 5}, data)
