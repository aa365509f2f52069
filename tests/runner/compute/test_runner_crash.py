"""kill -9 of a runner process loses no curation action it acknowledged, and a client's retry applies none twice.

The runners run their work on the session's Ray (``--ray-address``): what is killed is the runner process and
its workers, and a restarted runner attaches again in a second.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from spikeinterface_sortingview.curation import replay
from tests.servers import find_free_port

pytestmark = [pytest.mark.slow, pytest.mark.ray]


def runner_environment(tmp_path) -> dict:
    """A runner of its own: home, store and a private Ray on loopback."""
    env = {
        **os.environ,
        "SORTINGVIEW_HOME": str(tmp_path / "home"),
        "SORTINGVIEW_STORE_DIR": str(tmp_path / "store"),
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_AUTH_MODE": "disabled",
        "RAY_NODE_IP_ADDRESS": "127.0.0.1",
    }
    env.pop("RAY_ADDRESS", None)
    return env


def start_runner(env: dict, port: int, ray_address: str) -> dict:
    command = ["start", "--background", "--port", str(port), "--ray-address", ray_address]
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    state_file = os.path.join(env["SORTINGVIEW_HOME"], "runner", f"{port}.json")
    return json.loads(open(state_file).read())


def curation(url: str, action: dict | None, journal: str = "crash-test") -> httpx.Response:
    if action is None:
        query = {"taskName": "sortingview.curation_state.1", "taskInput": {"journal": journal}}
    else:
        query = {"taskName": "sortingview.curation_action.1", "taskInput": {"journal": journal, "action": action}}
    body = {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}
    return httpx.post(f"{url}/api", json=body, timeout=120)


def test_acknowledged_actions_survive_kill_9(tmp_path, ray_address):
    env = runner_environment(tmp_path)
    port = find_free_port()
    state = start_runner(env, port, ray_address)
    url = state["url"]
    acknowledged = []
    try:
        for unit in range(12):
            action = {"type": "ADD_UNIT_LABEL", "unitId": str(unit), "label": "accept" if unit % 2 else "noise"}
            if curation(url, action).status_code == 200:
                acknowledged.append(action)
    finally:
        # the whole process group: the runner and anything it started, with no chance to clean up
        os.killpg(os.getpgid(state["pid"]), signal.SIGKILL)
    assert len(acknowledged) == 12
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/health", timeout=0.5)
        except httpx.TransportError:
            break
        time.sleep(0.1)

    state = start_runner(env, port, ray_address)
    try:
        labels = curation(state["url"], None).json()["result"]["curation"]["labelsByUnit"]
        assert labels == {a["unitId"]: [a["label"]] for a in acknowledged}
    finally:
        os.killpg(os.getpgid(state["pid"]), signal.SIGTERM)


def send_until_acknowledged(url: str, task_input: dict, attempts: int = 600) -> httpx.Response:
    """What a client does: send the action, and again (same id) until the runner answers it."""
    for _ in range(attempts):
        query = {"taskName": "sortingview.curation_action.1", "taskInput": task_input}
        body = {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}
        try:
            response = httpx.post(f"{url}/api", json=body, timeout=120)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the action {task_input} was never acknowledged")


def test_a_client_retrying_through_a_killed_runner_gets_each_action_applied_once(tmp_path, ray_address):
    env = runner_environment(tmp_path)
    port = find_free_port()
    state = start_runner(env, port, ray_address)
    # Toggles: an action applied twice undoes itself, so a duplicate shows in the state as well as the journal.
    inputs = [
        {
            "journal": "retry-test",
            "action": {"type": "TOGGLE_UNIT_LABEL", "unitId": str(i % 5), "label": ["accept", "mua", "noise"][i % 3]},
            "action_id": f"action-{i}",
        }
        for i in range(20)
    ]
    try:
        for i, task_input in enumerate(inputs):
            if i == 10:
                # The runner dies while this action is in flight: before or after its line is written.
                with ThreadPoolExecutor(1) as pool:
                    in_flight = pool.submit(send_until_acknowledged, state["url"], task_input, 1)
                    time.sleep(0.005)
                    os.killpg(os.getpgid(state["pid"]), signal.SIGKILL)
                    try:
                        in_flight.result()
                    except AssertionError:
                        pass
                state = start_runner(env, port, ray_address)
            send_until_acknowledged(state["url"], task_input)
        lines = (tmp_path / "store" / "curation_journals" / "retry-test.jsonl").read_text().splitlines()
        assert [json.loads(line)["id"] for line in lines] == [t["action_id"] for t in inputs]
        final = curation(state["url"], None, "retry-test").json()["result"]["curation"]["labelsByUnit"]
        assert final == replay([t["action"] for t in inputs])["labelsByUnit"]
    finally:
        os.killpg(os.getpgid(state["pid"]), signal.SIGKILL)
