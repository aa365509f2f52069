"""A real runner with compute on the session's Ray, its store, and short generated recordings with ground truth."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from runner.app import create_app
from runner.compute import ComputeService
from runner.executor import RayExecutor, RayOptions
from runner.handler_config import default_handler_config
from runner.task_results import TaskResultCache
from tests.servers import ThreadServer


@dataclass
class SortingRunner:
    url: str
    store_dir: Path
    service: ComputeService


def generated(seed: int, duration: float = 4.0, num_channels: int = 4, num_units: int = 4):
    """A short recording and its ground truth; unit ids 0..N-1 (ints), as sorters name theirs."""
    import spikeinterface.full as si

    recording, sorting = si.generate_ground_truth_recording(
        durations=[duration], num_channels=num_channels, num_units=num_units, seed=seed
    )
    return recording, sorting.rename_units(list(range(num_units)))


@pytest.fixture(scope="module")
def sorting_runner(ray_instance, tmp_path_factory) -> Iterator[SortingRunner]:
    """A runner (real HTTP, real Ray) whose store is also this process's default store, as on one machine."""
    root = tmp_path_factory.mktemp("sorting-jobs")
    store_dir = root / "store"
    executor = RayExecutor(default_handler_config(), RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": str(store_dir)}))
    service = ComputeService(executor, TaskResultCache(store_dir))
    server = ThreadServer(create_app(store_dir, viewer_dir=root / "no-viewer", compute=service)).start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SORTINGVIEW_STORE_DIR", str(store_dir))
        patch.setenv("SORTINGVIEW_ADDRESS", server.url)
        yield SortingRunner(server.url, store_dir, service)
    server.stop()


@pytest.fixture(scope="module")
def recordings() -> dict:
    """Two short generated recordings with their ground-truth sortings: ``{name: (recording, gt_sorting)}``."""
    return {"rec1": generated(seed=11), "rec2": generated(seed=12)}
