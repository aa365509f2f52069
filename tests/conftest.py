"""Shared fixtures: an isolated store and configuration per test, and a small real analyzer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Ray on loopback only: with "clusters" disabled Ray binds 127.0.0.1 (RAY_NODE_IP_ADDRESS does nothing in
# Ray 2.60). Set before anything imports ray.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

from spikeinterface_sortingview.demo import SUMMARY_EXTENSIONS  # noqa: E402
from spikeinterface_sortingview.numba_cache import cache_spikeinterface_kernels  # noqa: E402
from spikeinterface_sortingview.store import LocalStore  # noqa: E402
from tests.browser_support import ViewerBuildError, built_viewer  # noqa: E402

# As the package's summaries do: SpikeInterface's kernels compiled by one test process are loaded by the next.
cache_spikeinterface_kernels()


@pytest.fixture(autouse=True)
def isolated_config(tmp_path, monkeypatch):
    """Every test gets its own store folder and config home; nothing touches ~/."""
    monkeypatch.setenv("SORTINGVIEW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "store"))
    for name in ("SORTINGVIEW_ADDRESS", "SORTINGVIEW_VIEW_URL", "SORTINGVIEW_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "store")


@pytest.fixture(scope="session")
def analyzer():
    """A sparse analyzer of a generated recording with every extension the widgets read."""
    import spikeinterface.full as si

    recording, sorting = si.generate_ground_truth_recording(
        durations=[20.0], num_units=8, num_channels=16, seed=2205, sampling_frequency=30000.0
    )
    sorting.set_property("quality", ["good"] * 4 + ["mua"] * 4)
    analyzer = si.create_sorting_analyzer(sorting, recording, sparse=True)
    analyzer.compute([*SUMMARY_EXTENSIONS, "spike_locations"], verbose=False)
    return analyzer


@pytest.fixture(scope="session")
def ray_instance():
    """One local Ray instance (2 CPUs, on loopback) for the session, started only by tests that ask for it."""
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


@pytest.fixture(scope="session")
def ray_address(ray_instance) -> str:
    """The session's Ray as a cluster address: runners started with ``--ray-address`` run their work on it.

    For tests of what a runner does, not of the Ray it starts: attaching takes a second where starting a Ray of
    its own takes ten or more on two cores.
    """
    return ray_instance.get_runtime_context().gcs_address


@pytest.fixture(scope="session")
def viewer_dist() -> Path:
    """The viewer built from the current sources (see ``tests.browser_support.built_viewer``)."""
    try:
        return built_viewer()
    except ViewerBuildError as e:
        pytest.fail(str(e))
