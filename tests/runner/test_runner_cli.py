"""``sv-runner start/status/stop`` as a user runs them: real subprocesses, real servers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from runner.cli import build_parser

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


def test_network_runner_starts_in_background_shows_its_token_and_logs_none(free_port, env: dict[str, str]):
    port = free_port()
    started = run_cli(env, "start", "--background", "--no-compute", "--host", "0.0.0.0", "--port", str(port))
    # Its readiness check used to get 401 and kill it after 30 s (exit 2).
    assert started.returncode == 0, started.stderr
    token_file = Path(env["SORTINGVIEW_HOME"]) / "runner" / "token"
    token = token_file.read_text().strip()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert token in started.stdout  # shown to whoever started it
    assert "no authentication" not in started.stderr and "needs its token" in started.stderr
    url = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{url}/health", timeout=5).status_code == 401
    assert httpx.get(f"{url}/", params={"token": token}, timeout=5).status_code == 200

    status = run_cli(env, "status", "--port", str(port), "--json")
    assert status.returncode == 0, status.stdout
    assert json.loads(status.stdout)["status"] == "running"

    log = Path(json.loads(state_file(env, port).read_text())["log_file"])
    assert run_cli(env, "stop", "--port", str(port)).returncode == 0
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "GET /?token=*** HTTP/1.1" in text  # the request was logged, its token was not
    assert token not in text


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_ipv6_loopback_runner_serves(free_port, env: dict[str, str]):
    port = free_port()
    url = f"http://[::1]:{port}"
    started = run_cli(env, "start", "--background", "--no-compute", "--host", "::1", "--port", str(port))
    assert started.returncode == 0, started.stderr
    assert url in started.stdout
    # The Host header is "[::1]:<port>"; the host check used to refuse every request (400).
    assert httpx.get(f"{url}/health", timeout=5).status_code == 200
    assert httpx.get(f"{url}/", timeout=5).status_code == 200
    assert httpx.get(f"{url}/health", headers={"Host": f"evil.example:{port}"}, timeout=5).status_code == 400
    status = run_cli(env, "status", "--port", str(port))
    assert status.returncode == 0 and url in status.stdout


def test_the_ray_flag_is_ray_address_and_its_old_name_still_works(env: dict[str, str]):
    parser = build_parser()
    assert parser.parse_args(["start", "--ray-address", "10.0.0.5:6379"]).ray_address == "10.0.0.5:6379"
    assert parser.parse_args(["start", "--address", "auto"]).ray_address == "auto"
    # --address is hidden: it reads as the figURL address (SORTINGVIEW_ADDRESS), which it is not
    start_help = run_cli(env, "start", "--help").stdout
    assert "--ray-address" in start_help and "--address " not in start_help and "SORTINGVIEW_ADDRESS" in start_help


# What Ray logs for scripts that start it, and its crash handler's stack dump on SIGTERM: none of it belongs in
# the runner's log.
NOT_IN_THE_LOG = ("SIGTERM received", "SIGTERM handler is not set", "Token authentication", "Traceback")


def still_running(processes: list[psutil.Process]) -> list[psutil.Process]:
    def running(process: psutil.Process) -> bool:
        try:
            return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    return [p for p in processes if running(p)]


def describe(processes: list[psutil.Process]) -> str:
    names = []
    for process in processes:
        try:
            names.append(f"{process.pid} {process.name()} (parent {process.ppid()})")
        except psutil.Error:
            pass
    return ", ".join(names) or "none"


@pytest.mark.ray
@pytest.mark.slow
def test_stop_ends_every_process_of_the_ray_the_runner_started(free_port, env: dict[str, str], monkeypatch):
    import spikeinterface.full as si

    import spikeinterface_sortingview as sv

    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", env["SORTINGVIEW_STORE_DIR"])
    sorting_uri = sv.share_sorting(si.generate_sorting(num_units=4, durations=[5.0], seed=3))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = run_cli(env, "start", "--background", "--port", str(port), "--num-cpus", "1")
    assert started.returncode == 0, started.stderr
    state = json.loads(state_file(env, port).read_text())
    runner = psutil.Process(state["pid"])

    # The first compute request starts a local Ray, owned by the runner.
    query = {"taskName": "sortingview.sorting_info.1", "taskInput": {"sorting_uri": sorting_uri}}
    body = {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}
    answer = httpx.post(f"{url}/api", json=body, timeout=180)
    assert answer.status_code == 200, answer.text

    def ray_started() -> bool:
        names = {p.name() for p in still_running(runner.children(recursive=True))}
        return {"raylet", "gcs_server", "ray::HandlerWorker", "ray::DashboardAgent", "ray::RuntimeEnvAgent"} <= names

    assert wait_until(ray_started, timeout=60), describe(runner.children(recursive=True))

    status = run_cli(env, "status", "--port", str(port), "--json")
    assert status.returncode == 0, status.stdout
    entry = json.loads(status.stdout)
    assert entry["workers"]["misc"] >= 1
    assert entry["memory"]["runner_rss"] > 0 and entry["memory"]["ray_rss"] > 0
    assert entry["memory"]["ray_processes"] >= 5
    text = run_cli(env, "status", "--port", str(port)).stdout
    assert "misc 1" in text and "memory (RSS)" in text and "its Ray" in text

    # Ray may start processes until the end (workers of other groups): list them just before stopping.
    processes = [runner, *runner.children(recursive=True)]
    stopped = run_cli(env, "stop", "--port", str(port))
    assert stopped.returncode == 0, stopped.stderr
    assert f"stopped the runner at {url}" in stopped.stdout
    # The runner ended its Ray itself: `stop` found nothing left to kill.
    assert "ignored SIGTERM" not in stopped.stdout
    assert wait_until(lambda: not still_running(processes), timeout=15), describe(still_running(processes))

    log_text = Path(state["log_file"]).read_text()
    for unwanted in NOT_IN_THE_LOG:
        assert unwanted not in log_text, log_text
