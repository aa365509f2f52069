"""Shared fixtures: an isolated store and configuration per test, and a small real analyzer."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Ray on loopback only: with "clusters" disabled Ray binds 127.0.0.1 (RAY_NODE_IP_ADDRESS does nothing in
# Ray 2.60). Set before anything imports ray.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

import spikeinterface_sortingview  # noqa: E402
from spikeinterface_sortingview.demo import SUMMARY_EXTENSIONS  # noqa: E402
from spikeinterface_sortingview.store import LocalStore  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
VIEWER_SOURCE = Path(spikeinterface_sortingview.__file__).parent / "viewer"
NOT_SOURCES = {"node_modules", "dist", "dev"}


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


def viewer_source_hash() -> str:
    """Hash of the viewer's sources, naming a cached build."""
    digest = hashlib.sha1()
    for path in sorted(VIEWER_SOURCE.rglob("*")):
        relative = path.relative_to(VIEWER_SOURCE)
        if relative.parts[0] in NOT_SOURCES or any(p.startswith(".") for p in relative.parts) or not path.is_file():
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def viewer_dist() -> Path:
    """The viewer built from the current sources with `npm run build` (cached in test-artifacts/ by source hash).

    Built apart from ``viewer/dist`` so that a test never replaces the bundle someone is working with.
    """
    if not (VIEWER_SOURCE / "package.json").is_file():
        pytest.fail(f"{VIEWER_SOURCE} has no package.json: the viewer source is missing, so it cannot be built")
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not installed (Debian: apt-get install nodejs npm); the viewer cannot be built")
    out = ARTIFACTS / f"viewer-dist-{viewer_source_hash()}"
    if (out / "host.html").is_file() and (out / "index.html").is_file():
        return out
    for stale in out.parent.glob("viewer-dist-*"):
        shutil.rmtree(stale, ignore_errors=True)  # builds of older sources
    if not (VIEWER_SOURCE / "node_modules" / ".package-lock.json").is_file():
        subprocess.run([npm, "ci"], cwd=VIEWER_SOURCE, check=True, capture_output=True, timeout=600)
    result = subprocess.run(
        [npm, "run", "build", "--", "--outDir", str(out), "--emptyOutDir"],
        cwd=VIEWER_SOURCE,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(f"npm run build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return out
