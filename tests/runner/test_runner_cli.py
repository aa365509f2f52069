"""``sv-runner start/status/stop`` as a user runs them: real subprocesses, real servers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLI_TIMEOUT = 90


def sv_runner() -> str:
    script = shutil.which("sv-runner")
    if script is None:
        pytest.fail("the sv-runner script is not installed: run pip install -e . (pyproject [project.scripts])")
    return script


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sv_runner(), *args], env=env, capture_output=True, text=True, timeout=CLI_TIMEOUT)


def wait_until(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=0.5).status_code == 200
    except httpx.HTTPError:
        return False


def pid_gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


@pytest.fixture
def env(runner_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """The CLI's environment; every runner it started is stopped afterwards, whatever the test did."""
    yield runner_env
    subprocess.run([sv_runner(), "stop", "--all"], env=runner_env, capture_output=True, timeout=CLI_TIMEOUT)


def state_file(env: dict[str, str], port: int) -> Path:
    return Path(env["SORTINGVIEW_HOME"]) / "runner" / f"{port}.json"


def test_background_start_then_status_then_stop(free_port, env: dict[str, str]):
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    started = run_cli(env, "start", "--background", "--port", str(port))
    assert started.returncode == 0, started.stderr
    assert url in started.stdout
    assert f"sv-runner stop --port {port}" in started.stdout
    state = json.loads(state_file(env, port).read_text())
    assert state["url"] == url
    assert state["store_dir"] == env["SORTINGVIEW_STORE_DIR"]
    assert Path(state["log_file"]).is_file()
    assert httpx.get(f"{url}/health", timeout=5).json()["pid"] == state["pid"]

    status = run_cli(env, "status")
    assert status.returncode == 0
    assert "running" in status.stdout and url in status.stdout and str(state["pid"]) in status.stdout
    as_json = json.loads(run_cli(env, "status", "--port", str(port), "--json").stdout)
    assert as_json["status"] == "running" and as_json["pid"] == state["pid"]

    stopped = run_cli(env, "stop", "--port", str(port))
    assert stopped.returncode == 0, stopped.stderr
    assert f"stopped the runner at {url}" in stopped.stdout
    assert wait_until(lambda: pid_gone(state["pid"]), timeout=10)
    assert not answers(url)
    assert not state_file(env, port).exists()

    after = run_cli(env, "status")
    assert after.returncode == 1
    assert "No sortingview runner is running" in after.stdout and "sv-runner start" in after.stdout


def test_start_without_options_serves_the_configured_address(free_port, env: dict[str, str]):
    port = free_port()
    env["SORTINGVIEW_ADDRESS"] = f"http://127.0.0.1:{port}"
    started = run_cli(env, "start", "--background")
    assert started.returncode == 0, started.stderr
    assert answers(f"http://127.0.0.1:{port}")
    # stop without --port stops the runner of the configured address
    assert run_cli(env, "stop").returncode == 0
    assert not answers(f"http://127.0.0.1:{port}")


def test_a_second_background_start_on_the_same_port_says_it_runs_already(free_port, env: dict[str, str]):
    port = free_port()
    assert run_cli(env, "start", "--background", "--port", str(port)).returncode == 0
    again = run_cli(env, "start", "--background", "--port", str(port))
    assert again.returncode == 2
    assert "already serves" in again.stderr


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_foreground_start_serves_until_signalled_and_cleans_up(
    free_port, env: dict[str, str], stop_signal: signal.Signals
):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sv_runner(), "start", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert wait_until(lambda: answers(url)), "the foreground runner did not answer within 30 s"
        assert state_file(env, port).is_file()
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0, err
    assert url in out
    assert not state_file(env, port).exists()
    assert not answers(url)


def test_stale_state_file_is_reported_and_removed(free_port, env: dict[str, str]):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    port = free_port()
    path = state_file(env, port)
    path.parent.mkdir(parents=True)
    state = dict(pid=dead.pid, url=f"http://127.0.0.1:{port}", host="127.0.0.1", port=port)
    path.write_text(json.dumps({**state, "store_dir": "/x", "version": "0", "started_at": 0.0}))

    status = run_cli(env, "status")
    assert status.returncode == 1
    assert "stale" in status.stdout and "removed its state file" in status.stdout
    assert not path.exists()

    path.write_text("{not json")
    stopped = run_cli(env, "stop", "--port", str(port))
    assert stopped.returncode == 1
    assert "stale" in stopped.stdout
    assert not path.exists()


def test_start_on_a_port_another_program_uses_fails_clearly(env: dict[str, str]):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = run_cli(env, "start", "--port", str(port))
    assert result.returncode == 2
    assert f"Port {port}" in result.stderr and "another program" in result.stderr


def test_stop_when_nothing_runs_says_so(free_port, env: dict[str, str]):
    result = run_cli(env, "stop", "--port", str(free_port()))
    assert result.returncode == 1
    assert "No sortingview runner was started on port" in result.stdout


def test_help_lists_the_commands(env: dict[str, str]):
    result = run_cli(env, "--help")
    assert result.returncode == 0
    for command in ("start", "status", "stop"):
        assert command in result.stdout
    start_help = run_cli(env, "start", "--help").stdout
    for option in ("--host", "--port", "--store-dir", "--background", "--max-upload-mb"):
        assert option in start_help
