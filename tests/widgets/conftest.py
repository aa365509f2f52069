"""A small two-segment recording, sorting and analyzer for the arguments that pick segments."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def two_segments():
    """(recording, analyzer) of 3 s and 2 s segments, 4 channels in two groups, 3 units."""
    import spikeinterface.full as si

    recording, sorting = si.generate_ground_truth_recording(
        durations=[3.0, 2.0], num_units=3, num_channels=4, seed=11, sampling_frequency=10000.0
    )
    recording.set_channel_groups([0, 0, 1, 1])
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=False)
    analyzer.compute(
        ["random_spikes", "templates", "spike_amplitudes", "spike_locations", "unit_locations"], verbose=False
    )
    return recording, analyzer
