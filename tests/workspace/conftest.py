"""A workspace of two recordings registered in place (a binary folder and an NWB file) and three sortings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from tests.nwb_support import read_nwb, write_nwb_file


@dataclass
class LabWorkspace:
    workspace: sv.Workspace
    recordings: dict  # id -> the SpikeInterface recording added
    sortings: dict  # id -> the SpikeInterface sorting added
    binary_id: str
    nwb_id: str
    nwb_path: Path


@pytest.fixture
def lab(tmp_path) -> LabWorkspace:
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[4.0], sampling_frequency=30_000.0, num_channels=8, num_units=5, seed=21
    )
    binary = recording.save(folder=tmp_path / "binary", format="binary", verbose=False, progress_bar=False)
    nwb_path = write_nwb_file(tmp_path / "session.nwb", num_channels=8, num_samples=90_000, num_units=3)
    nwb_recording, nwb_sorting = read_nwb(nwb_path)

    workspace = sv.create_workspace(label="my lab")
    binary_id = workspace.add_recording(label="rec1", recording=binary)
    nwb_id = workspace.add_recording(label="nwb session", recording=nwb_recording)
    first_units = sorting.select_units(sorting.unit_ids[:2]).save(folder=tmp_path / "first_units")
    sortings = {
        workspace.add_sorting(recording_id=binary_id, label="ground truth", sorting=sorting): sorting,
        workspace.add_sorting(recording_id=binary_id, label="first units", sorting=first_units): first_units,
        workspace.add_sorting(recording_id=nwb_id, label="nwb units", sorting=nwb_sorting): nwb_sorting,
    }
    return LabWorkspace(workspace, {binary_id: binary, nwb_id: nwb_recording}, sortings, binary_id, nwb_id, nwb_path)
