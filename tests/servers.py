"""Real servers for tests: uvicorn in a thread of the test process, on a free loopback port."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn


def find_free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThreadServer:
    """A uvicorn server in a thread of the test process, on a free loopback port."""

    def __init__(self, app: object):
        # IPPROTO_TCP explicitly: asyncio turns Nagle off only for such sockets (else every answer waits
        # on the client's 40 ms delayed ACK)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start within 15 s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def run_coroutine(coroutine, timeout: float = 300):
    """``asyncio.run`` in a thread of its own: the test process may already run an event loop (Playwright's)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result(timeout=timeout)


@contextlib.contextmanager
def sv_runner_process(
    args: list[str], env: dict, url: str, log_path, headers: dict | None = None, stop_timeout: float = 15
) -> Iterator[str]:
    """A real ``sv-runner start <args>`` process, waited for until ``url`` answers, stopped with SIGTERM after.

    ``headers`` go with the health checks (a runner bound beyond loopback wants its token); an HTTPS runner's
    certificate is not checked (tests make their own).
    """
    script = shutil.which("sv-runner")
    if script is None:
        raise RuntimeError("the sv-runner script is not installed: run pip install -e .")
    with open(log_path, "w") as log:
        process = subprocess.Popen([script, "start", *args], env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health", headers=headers, timeout=0.5, verify=False).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"sv-runner {' '.join(args)} did not start; see {log_path}")
                time.sleep(0.1)
            yield url
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def wait_for_ray(url: str, timeout: float = 300) -> None:
    """Wait until the runner's Ray is up. On a loaded machine Ray's own 30 s start-up limit may pass; the runner
    then starts it again on the next compute request, which this sends (a cheap one) until Ray is ready."""
    deadline = time.monotonic() + timeout
    ping = {"taskName": "sortingview.sorting_info.1", "taskInput": {"sorting_uri": "sha1://" + "0" * 40}}
    while time.monotonic() < deadline:
        state = httpx.get(f"{url}/health", timeout=5).json()["ray"]
        if state == "ready":
            return
        if state == "not started":
            httpx.post(
                f"{url}/api/tasks",
                params={"wait": 0},
                json={"type": "requestTask", "taskType": "calculation", **ping},
                timeout=30,
            )
        time.sleep(1)
    raise RuntimeError(f"the runner at {url} did not start Ray within {timeout:g} s")
