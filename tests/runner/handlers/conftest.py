"""Real SpikeInterface data for the handler tests: a generated recording saved as binary, its sorting, a data source."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import spikeinterface.core as sc

from runner.handlers import DictDataSource

GAIN = 0.195
OFFSET = 3.0


def save_binary(recording, folder):
    """Save a recording to a binary folder (a file-backed recording, as a shared one is)."""
    with warnings.catch_warnings():
        # generated recordings have no provenance to save; that is expected here
        warnings.filterwarnings("ignore", message="The extractor is not serializable")
        return recording.save(folder=folder, format="binary", verbose=False, progress_bar=False)


@pytest.fixture(scope="session")
def ground_truth(tmp_path_factory):
    """A 10 s, 8-channel, 6-unit ground-truth recording saved to a binary folder (float32, µV) and its sorting."""
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[10.0], num_units=6, num_channels=8, sampling_frequency=25000.0, seed=2205
    )
    folder = tmp_path_factory.mktemp("ground_truth") / "recording"
    return save_binary(recording, folder), sorting


@pytest.fixture(scope="session")
def int16_recording(ground_truth, tmp_path_factory):
    """The same traces stored as int16 with a gain and an offset (like a probe's raw file), saved as binary."""
    recording, _ = ground_truth
    traces = recording.get_traces()
    raw = np.round((traces - OFFSET) / GAIN).astype(np.int16)
    numpy_recording = sc.NumpyRecording([raw], recording.sampling_frequency, channel_ids=recording.channel_ids)
    numpy_recording.set_channel_gains(GAIN)
    numpy_recording.set_channel_offsets(OFFSET)
    numpy_recording.set_probegroup(recording.get_probegroup())
    folder = tmp_path_factory.mktemp("int16") / "recording"
    return save_binary(numpy_recording, folder)


@pytest.fixture(scope="session")
def two_segments(tmp_path_factory):
    """A two-segment recording (4 s and 3 s) saved as binary, and its sorting."""
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[4.0, 3.0], num_units=4, num_channels=4, sampling_frequency=20000.0, seed=7
    )
    folder = tmp_path_factory.mktemp("two_segments") / "recording"
    return save_binary(recording, folder), sorting


@pytest.fixture
def data(ground_truth, int16_recording, two_segments, tmp_path) -> DictDataSource:
    """URIs ``rec``, ``sort``, ``rec16`` (int16 with gains), ``rec2``/``sort2`` (two segments); journals in tmp."""
    recording, sorting = ground_truth
    recording2, sorting2 = two_segments
    return DictDataSource(
        {
            "rec": recording,
            "sort": sorting,
            "rec16": int16_recording,
            "rec2": recording2,
            "sort2": sorting2,
        },
        journal_dir=tmp_path / "journals",
    )


@pytest.fixture
def unit_ids(ground_truth) -> list:
    """The unit ids of the ``sort`` sorting as plain values."""
    return [u.item() for u in ground_truth[1].unit_ids]
