"""Spike amplitudes on the peak channel, recording info and sorting info."""

from __future__ import annotations

import numpy as np
import pytest

from runner.handlers import HandlerInputError, run_handler

AMPLITUDES = "sortingview.spike_amplitudes.1"


def test_amplitudes_are_the_trace_at_each_spike_on_the_peak_channel(data, int16_recording, ground_truth, unit_ids):
    _, sorting = ground_truth
    group = unit_ids[3:5]
    result = run_handler(AMPLITUDES, {"recording_uri": "rec16", "sorting_uri": "sort", "unit_ids": group}, data).data
    frames = np.concatenate([sorting.get_unit_spike_train(u) for u in group])
    labels = np.concatenate([np.full(len(sorting.get_unit_spike_train(u)), i) for i, u in enumerate(group)])
    order = np.lexsort((labels, frames))
    frames, labels = frames[order], labels[order]
    traces = int16_recording.get_traces(return_in_uV=True)
    # the peak channel is where the union's mean waveform is most negative
    windows = np.stack([traces[f - 25 : f + 50] for f in frames if 25 <= f < len(traces) - 50])
    peak = int(np.argmin(windows.mean(axis=0).min(axis=0)))
    assert result["peakChannelId"] == int16_recording.channel_ids[peak].item()
    np.testing.assert_allclose(result["spikeAmplitudes"], traces[frames, peak], atol=1e-4)
    np.testing.assert_allclose(result["spikeTimesSec"], frames / 25000.0, rtol=1e-6)
    np.testing.assert_array_equal(result["spikeUnitIndices"], labels)
    assert result["spikeAmplitudes"].dtype == np.float32 and result["spikeTimesSec"].dtype == np.float32
    assert result["unitIds"] == group and result["segmentIndex"] == 0


def test_amplitudes_of_a_second_segment_and_positive_peaks(data, two_segments):
    recording, sorting = two_segments
    unit = sorting.unit_ids[0].item()
    result = run_handler(
        AMPLITUDES,
        {"recording_uri": "rec2", "sorting_uri": "sort2", "unit_ids": unit, "segment_index": 1, "peak_sign": "both"},
        data,
    ).data
    frames = sorting.get_unit_spike_train(unit, segment_index=1)
    channel = list(recording.channel_ids).index(result["peakChannelId"])
    traces = recording.get_traces(segment_index=1)
    np.testing.assert_allclose(result["spikeAmplitudes"], traces[frames, channel], atol=1e-5)
    with pytest.raises(HandlerInputError, match="peak_sign must be one of"):
        run_handler(
            AMPLITUDES, {"recording_uri": "rec2", "sorting_uri": "sort2", "unit_ids": unit, "peak_sign": "up"}, data
        )


def test_recording_info(data, int16_recording):
    info = run_handler("sortingview.recording_info.1", {"recording_uri": "rec16"}, data).data
    locations = int16_recording.get_channel_locations()
    assert info["samplingFrequency"] == 25000.0 and info["numChannels"] == 8
    assert info["channelIds"] == [c.item() for c in int16_recording.channel_ids]
    assert info["numSegments"] == 1 and info["numSamples"] == [250_000] and info["durationSec"] == [10.0]
    assert info["dtype"] == "int16" and info["dataUnits"] == "uV"
    assert info["channelLocations"] == {
        str(c): [float(x), float(y)] for c, (x, y) in zip(int16_recording.channel_ids, locations, strict=True)
    }


def test_sorting_info(data, two_segments):
    _, sorting = two_segments
    info = run_handler("sortingview.sorting_info.1", {"sorting_uri": "sort2"}, data).data
    counts = [sum(len(sorting.get_unit_spike_train(u, segment_index=s)) for s in (0, 1)) for u in sorting.unit_ids]
    assert info == {
        "unitIds": [u.item() for u in sorting.unit_ids],
        "spikeCounts": counts,
        "numSpikes": sum(counts),
        "numSegments": 2,
        "samplingFrequency": 20000.0,
    }


def test_info_refuses_unknown_uris_and_keys(data):
    with pytest.raises(HandlerInputError, match="no recording with URI 'nope'"):
        run_handler("sortingview.recording_info.1", {"recording_uri": "nope"}, data)
    with pytest.raises(HandlerInputError, match="is not a sorting"):
        run_handler("sortingview.sorting_info.1", {"sorting_uri": "rec"}, data)
    with pytest.raises(HandlerInputError, match="unknown input key"):
        run_handler("sortingview.sorting_info.1", {"sorting_uri": "sort", "x": 1}, data)
    with pytest.raises(HandlerInputError, match="must be a JSON object"):
        run_handler("sortingview.sorting_info.1", ["sort"], data)
