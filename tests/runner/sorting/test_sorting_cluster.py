"""A batch of sorting jobs on a Ray cluster of a head and two worker nodes (``ray.cluster_utils.Cluster``).

The jobs spread over both worker nodes; one of them is killed while it sorts; its job runs again on the other
node; the results finished before (on either node) are all still there. The scenario runs in a subprocess
(this file, run as a script), as in tests/runner/compute/test_cluster.py: Ray allows one driver per process and the
session may hold its own local Ray. The subprocess prints one JSON line that the test checks.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.runner.compute.test_cluster import scenario_env

SCENARIO_TIMEOUT = 420.0
MB = 1024 * 1024


@pytest.mark.slow
@pytest.mark.ray
def test_a_batch_uses_both_nodes_and_a_killed_nodes_job_runs_again_on_the_other(tmp_path):
    import os
    import shutil
    import signal
    import subprocess
    import tempfile

    import spikeinterface.full as si

    import spikeinterface_sortingview as sv

    # Jobs of several seconds each (long recordings made by repeating a short one: generating is slow), so that
    # node B can be killed while it sorts.
    recording, _ = si.generate_ground_truth_recording(durations=[20.0], num_channels=4, num_units=4, seed=31)
    recording = recording.save(folder=tmp_path / "recording", format="binary", verbose=False)
    # shared into tmp_path/"store" (SORTINGVIEW_STORE_DIR of this test), which the cluster's workers read
    uris = [sv.share_recording(si.concatenate_recordings([recording] * repeats)) for repeats in (4, 5, 6)]
    ray_tmp = tempfile.mkdtemp(prefix="svray-")
    process = subprocess.Popen(
        [sys.executable, __file__, str(tmp_path / "store"), *uris],
        env=scenario_env(tmp_path / "store", ray_tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=SCENARIO_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"the cluster scenario did not finish within {SCENARIO_TIMEOUT:g} s:\n{stderr[-3000:]}")
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    lines = stdout.strip().splitlines()
    assert process.returncode == 0 and lines, f"the scenario failed ({process.returncode}):\n{stderr[-3000:]}"
    report = json.loads(lines[-1])

    jobs = report["jobs"]
    assert len(jobs) == 6 and all(job["status"] == "finished" for job in jobs), jobs
    node_a, node_b = report["node_a"], report["node_b"]
    # the batch used both worker nodes, never the head (it has no CPU for jobs)
    assert set(report["nodes_seen_running"]) >= {node_a[:8], node_b[:8]}
    # a job was sorting on node B when B was killed; it finished on node A
    killed = report["killed_job"]
    assert killed is not None, "no job was running on node B when it was killed"
    assert next(job for job in jobs if job["jobId"] == killed)["node"].endswith(node_a[:8])
    # results finished before the kill are kept (in the result cache, their sortings in the store)
    assert report["finished_before_kill"], "no job had finished before the kill"
    for job in jobs:
        assert job["cached"] and job["numUnits"] == len(sv.load_sorting(job["sortingUri"]).unit_ids)


# ---------------------------------------------------------------------- the scenario, in its own process


async def run_batch(service, uris: list[str], node_b, cluster) -> dict:
    """Six jobs (simple, two parameter sets x three recordings); kill node B once it runs a job, after one finished."""
    import asyncio

    from runner.compute import TaskRequest

    params = [{}, {"detect_threshold": 6.0}]
    requests = [
        TaskRequest(
            taskType="calculation",
            taskName="sortingview.run_sorter.1",
            taskInput={"sorter_name": "simple", "recording_uri": uri, "params": p, "num_cpus": 1},
        )
        for p in params
        for uri in uris
    ]
    jobs = [await service.request(request, wait=0) for request in requests]
    b_label = node_b.node_id[:8]
    seen, killed, finished_before = set(), None, []
    while not all(job.task.done() for job in jobs):
        for job in jobs:
            node = job.progress.get("node", "")
            if node:
                seen.add(node.rsplit(":", 1)[-1])
        # a job that started on B a moment ago: it is sure to be killed before it ends
        running_on_b = [
            job
            for job in jobs
            if not job.task.done()
            and job.progress.get("node", "").endswith(b_label)
            and job.progress.get("elapsedSec", 99) < 2.0
        ]
        finished = [job.job_id for job in jobs if job.status == "finished"]
        if killed is None and running_on_b and finished:
            killed, finished_before = running_on_b[0].job_id, finished
            cluster.remove_node(node_b, allow_graceful=False)
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # let the last results reach the cache
    out = []
    for job in jobs:
        found = service.find(job.name, job.job_id)
        result = json.loads(found.result_json) if found.result_json else {}
        out.append(
            {
                "jobId": job.job_id,
                "status": found.status,
                "error": found.error.message if found.error else None,
                "node": result.get("node", ""),
                "sortingUri": result.get("sortingUri"),
                "numUnits": result.get("numUnits"),
                "cached": service.cache.get(job.name, job.job_id) is not None,
            }
        )
    return {
        "jobs": out,
        "killed_job": killed,
        "finished_before_kill": finished_before,
        "nodes_seen_running": sorted(seen),
    }


def main(store_dir: str, *uris: str) -> None:
    import asyncio

    import ray
    from ray.cluster_utils import Cluster

    from runner.compute import ComputeService
    from runner.executor import RayExecutor, RayOptions
    from runner.handler_config import default_handler_config
    from runner.task_results import TaskResultCache

    # Node deaths found within a couple of seconds, not Ray's default half minute.
    system_config = {"health_check_period_ms": 500, "health_check_failure_threshold": 4}
    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 0,
            "object_store_memory": 100 * MB,
            "include_dashboard": False,
            "_system_config": system_config,
        },
    )
    try:
        node_a = cluster.add_node(num_cpus=1, object_store_memory=100 * MB)
        node_b = cluster.add_node(num_cpus=1, object_store_memory=100 * MB)
        executor = RayExecutor(
            default_handler_config(),
            RayOptions(address=cluster.address, worker_env={"SORTINGVIEW_STORE_DIR": store_dir}, prestart=False),
        )
        service = ComputeService(executor, TaskResultCache(store_dir))
        executor.ensure_ray()
        cluster.wait_for_nodes()
        report = asyncio.run(run_batch(service, list(uris), node_b, cluster))
        report.update(node_a=node_a.node_id, node_b=node_b.node_id)
    finally:
        ray.shutdown()
        cluster.shutdown()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
