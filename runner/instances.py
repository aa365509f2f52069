"""Runners on this machine: one state file per port under ``<home>/runner/``, and checks that a runner answers."""

from __future__ import annotations

import importlib.util
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from spikeinterface_sortingview.config import get_config, home_dir
from spikeinterface_sortingview.runner_client import address_host_port
from spikeinterface_sortingview.store import write_atomic


@dataclass(frozen=True)
class RunnerState:
    """What a running runner writes about itself (``<home>/runner/<port>.json``).

    Attributes
    ----------
    pid : int
        The serving process.
    url : str
        Where it answers, e.g. ``http://127.0.0.1:8931``.
    host, port
        The address it is bound to.
    store_dir : str
        The store it serves.
    version : str
        The package version it runs.
    started_at : float
        Start time (seconds since the epoch).
    log_file : str | None
        Where its output goes when started with ``--background``.
    """

    pid: int
    url: str
    host: str
    port: int
    store_dir: str
    version: str
    started_at: float
    log_file: str | None = None

    @classmethod
    def from_file(cls, path: Path) -> RunnerState | None:
        """Read a state file; None if it is missing or not one of ours (e.g. half-written by a crashed tool)."""
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def state_dir() -> Path:
    """The folder of the state files and background logs: ``<home>/runner``."""
    return home_dir() / "runner"


def state_path(port: int) -> Path:
    return state_dir() / f"{port}.json"


def log_path(port: int) -> Path:
    return state_dir() / f"{port}.log"


def open_log(port: int) -> int:
    """Open (truncate) the log of a background runner on ``port``, readable by its owner only; returns the fd."""
    path = log_path(port)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a log left by an older version may have been created readable by all
    return fd


def write_state(state: RunnerState) -> Path:
    """Write the state file atomically, so that ``status`` never reads half of it."""
    path = state_path(state.port)
    write_atomic(path, json.dumps(asdict(state), indent=2).encode())
    return path


def remove_state(port: int, pid: int) -> None:
    """Remove the state file of ``port`` if it still describes process ``pid`` (a newer runner may own it)."""
    path = state_path(port)
    state = RunnerState.from_file(path)
    if state is None or state.pid == pid:
        path.unlink(missing_ok=True)


def state_files() -> list[Path]:
    """Every state file, by port."""
    folder = state_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"), key=lambda p: (len(p.stem), p.stem))


def format_url(host: str, port: int, scheme: str = "http") -> str:
    """``http://host:port``, with brackets around an IPv6 address; a wildcard bind is reached on loopback."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def configured_address() -> tuple[str, int]:
    """Host and port of the configured address (what figURLs point to), e.g. ``("127.0.0.1", 8931)``."""
    return address_host_port(get_config().address)


def process_alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie, killed but not yet reaped by its parent, counts as gone)."""
    try:
        return is_running(psutil.Process(pid))
    except psutil.NoSuchProcess:
        return False


def looks_like_runner(pid: int) -> bool:
    """True if process ``pid``'s command line is a runner's (so that a recycled pid is never signalled)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"runner.cli" in cmdline or b"sv-runner" in cmdline


def terminate(pid: int, timeout: float) -> bool:
    """Ask ``pid`` to stop (SIGTERM: the server finishes its requests), kill it after ``timeout`` seconds.

    Returns
    -------
    bool
        True if it stopped on SIGTERM, False if it had to be killed.
    """
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return True
    return not end_processes([process], timeout)


def child_processes(pid: int | None = None) -> list[psutil.Process]:
    """Every process descending from ``pid`` (this process by default); empty if it is gone."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def local_ray_processes(pid: int | None = None) -> list[psutil.Process]:
    """The processes of the local Ray that process ``pid`` (this one by default) started, and theirs.

    Those are its children that run from Ray's package folder (``gcs_server``, ``raylet``, Ray's Python
    services) and their descendants (agents, workers); other children (a browser a test drives) are left out.
    """
    spec = importlib.util.find_spec("ray")
    if spec is None or not spec.submodule_search_locations:
        return []
    ray_dir = os.path.join(list(spec.submodule_search_locations)[0], "")
    try:
        children = psutil.Process(pid).children()
    except psutil.Error:
        return []
    found = []
    for child in children:
        try:
            if not any(ray_dir in part for part in child.cmdline()):
                continue
            found += [child, *child.children(recursive=True)]
        except psutil.Error:
            pass  # ended meanwhile
    return found


def is_running(process: psutil.Process) -> bool:
    """True if ``process`` (the very one: a recycled pid is another process) runs and is not a zombie."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # another user's process: it exists


def end_processes(processes: list[psutil.Process], timeout: float = 2.0) -> list[psutil.Process]:
    """SIGTERM those of ``processes`` still running, SIGKILL any left after ``timeout`` seconds (and wait for them).

    Returns
    -------
    list[psutil.Process]
        Those that had to be killed.
    """
    running = [p for p in processes if is_running(p)]
    for process in running:
        try:
            process.terminate()
        except psutil.Error:
            pass
    deadline = time.monotonic() + timeout
    while running and time.monotonic() < deadline:
        time.sleep(0.05)
        running = [p for p in running if is_running(p)]
    for process in running:
        try:
            process.kill()
        except psutil.Error:
            pass
    deadline = time.monotonic() + 5
    while any(is_running(p) for p in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    return running


def memory_use(pid: int) -> dict | None:
    """Resident memory of a runner and of the processes it started (its local Ray), in bytes.

    Returns
    -------
    dict | None
        ``{"runner_rss", "ray_rss", "ray_processes", "total_pss"}``; None if the runner is gone. RSS counts the
        pages of shared libraries in every process that maps them, so the sum of RSS overstates what the
        processes hold together; ``total_pss`` (each shared page divided among its processes) does not.
    """
    try:
        runner = psutil.Process(pid)
        runner_rss = runner.memory_info().rss
    except psutil.Error:
        return None
    ray_rss, count, total_pss = 0, 0, 0
    for process in [runner, *child_processes(pid)]:
        try:
            memory = process.memory_full_info()
        except psutil.Error:
            continue  # ended while being measured
        total_pss += getattr(memory, "pss", memory.rss)  # PSS is Linux's; elsewhere RSS stands in
        if process is not runner:
            ray_rss += memory.rss
            count += 1
    return {"runner_rss": runner_rss, "ray_rss": ray_rss, "ray_processes": count, "total_pss": total_pss}
