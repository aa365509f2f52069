"""A runner with compute for the tests: a real Ray (the session's), a real HTTP server, shared data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import spikeinterface_sortingview as sv
from runner.app import create_app
from runner.compute import ComputeService
from runner.executor import RayExecutor, RayOptions
from runner.handler_config import parse_handler_config
from runner.task_results import TaskResultCache
from tests.servers import ThreadServer

HANDLER_CONFIG = {
    "job_handlers": {name: {"params": {"num_workers": 2}} for name in ("correlograms", "timeseries", "misc")}
}


@dataclass
class ComputeRunner:
    url: str
    store_dir: Path
    service: ComputeService
    recording: object
    sorting: object
    recording_uri: str
    sorting_uri: str


@pytest.fixture(scope="module")
def compute_runner(ray_instance, tmp_path_factory) -> Iterator[ComputeRunner]:
    """A runner serving a store that holds a shared recording (registered in place) and sorting."""
    import spikeinterface.full as si

    root = tmp_path_factory.mktemp("compute")
    store_dir = root / "store"
    recording, sorting = si.generate_ground_truth_recording(
        durations=[20.0], num_units=8, num_channels=16, seed=7, sampling_frequency=30000.0
    )
    recording = recording.save(folder=root / "recording", format="binary", verbose=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SORTINGVIEW_STORE_DIR", str(store_dir))
        recording_uri = sv.share_recording(recording)
        sorting_uri = sv.share_sorting(sorting)
    executor = RayExecutor(
        parse_handler_config(HANDLER_CONFIG),
        RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": str(store_dir)}),
        journal_dir=str(store_dir / "curation_journals"),
    )
    service = ComputeService(executor, TaskResultCache(store_dir))
    server = ThreadServer(create_app(store_dir, viewer_dir=root / "no-viewer", compute=service)).start()
    yield ComputeRunner(server.url, store_dir, service, recording, sorting, recording_uri, sorting_uri)
    server.stop()
