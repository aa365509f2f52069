"""Handlers run where the data is: a two-node Ray cluster on this machine, workers pinned by a custom resource.

The scenario runs in a subprocess (this file, run as a script): Ray allows one driver connection per
process and the test session may already hold its own local Ray (the ``ray_instance`` fixture). The
subprocess prints one JSON line that the test checks.

Staying on loopback: in Ray 2.60 ``RAY_NODE_IP_ADDRESS`` has no effect, and ``ray.init(address=
"127.0.0.1:<port>")`` rewrites the loopback address to the machine's outward address (so the driver cannot
reach a head bound to 127.0.0.1), while a local instance started with ``_node_ip_address="127.0.0.1"``
still listens on every interface. ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` (the switch Ray uses on macOS
and Windows) makes Ray take 127.0.0.1 as the node address everywhere; the scenario reports every
listening address of the Ray processes it started, and the test checks that they are all loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SCENARIO_TIMEOUT = 180.0
MB = 1024 * 1024
# Names the data node carries; handlers ask for a sliver of it so that any number of workers fit.
DATA_RESOURCE = "data_node"


def scenario_env(store_dir: Path, ray_tmp: str) -> dict[str, str]:
    """The subprocess's environment: Ray on loopback, no token, no usage stats, its own temp folder."""
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)  # never attach to a cluster someone else started
    env.update(
        {
            "RAY_USAGE_STATS_ENABLED": "0",
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            # A private cluster on loopback: no token to create in the home folder.
            "RAY_AUTH_MODE": "disabled",
            # Sessions, sockets and the "current cluster" address file go here, not in the shared /tmp/ray,
            # so that no other process on this machine finds this cluster with ray.init().
            "RAY_TMPDIR": ray_tmp,
            "SORTINGVIEW_STORE_DIR": str(store_dir),
        }
    )
    return env


def run_scenario(store_dir: Path, sorting_uri: str) -> dict:
    """Run :func:`main` in a new process group and return its JSON report; the whole group dies on timeout."""
    # Short: Ray's unix socket paths live under it and must stay below 108 characters.
    ray_tmp = tempfile.mkdtemp(prefix="svray-")
    process = subprocess.Popen(
        [sys.executable, __file__, str(store_dir), sorting_uri],
        env=scenario_env(store_dir, ray_tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=SCENARIO_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the scenario's Ray processes are in its process group
        stdout, stderr = process.communicate()
        pytest.fail(f"the cluster scenario did not finish within {SCENARIO_TIMEOUT:g} s:\n{stderr[-3000:]}")
    finally:
        shutil.rmtree(ray_tmp, ignore_errors=True)
    lines = stdout.strip().splitlines()
    assert process.returncode == 0 and lines, f"the scenario failed ({process.returncode}):\n{stderr[-3000:]}"
    return json.loads(lines[-1])


@pytest.mark.slow
@pytest.mark.ray
def test_handlers_run_on_the_node_holding_the_resource(tmp_path):
    import spikeinterface.core as sc

    import spikeinterface_sortingview as sv

    sorting = sc.generate_sorting(num_units=4, durations=[10.0], sampling_frequency=30000.0, firing_rates=10.0, seed=3)
    sorting_uri = sv.share_sorting(sorting)  # into tmp_path/"store" (SORTINGVIEW_STORE_DIR of this test)
    report = run_scenario(tmp_path / "store", sorting_uri)

    head, data_node = report["head_node_id"], report["data_node_id"]
    assert head != data_node
    assert report["driver_node_id"] == head  # the runner's side of the executor is on the head...
    for group in ("misc", "correlograms"):
        assert report["worker_node_ids"][group], f"no {group} worker ran"
        # ...and every worker that ran a handler is on the node with the data resource
        assert set(report["worker_node_ids"][group]) == {data_node}, report
    # the handlers really ran there, on the shared data
    assert report["num_spikes"] == len(sorting.to_spike_vector())
    assert report["unit_ids"] == [str(u) for u in sorting.unit_ids]
    assert report["autocorrelogram_total"] > 0
    # two nodes, both on loopback, and nothing listening elsewhere
    assert sorted(report["node_addresses"]) == ["127.0.0.1", "127.0.0.1"]
    assert report["node_resources"][data_node] == 1.0 and report["node_resources"][head] == 0.0
    if report["listen_addresses"] is not None:
        assert report["listen_addresses"], "no listening sockets found for the Ray processes"
        assert set(report["listen_addresses"]) <= {"127.0.0.1", "::ffff:127.0.0.1", "::1"}, report


# ---------------------------------------------------------------------- the scenario, in its own process


def listen_addresses() -> list[str] | None:
    """Addresses the Ray processes of this process tree listen on (None without psutil)."""
    try:
        import psutil
    except ImportError:
        return None
    me = psutil.Process()
    pids = {me.pid} | {child.pid for child in me.children(recursive=True)}
    return sorted(
        {conn.laddr.ip for conn in psutil.net_connections("tcp") if conn.status == "LISTEN" and conn.pid in pids}
    )


async def run_handlers(executor, sorting_uri: str) -> dict:
    """Run one misc and one correlograms handler, then read where each pool's workers live."""
    import ray

    info = await executor.run("sortingview.sorting_info.1", {"sorting_uri": sorting_uri}, 60.0)
    unit_ids = info.data["unitIds"]
    correlograms = await executor.run(
        "sortingview.correlograms.1", {"sorting_uri": sorting_uri, "unit_groups": [unit_ids[:2]]}, 60.0
    )
    worker_nodes = {}
    for group, pool in executor.pools.items():
        worker_nodes[group] = [await worker.node_id.remote() for worker in pool.workers()]
    return {
        "num_spikes": info.data["numSpikes"],
        "unit_ids": [str(u) for u in unit_ids],
        "autocorrelogram_total": int(correlograms.data["autocorrelograms"][0]["binCounts"].sum()),
        "worker_node_ids": worker_nodes,
        "driver_node_id": ray.get_runtime_context().get_node_id(),
    }


def main(store_dir: str, sorting_uri: str) -> None:
    """Start a head and a data node (1 CPU, 100 MB object store each), run handlers pinned to the data node."""
    import asyncio

    import ray
    from ray.cluster_utils import Cluster

    from runner.executor import RayExecutor, RayOptions
    from runner.handler_config import parse_handler_config

    node_args = {"num_cpus": 1, "object_store_memory": 100 * MB}
    cluster = Cluster(initialize_head=True, head_node_args={**node_args, "include_dashboard": False})
    try:
        data_node = cluster.add_node(**node_args, resources={DATA_RESOURCE: 1})
        one_worker = {"params": {"num_workers": 1}}
        config = {"job_handlers": {"misc": one_worker, "correlograms": one_worker}}
        executor = RayExecutor(
            parse_handler_config(config),
            RayOptions(
                address=cluster.address,
                worker_env={"SORTINGVIEW_STORE_DIR": store_dir},
                resources={DATA_RESOURCE: 0.01},
            ),
        )
        report = asyncio.run(run_handlers(executor, sorting_uri))
        nodes = [node for node in ray.nodes() if node["Alive"]]
        report.update(
            head_node_id=cluster.head_node.node_id,
            data_node_id=data_node.node_id,
            node_addresses=[node["NodeManagerAddress"] for node in nodes],
            node_resources={node["NodeID"]: node["Resources"].get(DATA_RESOURCE, 0.0) for node in nodes},
            listen_addresses=listen_addresses(),
        )
    finally:
        ray.shutdown()
        cluster.shutdown()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])
