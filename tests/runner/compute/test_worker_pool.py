"""Worker pools on a real Ray: started workers are reused before new ones are made, and groups start ahead."""

from __future__ import annotations

import asyncio
import os

import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from runner.executor import RayExecutor, RayOptions
from runner.handler_config import parse_handler_config
from tests.servers import run_coroutine

pytestmark = pytest.mark.ray

INFO = "sortingview.sorting_info.1"  # misc
CORRELOGRAMS = "sortingview.correlograms.1"  # correlograms


def make_executor(prestart: bool) -> RayExecutor:
    config = {"job_handlers": {group: {"params": {"num_workers": 3}} for group in ("correlograms", "misc")}}
    options = RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": os.environ["SORTINGVIEW_STORE_DIR"]}, prestart=prestart)
    # room for one worker of every group (the default total on a 2-core machine is 3)
    return RayExecutor(parse_handler_config(config), options, max_workers=10)


@pytest.fixture
def sorting_uri() -> str:
    sorting = sc.generate_sorting(num_units=4, durations=[5.0], seed=3)
    return sv.share_sorting(sorting)


def kill_all(executor: RayExecutor) -> None:
    import ray

    for pool in executor.pools.values():
        for worker in pool.workers():
            ray.kill(worker)


def test_one_request_at_a_time_keeps_to_one_started_worker(ray_instance, sorting_uri):
    executor = make_executor(prestart=False)

    async def scenario() -> None:
        for _ in range(5):
            info = await executor.run(INFO, {"sorting_uri": sorting_uri}, 60)
            assert len(info.data["unitIds"]) == 4
        # a pool of 3 made one actor: each request took the started, idle one
        assert len(executor.pools["misc"].workers()) == 1
        # requests at once make more, up to num_workers
        await asyncio.gather(*(executor.run(INFO, {"sorting_uri": sorting_uri}, 60) for _ in range(6)))
        assert 1 < len(executor.pools["misc"].workers()) <= 3
        assert not executor.pools["misc"].busy

    try:
        run_coroutine(scenario())
    finally:
        kill_all(executor)


def test_the_first_request_starts_a_worker_of_every_group(ray_instance, sorting_uri):
    executor = make_executor(prestart=True)

    async def scenario() -> None:
        await executor.run(INFO, {"sorting_uri": sorting_uri}, 60)
        await asyncio.wait_for(executor.warm_up, 120)
        started = {group: len(pool.workers()) for group, pool in executor.pools.items()}
        assert started == {group: 1 for group in executor.groups}
        # the correlograms request runs on the worker started ahead, not on a new one
        unit_ids = [str(u) for u in range(2)]
        await executor.run(CORRELOGRAMS, {"sorting_uri": sorting_uri, "unit_groups": [unit_ids]}, 60)
        assert len(executor.pools["correlograms"].workers()) == 1

    try:
        run_coroutine(scenario())
    finally:
        kill_all(executor)
