"""Average waveforms and snippets: equal to slicing the traces by hand, merge groups, edges, caps, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.core as sc

from runner.handlers import DictDataSource, HandlerInputError, run_handler

WAVEFORMS = "sortingview.average_waveforms.1"
SNIPPETS = "sortingview.snippets.1"


def hand_snippets(recording, frames, nbefore, nafter, channel_ids=None, segment=0):
    traces = recording.get_traces(segment_index=segment, channel_ids=channel_ids, return_in_uV=True)
    total = recording.get_num_samples(segment)
    frames = [f for f in frames if f >= nbefore and f + nafter <= total]
    return np.stack([traces[f - nbefore : f + nafter] for f in frames]), np.asarray(frames)


def test_average_waveform_of_a_merge_group_is_the_mean_over_the_union(data, int16_recording, ground_truth, unit_ids):
    _, sorting = ground_truth
    group = unit_ids[:2]
    result = run_handler(
        WAVEFORMS,
        {"recording_uri": "rec16", "sorting_uri": "sort", "unit_ids": group, "max_spikes": 5000},
        data,
    ).data
    frames = np.sort(np.concatenate([sorting.get_unit_spike_train(u) for u in group]))
    snippets, _ = hand_snippets(int16_recording, frames, 25, 50)
    assert result["waveform"].shape == (8, 75)  # (num_channels, num_samples) as AverageWaveforms reads it
    assert result["waveform"].dtype == np.float32 and result["waveformStdDev"].dtype == np.float32
    np.testing.assert_allclose(result["waveform"], snippets.mean(axis=0).T, atol=1e-3)
    np.testing.assert_allclose(result["waveformStdDev"], snippets.std(axis=0).T, atol=1e-3)
    assert result["numSpikes"] == len(snippets) and result["unitIds"] == group
    assert result["nbefore"] == 25 and result["dataUnits"] == "uV"


def test_average_waveform_subsamples_deterministically_and_selects_channels(data, ground_truth, unit_ids):
    recording, _ = ground_truth
    channel_ids = [recording.channel_ids[3].item(), recording.channel_ids[0].item()]
    request = {
        "recording_uri": "rec",
        "sorting_uri": "sort",
        "unit_ids": unit_ids[2],
        "max_spikes": 40,
        "channel_ids": channel_ids,
        "ms_before": 0.5,
        "ms_after": 1.0,
    }
    first = run_handler(WAVEFORMS, request, data).data
    again = run_handler(WAVEFORMS, request, data).data
    other_seed = run_handler(WAVEFORMS, {**request, "seed": 1}, data).data
    assert first["numSpikes"] == 40 and first["channelIds"] == channel_ids
    assert first["waveform"].shape == (2, 37)
    np.testing.assert_array_equal(first["waveform"], again["waveform"])
    assert not np.array_equal(first["waveform"], other_seed["waveform"])


def test_snippets_are_the_traces_around_each_spike(data, ground_truth, unit_ids):
    recording, sorting = ground_truth
    result = run_handler(
        SNIPPETS, {"recording_uri": "rec", "sorting_uri": "sort", "unit_ids": unit_ids[1], "max_spikes": 30}, data
    ).data
    assert result["snippets"].shape == (30, 75, 8)
    frames = result["spikeFrames"]
    assert set(frames) <= set(sorting.get_unit_spike_train(unit_ids[1]))
    expected, _ = hand_snippets(recording, frames, 25, 50)
    np.testing.assert_allclose(result["snippets"], expected, atol=1e-5)
    np.testing.assert_allclose(result["spikeTimesSec"], frames / 25000.0, rtol=1e-6)
    assert result["spikeTimesSec"].dtype == np.float32 and result["spikeFrames"].dtype == np.int32
    assert np.all(np.diff(frames) > 0)


def test_spikes_at_the_segment_edges_are_left_out_and_segments_are_read():
    traces = np.arange(2 * 1000 * 2, dtype=np.float32).reshape(2, 1000, 2)
    recording = sc.NumpyRecording([traces[0], traces[1]], 1000.0)
    sorting = sc.NumpySorting.from_unit_dict([{7: np.array([0, 500, 999])}, {7: np.array([3, 600])}], 1000.0)
    data = DictDataSource({"r": recording, "s": sorting})
    result = run_handler(SNIPPETS, {"recording_uri": "r", "sorting_uri": "s", "unit_ids": 7}, data).data
    # 1 ms before, 2 ms after at 1 kHz: frames 0 and 999 are too close to an edge; 3 is fine
    assert result["spikeFrames"].tolist() == [500, 3, 600]
    assert result["segmentIndices"].tolist() == [0, 1, 1]
    np.testing.assert_array_equal(result["snippets"][2], traces[1, 599:602])
    only_second = run_handler(
        SNIPPETS, {"recording_uri": "r", "sorting_uri": "s", "unit_ids": 7, "segment_index": 1}, data
    ).data
    assert only_second["spikeFrames"].tolist() == [3, 600]


def test_snippet_reads_that_span_dense_bursts(monkeypatch):
    """Spikes closer than the merge gap are read together; the result must not depend on it."""
    from runner.handler_io import trace_reading

    traces = np.random.default_rng(0).normal(size=(50_000, 3)).astype(np.float32)
    frames = np.sort(np.random.default_rng(1).choice(np.arange(10, 49_980), size=2000, replace=False))
    data = DictDataSource(
        {"r": sc.NumpyRecording([traces], 10000.0), "s": sc.NumpySorting.from_unit_dict({1: frames}, 10000.0)}
    )
    request = {"recording_uri": "r", "sorting_uri": "s", "unit_ids": 1, "max_spikes": 2000}
    merged = run_handler(SNIPPETS, request, data).data["snippets"]
    monkeypatch.setattr(trace_reading, "MERGE_GAP_SAMPLES", -10_000)  # every spike on its own
    monkeypatch.setattr(trace_reading, "MAX_SPAN_SAMPLES", 50)
    alone = run_handler(SNIPPETS, request, data).data["snippets"]
    np.testing.assert_array_equal(merged, alone)
    np.testing.assert_array_equal(merged[5], traces[frames[5] - 10 : frames[5] + 20])


@pytest.mark.parametrize(
    ("task", "task_input", "message"),
    [
        (WAVEFORMS, {"unit_ids": ["nope"]}, "no unit with id 'nope'"),
        (WAVEFORMS, {"unit_ids": ["0"], "max_spikes": 0}, "max_spikes must be at least 1"),
        (WAVEFORMS, {"unit_ids": ["0"], "ms_before": 50}, "ms_before must be at most 20"),
        (WAVEFORMS, {"unit_ids": ["0"], "recording_uri": "rec2"}, "samples at 20000.0 Hz"),
        (SNIPPETS, {"unit_ids": ["0"], "max_spikes": 5000}, "select fewer channel_ids or lower max_spikes"),
        (SNIPPETS, {"unit_ids": ["0"], "channel_ids": []}, "non-empty list of channel ids"),
    ],
)
def test_bad_snippet_requests_are_refused(data, task, task_input, message, monkeypatch):
    from runner.handlers import extract_snippets

    monkeypatch.setattr(extract_snippets, "MAX_OUTPUT_VALUES", 100_000)
    with pytest.raises(HandlerInputError) as caught:
        run_handler(task, {"recording_uri": "rec", "sorting_uri": "sort", **task_input}, data)
    assert message in str(caught.value)
