"""Levels of detail of SpikeAmplitudes: the overview keeps extremes and a uniform sample, chunks hold every spike."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest

from spikeinterface_sortingview import views
from spikeinterface_sortingview.views.amplitude_chunk_file import amplitude_codes, chunk_file_bytes, read_chunk_file
from spikeinterface_sortingview.views.amplitude_levels import amplitude_step
from spikeinterface_sortingview.views.encoding import FigureDataError, content_uri
from tests.spec_checker import check_view

FS = 30_000.0


def spike_train(num_units: int = 5, num_spikes: int = 20_000, duration: float = 100.0, seed: int = 1):
    """Spike frames of several units in time order, each unit a band of amplitudes, with one outlier per unit
    (amplitudes on the step grid of the view, so that they read back exactly)."""
    rng = np.random.default_rng(seed)
    frames = np.sort(rng.integers(0, int(duration * FS), num_spikes))
    units = rng.integers(0, num_units, num_spikes)
    amplitudes = (-50.0 * (units + 1) + rng.normal(0, 3, num_spikes)).astype("float32")
    outliers = np.array([np.flatnonzero(units == u)[len(np.flatnonzero(units == u)) // 2] for u in range(num_units)])
    amplitudes[outliers] = -1000.0 - np.arange(num_units)
    step = np.float32(amplitude_step(amplitudes))
    return frames, np.rint(amplitudes / step) * step, units, outliers


def levels(frames, amplitudes, units, unit_ids, **kwargs):
    return views.spike_amplitudes_with_levels(0.0, 100.0, unit_ids, frames, FS, amplitudes, units, **kwargs)


def read_chunks(view) -> tuple[list[dict], list[dict]]:
    """The view's chunk entries and their files, read (with each file's size as ``fileBytes``)."""
    files = {content_uri(data): data for data in view.files()}
    entries = json.loads(views.canonical_json(view.to_dict()))["chunks"]
    return entries, [{**read_chunk_file(files[e["dataUri"]]), "fileBytes": len(files[e["dataUri"]])} for e in entries]


def test_chunks_hold_every_spike_once_grouped_by_unit_and_read_back_exactly():
    frames, amplitudes, units, _ = spike_train()
    view = levels(frames, amplitudes, units, [10, 11, 12, 13, 14], chunk_spikes=3_000)
    entries, read = read_chunks(view)
    times = (frames / FS).astype("float32")
    assert len(entries) == 7 and sum(e["numSpikes"] for e in entries) == len(frames)
    assert entries[0]["startTimeSec"] == 0.0 and entries[-1]["endTimeSec"] == 100.0
    for entry, chunk, following in zip(entries, read, entries[1:] + [None], strict=True):
        assert chunk["type"] == "SpikeAmplitudesChunk" and len(chunk["spikeTimesSec"]) == entry["numSpikes"]
        # about 4 bytes a spike: uint16 frame deltas and int16 amplitude codes, no unit index a spike
        assert chunk["numSpikes"] * 4 <= chunk["fileBytes"] <= chunk["numSpikes"] * 4 + 400
        # spans tile the time axis: a chunk ends where the next begins, at its first spike
        if following is not None:
            assert entry["endTimeSec"] == following["startTimeSec"]
        assert chunk["spikeTimesSec"].min() >= entry["startTimeSec"]
        # inside a chunk the spikes are grouped by unit, each unit's in time order (what a reader draws per unit)
        assert np.all(np.diff(chunk["unitIndices"].astype(int)) >= 0)
        for u in range(5):
            assert np.all(np.diff(chunk["spikeTimesSec"][chunk["unitIndices"] == u]) >= 0)
    read_units = np.concatenate([c["unitIndices"] for c in read])
    read_frames = np.concatenate([c["spikeFrames"] for c in read])
    read_times = np.concatenate([c["spikeTimesSec"] for c in read])
    read_amplitudes = np.concatenate([c["spikeAmplitudes"] for c in read])
    for u in range(5):
        np.testing.assert_array_equal(read_frames[read_units == u], frames[units == u])
        np.testing.assert_array_equal(read_times[read_units == u], times[units == u])
        np.testing.assert_array_equal(read_amplitudes[read_units == u], amplitudes[units == u])
    # chunks hold consecutive spikes: the first chunk the first 3,000 in time, whatever their unit
    np.testing.assert_array_equal(np.sort(read[0]["spikeFrames"]), frames[:3_000])


def test_chunk_files_keep_long_gaps_nan_and_infinity():
    """A unit's frame delta past 65,535 frames (2.2 s at 30 kHz) and non-finite amplitudes read back as written."""
    frames = np.array([0, 10, 100_000, 5_000_000, 5_000_001, 90_000_000])
    units = np.array([0, 1, 0, 0, 1, 1])
    amplitudes = np.array([-20.0, np.nan, np.inf, -np.inf, -300.5, 40.25], dtype="float32")
    view = levels(frames, amplitudes, units, ["a", "b"], chunk_spikes=4)
    _, read = read_chunks(view)
    assert [len(c["spikeFrames"]) for c in read] == [4, 2]
    got = {u: [] for u in (0, 1)}
    for c in read:
        for u, f, a in zip(c["unitIndices"], c["spikeFrames"], c["spikeAmplitudes"], strict=True):
            got[int(u)].append((int(f), float(a)))
    step = amplitude_step(amplitudes)
    assert step == 0.25  # -300.5 is the largest finite |amplitude|: 0.25 * 2048 = 512 covers it, 0.125 would not
    assert got[0][:1] == [(0, -20.0)] and got[0][1][1] == np.inf and got[0][2] == (5_000_000, -np.inf)
    assert got[0][1][0] == 100_000
    assert np.isnan(got[1][0][1]) and got[1][1:] == [(5_000_001, -300.5), (90_000_000, 40.25)]


