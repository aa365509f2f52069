"""The traces window: exact scaled traces, channel selection, min/max decimation that keeps spikes, filtering, limits."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.core as sc
from spikeinterface.preprocessing import bandpass_filter

from runner.handlers import DictDataSource, HandlerInputError, run_handler
from runner.handlers.timeseries import traces_in_units

TASK = "sortingview.traces_window.1"


def decode(result) -> np.ndarray:
    return traces_in_units(result.data, result.payload_bytes())


def test_window_is_the_recordings_raw_traces_with_their_gains(data, int16_recording):
    result = run_handler(TASK, {"recording_uri": "rec16", "start_frame": 1000, "end_frame": 26000}, data)
    header = result.data
    expected = int16_recording.get_traces(0, 1000, 26000, return_in_uV=True)
    gains = int16_recording.get_channel_gains().astype(np.float32)
    offsets = int16_recording.get_channel_offsets().astype(np.float32)
    assert header == {
        "numChannels": 8,
        "numSamples": 25000,
        "startFrame": 1000,
        "endFrame": 26000,
        "segmentIndex": 0,
        "samplingFrequency": 25000.0,
        "decimation": 1,
        "channelIds": [c.item() for c in int16_recording.channel_ids],
        "minMax": False,
        "dtype": "int16",
        "gains": [float(g) for g in gains],
        "offsets": [float(o) for o in offsets],
        "dataUnits": "uV",
    }
    # int16 as stored, half the bytes of float32, and exact
    assert result.payload.dtype == np.int16
    np.testing.assert_array_equal(result.payload, int16_recording.get_traces(0, 1000, 26000))
    np.testing.assert_allclose(decode(result), expected, rtol=1e-6, atol=1e-4)


def test_float64_traces_come_as_float32_without_gains():
    traces = np.random.default_rng(3).normal(size=(500, 3))
    result = run_handler(
        TASK,
        {"recording_uri": "r", "start_frame": 0, "end_frame": 500},
        DictDataSource({"r": sc.NumpyRecording([traces], 1000.0)}),
    )
    assert result.data["dtype"] == "float32" and result.data["gains"] is None and result.data["offsets"] is None
    np.testing.assert_array_equal(decode(result), traces.astype(np.float32))


def test_channels_in_the_order_asked_and_seconds(data, int16_recording):
    channel_ids = [int16_recording.channel_ids[5].item(), int16_recording.channel_ids[2].item()]
    result = run_handler(
        TASK, {"recording_uri": "rec16", "start_sec": 2.0, "end_sec": 2.5, "channel_ids": channel_ids}, data
    )
    assert result.data["channelIds"] == channel_ids and result.data["startFrame"] == 50000
    expected = int16_recording.get_traces(0, 50000, 62500, channel_ids=channel_ids, return_in_uV=True)
    np.testing.assert_allclose(decode(result), expected, rtol=1e-6, atol=1e-4)


def test_min_max_decimation_never_loses_a_one_sample_spike():
    fs = 30000.0
    traces = np.random.default_rng(0).normal(0, 1, size=(300_000, 3)).astype(np.float32)
    traces[123_457, 1] = -500.0  # one sample, one channel
    traces[200_001, 2] = 400.0
    data = DictDataSource({"r": sc.NumpyRecording([traces], fs)})
    result = run_handler(TASK, {"recording_uri": "r", "start_frame": 0, "end_frame": 300_000, "max_points": 1000}, data)
    header, out = result.data, decode(result)
    assert header["minMax"] and header["decimation"] == 300
    assert header["numSamples"] == 2000
    mins, maxs = out[0::2], out[1::2]
    assert mins[123_457 // 300, 1] == -500.0 and maxs[200_001 // 300, 2] == 400.0
    blocks = traces.reshape(1000, 300, 3)
    np.testing.assert_array_equal(mins, blocks.min(axis=1))
    np.testing.assert_array_equal(maxs, blocks.max(axis=1))


def test_decimation_with_a_partial_last_bin_and_chunks(monkeypatch):
    from runner.handlers import timeseries

    monkeypatch.setattr(timeseries, "CHUNK_VALUES", 1000)  # many chunks
    traces = np.random.default_rng(1).normal(size=(10_007, 2)).astype(np.float32)
    data = DictDataSource({"r": sc.NumpyRecording([traces], 1000.0)})
    result = run_handler(TASK, {"recording_uri": "r", "start_frame": 5, "end_frame": 10_007, "max_points": 100}, data)
    out, factor = decode(result), result.data["decimation"]
    assert factor == 101
    window = traces[5:]
    starts = np.arange(0, len(window), factor)
    np.testing.assert_array_equal(out[0::2], np.minimum.reduceat(window, starts, axis=0))
    np.testing.assert_array_equal(out[1::2], np.maximum.reduceat(window, starts, axis=0))


@pytest.mark.parametrize("gain", [0.195, -0.5])
def test_decimation_of_int16_traces_is_the_min_max_of_the_scaled_traces(gain):
    """The payload keeps raw int16 minima and maxima; decoded with the gains, they are the scaled extremes."""
    raw = np.random.default_rng(2).integers(-3000, 3000, size=(9000, 4), dtype=np.int16)
    recording = sc.NumpyRecording([raw], 30000.0)
    recording.set_channel_gains(gain)
    recording.set_channel_offsets(7.0)
    data = DictDataSource({"r": recording})
    result = run_handler(TASK, {"recording_uri": "r", "start_frame": 0, "end_frame": 9000, "max_points": 90}, data)
    scaled = recording.get_traces(return_in_uV=True).reshape(90, 100, 4)
    assert result.data["dtype"] == "int16" and result.data["offsets"] == [7.0] * 4
    out = decode(result)
    np.testing.assert_allclose(out[0::2], scaled.min(axis=1), rtol=1e-6)
    np.testing.assert_allclose(out[1::2], scaled.max(axis=1), rtol=1e-6)


def test_no_decimation_when_the_window_fits_the_pixels(data):
    result = run_handler(TASK, {"recording_uri": "rec", "start_frame": 0, "end_frame": 500, "max_points": 800}, data)
    assert result.data["decimation"] == 1 and not result.data["minMax"] and result.data["numSamples"] == 500


def test_bandpass_window_matches_filtering_the_whole_segment(data, ground_truth):
    recording, _ = ground_truth
    band = {"freq_min": 300.0, "freq_max": 6000.0}
    result = run_handler(
        TASK, {"recording_uri": "rec", "start_frame": 50_000, "end_frame": 75_000, "bandpass": band}, data
    )
    whole = bandpass_filter(recording, freq_min=300.0, freq_max=6000.0, margin_ms="auto", dtype="float32").get_traces()
    expected = whole[50_000:75_000]
    got = decode(result)
    assert result.data["dtype"] == "float32" and result.data["offsets"] is None
    # Clean edges: the window's first and last millisecond agree with the whole-segment filter too.
    scale = np.abs(expected).max()
    assert np.abs(got[:25] - expected[:25]).max() < 0.01 * scale
    assert np.abs(got[-25:] - expected[-25:]).max() < 0.01 * scale
    assert np.abs(got - expected).max() < 0.01 * scale


@pytest.mark.parametrize(
    ("task_input", "message"),
    [
        ({"start_frame": 0, "end_frame": 250_001}, "not inside segment 0"),
        ({"start_frame": 10, "end_frame": 10}, "0 <= start < end"),
        ({"start_frame": -1, "end_frame": 10}, "not inside segment"),
        ({"start_frame": 0}, "missing input key end_frame"),
        ({"start_frame": 0, "end_frame": 10, "start_sec": 0, "end_sec": 1}, "exactly one pair"),
        ({}, "exactly one pair"),
        ({"start_frame": 0.5, "end_frame": 10}, "start_frame must be an integer"),
        ({"start_frame": 0, "end_frame": 10, "channel_ids": ["x"]}, "no channel with id 'x'"),
        ({"start_frame": 0, "end_frame": 10, "segment_index": 1}, "segment_index must be at most 0"),
        ({"start_frame": 0, "end_frame": 10, "max_points": 0}, "max_points must be at least 1"),
        ({"start_frame": 0, "end_frame": 10, "bandpass": {"freq_min": 300}}, "bandpass must be an object"),
        (
            {"start_frame": 0, "end_frame": 10, "bandpass": {"freq_min": 300, "freq_max": 20000}},
            "freq_max must be at most",
        ),
        (
            {"start_frame": 0, "end_frame": 10, "bandpass": {"freq_min": 3000, "freq_max": 300}},
            "must be above freq_min",
        ),
    ],
)
def test_bad_windows_are_refused(data, task_input, message):
    with pytest.raises(HandlerInputError) as caught:
        run_handler(TASK, {"recording_uri": "rec", **task_input}, data)
    assert message in str(caught.value)


def test_too_large_requests_are_refused_with_the_fix(monkeypatch, data):
    from runner.handlers import timeseries

    monkeypatch.setattr(timeseries, "MAX_OUTPUT_VALUES", 100_000)
    with pytest.raises(HandlerInputError, match="pass max_points"):
        run_handler(TASK, {"recording_uri": "rec", "start_frame": 0, "end_frame": 20_000}, data)
    # decimated, the same window is fine
    run_handler(TASK, {"recording_uri": "rec", "start_frame": 0, "end_frame": 20_000, "max_points": 1000}, data)
    monkeypatch.setattr(timeseries, "MAX_READ_VALUES", 100_000)
    with pytest.raises(HandlerInputError, match="shorten the window or select fewer channel_ids"):
        run_handler(TASK, {"recording_uri": "rec", "start_frame": 0, "end_frame": 20_000, "max_points": 1000}, data)
