"""A runner starts Ray and one worker in the background as it starts: it answers at once, a page soon after finds
them ready, and ``sv-runner stop`` still ends every process, even while Ray is starting."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.runner.test_runner_cli import describe, run_cli, still_running, sv_runner, wait_until

# Generous: the machine running the tests is shared. What proves the runner did not wait for Ray is that its
# first answer says Ray is not ready yet.
FIRST_ANSWER_SECONDS = 20.0
READY_SECONDS = 90.0


@pytest.fixture
def env(runner_env: dict[str, str]) -> Iterator[dict[str, str]]:
    env = {**runner_env, "SORTINGVIEW_PRESTART": "1", "RAY_USAGE_STATS_ENABLED": "0"}
    yield env
    subprocess.run([sv_runner(), "stop", "--all"], env=env, capture_output=True, timeout=120)


def start_foreground(env: dict[str, str], port: int, *args: str) -> tuple[subprocess.Popen, dict, float]:
    """``sv-runner start`` as a process; returns it, its first ``/health`` answer, and the seconds that took."""
    started = time.monotonic()
    command = [sv_runner(), "start", "--port", str(port), "--num-cpus", "1", *args]
    # A session of its own, as `--background` gives: every process of its Ray can be found by it.
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    while time.monotonic() - started < 60:
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).json()
            return process, health, time.monotonic() - started
        except httpx.HTTPError:
            assert process.poll() is None, "the runner exited while starting"
            time.sleep(0.02)
    process.kill()
    raise AssertionError("the runner did not answer /health within 60 s")


def status(env: dict[str, str], port: int) -> dict:
    answer = run_cli(env, "status", "--port", str(port), "--json")
    return json.loads(answer.stdout) if answer.returncode == 0 else {}


def session_processes(session: int) -> list[psutil.Process]:
    """Live processes of a session: the runner's, and every process it or its Ray started."""
    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session:
                found.append(process)
        except (OSError, psutil.Error):
            pass
    return still_running(found)


@pytest.mark.ray
@pytest.mark.slow
def test_the_runner_answers_at_once_and_readies_ray_and_one_worker_with_no_request(free_port, env):
    port = free_port()
    process, first, seconds = start_foreground(env, port)
    runner = psutil.Process(process.pid)
    assert seconds < FIRST_ANSWER_SECONDS
    assert first["ray"] in ("not started", "starting"), first  # it answered before Ray was up

    def ready() -> bool:
        entry = status(env, port)
        return entry.get("ray") == "ready" and entry.get("workers_ready") == 1

    assert wait_until(ready, timeout=READY_SECONDS), status(env, port)
    entry = status(env, port)
    # one worker, of the group of traces windows, not the pool
    assert entry["workers"] == {**dict.fromkeys(entry["workers"], 0), "timeseries": 1}
    text = run_cli(env, "status", "--port", str(port)).stdout
    assert "timeseries 1 (1 ready)" in text and "ray            ready" in text

    processes = [runner, *runner.children(recursive=True)]
    stopped = run_cli(env, "stop", "--port", str(port))
    assert stopped.returncode == 0 and "ignored SIGTERM" not in stopped.stdout, stopped.stdout
    assert wait_until(lambda: not still_running(processes), timeout=15), describe(still_running(processes))
    assert process.wait(timeout=5) == 0


@pytest.mark.ray
def test_stop_while_ray_is_starting_leaves_no_process(free_port, env):
    port = free_port()
    process, first, _ = start_foreground(env, port)
    session = os.getsid(process.pid)
    assert first["ray"] != "ready"
    stopped = run_cli(env, "stop", "--port", str(port))  # Ray is still starting
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert "stopped the runner" in stopped.stdout
    assert wait_until(lambda: not session_processes(session), timeout=15), describe(session_processes(session))
    assert process.wait(timeout=5) == 0


def test_with_no_prestart_ray_waits_for_the_first_request(free_port, runner_env):
    port = free_port()
    env = {**runner_env, "SORTINGVIEW_PRESTART": "1"}
    process, first, _ = start_foreground(env, port, "--no-prestart")
    try:
        time.sleep(3)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
        assert health["ray"] == "not started" and health["workers_ready"] == 0
        assert psutil.Process(process.pid).children() == []
    finally:
        process.terminate()
        process.wait(timeout=30)