def test_overview_keeps_every_outlier_and_the_same_sample_rate_for_every_unit():
    frames, amplitudes, units, outliers = spike_train(num_spikes=40_000)
    times = (frames / FS).astype("float32")
    view = levels(frames, amplitudes, units, list(range(5)), overview_spikes=2_000, extreme_bins=20)
    assert [item.unit_id for item in view.units] == list(range(5))
    for u, item in enumerate(view.units):
        own = units == u
        # the outlier, and each time bin's lowest and highest amplitude, whatever the sample
        assert amplitudes[outliers[u]] in item.spike_amplitudes
        assert item.spike_amplitudes.max() == amplitudes[own].max()
        # the sample is ~5% of each unit's spikes (2,000 of 40,000: each spike kept with that chance) plus at most
        # 2 extremes per bin
        assert 0.05 * own.sum() * 0.75 <= len(item.spike_times_sec) <= 0.05 * own.sum() * 1.25 + 40
        assert np.all(np.diff(item.spike_times_sec) >= 0)
        pairs = set(zip(times[own].tolist(), amplitudes[own].tolist(), strict=True))
        assert set(zip(item.spike_times_sec.tolist(), item.spike_amplitudes.tolist(), strict=True)) <= pairs
    # the overview is what readers that ignore chunks draw: the classic fields, every array float32
    data = json.loads(views.canonical_json(view.to_dict()))
    assert set(data) == {"type", "startTimeSec", "endTimeSec", "units", "hideUnitSelector", "chunks"}
    check_view(data)


def test_levels_are_deterministic():
    frames, amplitudes, units, _ = spike_train()
    make = lambda: views.build_figure_files(levels(frames, amplitudes, units, list(range(5)), chunk_spikes=5_000))  # noqa: E731
    first, second = make(), make()
    assert first.uri == second.uri and first.files.keys() == second.files.keys()
    assert len(first.files) == 1 + 4  # the view and its chunks


def test_levels_refuse_unsorted_frames_and_unknown_units():
    frames, amplitudes, units, _ = spike_train()
    with pytest.raises(FigureDataError, match="ascending"):
        levels(frames[::-1].copy(), amplitudes, units, list(range(5)))
    with pytest.raises(FigureDataError, match="positions in unit_ids"):
        levels(frames, amplitudes, units, list(range(4)))
    with pytest.raises(FigureDataError, match="one amplitude"):
        levels(frames, amplitudes[:-1], units, list(range(5)))
    with pytest.raises(FigureDataError, match="integer frames"):
        levels(frames / FS, amplitudes, units, list(range(5)))


def test_a_view_without_chunks_is_written_as_before():
    item = views.SpikeAmplitudesItem(1, np.array([0.5], dtype="float32"), np.array([-60.0], dtype="float32"))
    view = views.SpikeAmplitudes(0, 1, [item])
    assert "chunks" not in view.to_dict() and view.files() == []


# The chunk file the viewer's unit test reads (amplitudeChunks.test.ts), as base64 in JSON (which the viewer's
# tests import): written and read by both sides.
VIEWER_FIXTURE = (
    Path(views.__file__).parent.parent / "viewer" / "src" / "views" / "SpikeAmplitudes" / "chunkFixture.json"
)


def viewer_fixture_bytes() -> bytes:
    return base64.b64decode(json.loads(VIEWER_FIXTURE.read_text())["base64"])


def fixture_chunk_bytes() -> bytes:
    """Units at view positions 0, 2 and 3; unit 2 has a gap of 100,000 frames; NaN and both infinities."""
    frames = np.array([1_000, 1_003, 500, 100_500, 2_000])
    amplitudes = np.array([-12.5, np.nan, 3.0, np.inf, -np.inf], dtype="float32")
    codes = amplitude_codes(amplitudes, 0.5)
    return chunk_file_bytes(1.5, 4.0, 25_000.0, np.array([0, 2, 3]), np.array([2, 2, 1]), frames, codes, 0.5)


def test_the_viewer_reads_the_same_chunk_file():
    """The viewer's test decodes this very file: the writer must still write it byte for byte."""
    assert fixture_chunk_bytes() == viewer_fixture_bytes()
    read = read_chunk_file(viewer_fixture_bytes())
    np.testing.assert_array_equal(read["spikeFrames"], [1_000, 1_003, 500, 100_500, 2_000])
    np.testing.assert_array_equal(read["unitIndices"], [0, 0, 2, 2, 3])
    assert read["numOverflowDeltas"] == 1 and read["firstFrame"] == 500
