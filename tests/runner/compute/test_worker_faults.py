"""Workers on a real Ray: killed idle workers are replaced without failing a request, timeouts count the time
queued, idle workers retire, the runner's total of workers is bounded, and the job table is bounded in bytes."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import psutil
import pytest
import ray

from runner import compute
from runner.compute import ComputeService, TaskRequest
from runner.executor import RayExecutor, RayOptions, default_max_workers
from runner.handler_config import DEFAULT_NUM_WORKERS, parse_handler_config
from runner.task_results import TaskResultCache
from runner.worker_pool import TaskTimeout
from tests.servers import run_coroutine

pytestmark = pytest.mark.ray

INFO = "sortingview.sorting_info.1"  # misc
CORRELOGRAMS = "sortingview.correlograms.1"  # correlograms
TRACES = "sortingview.traces_window.1"  # timeseries


def make_executor(store_dir, workers: dict[str, int], idle_seconds: float = 300, max_workers: int = 10) -> RayExecutor:
    params = {"idle_seconds": idle_seconds}
    config = {"job_handlers": {group: {"params": {"num_workers": n, **params}} for group, n in workers.items()}}
    options = RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": str(store_dir)}, prestart=False)
    return RayExecutor(parse_handler_config(config), options, max_workers=max_workers)


def kill_all(executor: RayExecutor) -> None:
    for pool in executor.pools.values():
        for worker in pool.workers():
            ray.kill(worker)


def info(runner) -> dict:
    return {"sorting_uri": runner.sorting_uri}


def correlogram(runner, window_ms: float = 50.0) -> dict:
    return {"sorting_uri": runner.sorting_uri, "unit_groups": [["1", "2"], "3"], "window_ms": window_ms}


def slow_traces(runner, end_sec: float) -> dict:
    band = {"freq_min": 300, "freq_max": 2000 + end_sec}  # each input its own job
    return {"recording_uri": runner.recording_uri, "start_sec": 0, "end_sec": end_sec, "bandpass": band}


@pytest.mark.parametrize("how", ["ray.kill", "kill -9"])
def test_idle_workers_killed_are_replaced_and_the_next_requests_succeed(compute_runner, how):
    executor = make_executor(compute_runner.store_dir, {"misc": 2, "correlograms": 2})

    async def scenario() -> None:
        # two workers in each group, then idle
        await asyncio.gather(*(executor.run(INFO, info(compute_runner), 60) for _ in range(2)))
        await asyncio.gather(*(executor.run(CORRELOGRAMS, correlogram(compute_runner, w), 60) for w in (30, 40)))
        workers = [w for pool in executor.pools.values() for w in pool.idle]
        assert len(workers) >= 3
        pids = [await w.pid.remote() for w in workers]
        for worker, pid in zip(workers, pids, strict=True):
            if how == "ray.kill":
                ray.kill(worker)
            else:
                os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.5)
        # every next request of each group succeeds, though each may first be given a dead worker
        for _ in range(3):
            result = await executor.run(INFO, info(compute_runner), 60)
            assert len(result.data["unitIds"]) == 8
            result = await executor.run(CORRELOGRAMS, correlogram(compute_runner), 60)
            assert len(result.data["autocorrelograms"]) == 2
        # as many at once as each pool has workers: every dead one is given a request, and replaced
        both = await asyncio.gather(*(executor.run(INFO, info(compute_runner), 60) for _ in range(2)))
        assert all(len(r.data["unitIds"]) == 8 for r in both)
        both = await asyncio.gather(*(executor.run(CORRELOGRAMS, correlogram(compute_runner, w), 60) for w in (5, 6)))
        assert all(len(r.data["autocorrelograms"]) == 2 for r in both)
        alive = [w for pool in executor.pools.values() for w in pool.workers()]
        assert not set(alive) & set(workers)
        assert executor.budget.count == len(alive)

    try:
        run_coroutine(scenario())
    finally:
        kill_all(executor)


def test_a_timeout_counts_the_time_queued(compute_runner):
    executor = make_executor(compute_runner.store_dir, {"timeseries": 1})

    async def scenario() -> None:
        await executor.run(
            TRACES, {"recording_uri": compute_runner.recording_uri, "start_frame": 0, "end_frame": 10}, 60
        )
        # filtering 17-20 s of 16 channels: a few tenths of a second each, seconds together
        ends = [17 + i * 0.25 for i in range(8)]
        slow = [asyncio.create_task(executor.run(TRACES, slow_traces(compute_runner, s), 120)) for s in ends]
        await asyncio.sleep(0.1)
        started = time.monotonic()
        with pytest.raises(TaskTimeout, match="did not start within 3 s: all 1 workers of the timeseries group"):
            await executor.run(TRACES, slow_traces(compute_runner, 16), 3.0)
        elapsed = time.monotonic() - started
        # answered at its timeout, while the requests ahead of it were still running or queued
        assert 2.9 < elapsed < 4.0, elapsed
        assert not all(task.done() for task in slow)
        await asyncio.gather(*slow)
        print(f"8 filtered windows took {time.monotonic() - started:.1f} s")

    try:
        run_coroutine(scenario())
    finally:
        kill_all(executor)


def test_idle_workers_retire_and_their_processes_end(compute_runner):
    executor = make_executor(compute_runner.store_dir, {"misc": 2}, idle_seconds=1.0)

    async def scenario() -> None:
        await asyncio.gather(*(executor.run(INFO, info(compute_runner), 60) for _ in range(2)))
        pids = [await w.pid.remote() for w in executor.pools["misc"].workers()]
        assert pids and all(psutil.pid_exists(pid) for pid in pids)
        await asyncio.sleep(2.5)
        assert executor.pools["misc"].workers() == [] and executor.budget.count == 0
        deadline = time.monotonic() + 10
        while any(psutil.pid_exists(pid) for pid in pids) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert not any(psutil.pid_exists(pid) for pid in pids), "a retired worker's process is still running"
        # and the group still serves
        assert len((await executor.run(INFO, info(compute_runner), 60)).data["unitIds"]) == 8

    try:
        run_coroutine(scenario())
    finally:
        kill_all(executor)


def test_the_runner_never_has_more_workers_than_its_total(compute_runner):
    executor = make_executor(compute_runner.store_dir, {"misc": 2, "correlograms": 2, "timeseries": 2}, max_workers=2)
    window = {"recording_uri": compute_runner.recording_uri, "start_frame": 0, "end_frame": 300}
    most = 0

    async def watch() -> None:
        nonlocal most
        while True:
            most = max(most, executor.worker_count())
            await asyncio.sleep(0.01)

    async def scenario() -> None:
        watcher = asyncio.create_task(watch())
        # one group after the other: each takes the place of an idle worker of another group
        for name, task_input in ((INFO, info(compute_runner)), (CORRELOGRAMS, correlogram(compute_runner))):
            await executor.run(name, task_input, 60)
        await executor.run(TRACES, window, 60)
        # all at once: they wait for each other's workers, within their timeout
        requests = [executor.run(INFO, info(compute_runner), 60) for _ in range(3)]
        requests += [executor.run(CORRELOGRAMS, correlogram(compute_runner, w), 60) for w in (31, 32, 33)]
        requests += [executor.run(TRACES, {**window, "end_frame": 300 + i}, 60) for i in range(3)]
        await asyncio.gather(*requests)
        watcher.cancel()

    try:
        run_coroutine(scenario())
    finally:
        kill_all(executor)
    assert most <= 2


def test_default_sizes_fit_the_machine():
    assert default_max_workers({"CPU": 2.0, "memory": 20e9}) == 3
    assert default_max_workers({"CPU": 64.0, "memory": 8 * 1024**3}) == 8
    assert default_max_workers({"CPU": 1.0}) == 2
    assert 1 <= DEFAULT_NUM_WORKERS <= min(4, os.cpu_count() or 1)


def test_the_job_table_keeps_no_cached_result_and_is_bounded_in_bytes(compute_runner, tmp_path, monkeypatch):
    executor = make_executor(compute_runner.store_dir, {"correlograms": 1})
    cached = ComputeService(executor, TaskResultCache(tmp_path / "cache"))
    # a cache that cannot be written (a file where its folder should be): results stay in the table only
    (tmp_path / "not-a-folder").write_bytes(b"")
    uncached = ComputeService(executor, TaskResultCache(tmp_path / "not-a-folder"))
    inputs = [correlogram(compute_runner, 20 + i) for i in range(10)]

    async def scenario(service: ComputeService) -> list:
        jobs = []
        for task_input in inputs:
            request = TaskRequest(taskType="calculation", taskName=CORRELOGRAMS, taskInput=task_input)
            jobs.append(await service.request(request, wait=60))
        for write in list(service.cache_writes.values()):
            await asyncio.wait([write])
        await asyncio.sleep(0.1)
        return jobs

    one_result = 3_000  # a correlogram of these groups: about 1 kB of JSON
    monkeypatch.setattr(compute, "MAX_TABLE_BYTES", 3 * one_result)
    try:
        cached_jobs = run_coroutine(scenario(cached))
        uncached_jobs = run_coroutine(scenario(uncached))
    finally:
        kill_all(executor)
    assert all(job.status == "finished" for job in cached_jobs + uncached_jobs)
    # cached results are read from task_results/, not kept
    assert not cached.jobs and cached.table_bytes == 0
    for job in cached_jobs:
        assert cached.find(job.name, job.job_id).result_json == job.result_json
    # results that could not be cached are kept, within the byte cap
    assert 0 < uncached.table_bytes <= compute.MAX_TABLE_BYTES
    assert uncached.table_bytes == sum(len(job.result_json or b"") for job in uncached.jobs.values())
    assert 0 < len(uncached.jobs) < len(uncached_jobs)
