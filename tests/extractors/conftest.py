"""Fixtures for the extractor tests: a temporary store per test, small generated data, one Ray instance per session."""

from __future__ import annotations

import os

import pytest
import spikeinterface.core as sc

from spikeinterface_sortingview.store import LocalStore


def pytest_configure(config):
    config.addinivalue_line("markers", "ray: starts a local Ray instance (select with -m ray, skip with -m 'not ray')")


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


@pytest.fixture(scope="session")
def ray_instance():
    """A local Ray instance on loopback for the session (started only by tests that ask for it).

    If another fixture of the session already started Ray in this process, that instance is used.
    """
    import ray

    if ray.is_initialized():
        yield ray
        return
    settings = {
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_NODE_IP_ADDRESS": "127.0.0.1",
        # A private instance on loopback: no token to generate and keep in the home folder.
        "RAY_AUTH_MODE": "disabled",
    }
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        # address="local": never attach to a cluster another process started on this machine.
        ray.init(
            address="local",
            num_cpus=2,
            include_dashboard=False,
            object_store_memory=200_000_000,
            log_to_driver=False,
            _node_ip_address="127.0.0.1",
        )
        yield ray
    finally:
        ray.shutdown()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
