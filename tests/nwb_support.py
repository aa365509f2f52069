"""Small NWB files written with pynwb for tests: an ElectricalSeries of int16 traces and a Units table."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np


def write_nwb_file(
    path: Path,
    num_channels: int = 8,
    num_samples: int = 60_000,
    sampling_frequency: float = 30_000.0,
    num_units: int = 3,
    seed: int = 0,
) -> Path:
    """Write ``path`` with ``acquisition/ElectricalSeries`` (int16, gain 1 µV, a linear probe) and ``units``."""
    from pynwb import NWBHDF5IO, NWBFile
    from pynwb.ecephys import ElectricalSeries

    rng = np.random.default_rng(seed)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    nwbfile = NWBFile(session_description="test", identifier=f"test-{seed}", session_start_time=start)
    device = nwbfile.create_device(name="probe")
    group = nwbfile.create_electrode_group(name="shank0", description="shank", location="CA1", device=device)
    for channel in range(num_channels):
        y = float(20 * channel)
        nwbfile.add_electrode(x=0.0, y=y, z=0.0, location="CA1", group=group, rel_x=0.0, rel_y=y)
    electrodes = nwbfile.create_electrode_table_region(list(range(num_channels)), "all electrodes")
    traces = rng.integers(-300, 300, (num_samples, num_channels)).astype("int16")
    series = ElectricalSeries(
        name="ElectricalSeries",
        data=traces,
        electrodes=electrodes,
        rate=sampling_frequency,
        starting_time=0.0,
        conversion=1e-6,
    )
    nwbfile.add_acquisition(series)
    duration = num_samples / sampling_frequency
    for _ in range(num_units):
        nwbfile.add_unit(spike_times=np.sort(rng.uniform(0.01, duration - 0.01, 40)))
    with NWBHDF5IO(str(path), "w") as io:
        io.write(nwbfile)
    return path


def read_nwb(path: Path):
    """SpikeInterface's NWB recording and sorting of a file written by ``write_nwb_file``."""
    from spikeinterface.extractors import read_nwb_recording, read_nwb_sorting

    recording = read_nwb_recording(path, electrical_series_path="acquisition/ElectricalSeries")
    sorting = read_nwb_sorting(path, electrical_series_path="acquisition/ElectricalSeries")
    return recording, sorting
