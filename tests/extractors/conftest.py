"""Fixtures for the extractor tests: a temporary store per test, small generated data, one Ray instance per session."""

from __future__ import annotations

import pytest
import spikeinterface.core as sc

from spikeinterface_sortingview.store import LocalStore


@pytest.fixture
def store(tmp_path, monkeypatch) -> LocalStore:
    """The configured store of this test (and of any process it starts with its environment)."""
    directory = tmp_path / "store"
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(directory))
    monkeypatch.delenv("SORTINGVIEW_REMOTE", raising=False)
    return LocalStore(directory)


@pytest.fixture
def use_store(monkeypatch):
    """Switch the configured store to another folder mid-test (as another machine would have)."""

    def switch(directory) -> LocalStore:
        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(directory))
        return LocalStore(directory)

    return switch


@pytest.fixture(scope="session")
def float_recording():
    """Two segments of float32 noise, 6 channels, no gains."""
    return sc.generate_recording(num_channels=6, sampling_frequency=10_000.0, durations=[2.0, 1.3], seed=11)


@pytest.fixture(scope="session")
def ground_truth():
    """A recording with a probe and gains, and its sorting (two segments)."""
    return sc.generate_ground_truth_recording(
        durations=[2.0, 1.0], sampling_frequency=10_000.0, num_channels=8, num_units=6, seed=3
    )
