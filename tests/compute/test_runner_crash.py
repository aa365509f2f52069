"""kill -9 of a runner process loses no curation action it acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.servers import find_free_port

pytestmark = [pytest.mark.slow, pytest.mark.ray]


def start_runner(env: dict, port: int) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "start", "--background", "--port", str(port), "--num-cpus", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    state_file = os.path.join(env["SORTINGVIEW_HOME"], "runner", f"{port}.json")
    return json.loads(open(state_file).read())


def curation(url: str, action: dict | None) -> httpx.Response:
    if action is None:
        query = {"taskName": "sortingview.curation_state.1", "taskInput": {"journal": "crash-test"}}
    else:
        query = {"taskName": "sortingview.curation_action.1", "taskInput": {"journal": "crash-test", "action": action}}
    body = {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}
    return httpx.post(f"{url}/api", json=body, timeout=120)


def test_acknowledged_actions_survive_kill_9(tmp_path):
    env = {
        **os.environ,
        "SORTINGVIEW_HOME": str(tmp_path / "home"),
        "SORTINGVIEW_STORE_DIR": str(tmp_path / "store"),
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "disabled",
        "RAY_NODE_IP_ADDRESS": "127.0.0.1",
    }
    env.pop("RAY_ADDRESS", None)
    port = find_free_port()
    state = start_runner(env, port)
    url = state["url"]
    acknowledged = []
    try:
        for unit in range(12):
            action = {"type": "ADD_UNIT_LABEL", "unitId": str(unit), "label": "accept" if unit % 2 else "noise"}
            if curation(url, action).status_code == 200:
                acknowledged.append(action)
    finally:
        # the whole process group: the runner and the Ray it started, with no chance to clean up
        os.killpg(os.getpgid(state["pid"]), signal.SIGKILL)
    assert len(acknowledged) == 12
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/health", timeout=0.5)
        except httpx.TransportError:
            break
        time.sleep(0.1)

    state = start_runner(env, port)
    try:
        labels = curation(state["url"], None).json()["result"]["curation"]["labelsByUnit"]
        assert labels == {a["unitId"]: [a["label"]] for a in acknowledged}
    finally:
        os.killpg(os.getpgid(state["pid"]), signal.SIGTERM)
