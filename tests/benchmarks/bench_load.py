"""The runner under load: many clients at once, mixing store files, cached results and computations.

200 asyncio clients (each its own HTTP connection) send requests to a real ``sv-runner start`` process on
127.0.0.1 for 60 s, each waiting for its answer before the next:

* ``file``: ``GET /sha1/<hash>`` of a stored recording chunk (a 64 kB range of it, or the whole of a small file);
* ``cached``: correlograms asked for before the run, answered from ``task_results/``;
* ``fresh``: correlograms of random merge groups never asked for before, run on the runner's Ray workers;
* ``traces``: traces windows with their binary payload (repeats are cached answers).

Every answer must be a 200 (206 for ranges) with a well-formed body (``tests/runner/compute/test_load.py`` checks it);
anything else counts as an error (target: 0). The table gives p50/p99 per kind, and the RSS of the runner
(its own process, and with its Ray: the runner starts its own local Ray, whose processes are its children)
when warm, idle before the load (Ray started, results cached, workers retired after ``--idle-seconds``), at
the end of the load, and idle after it; target: idle after the load within 10% of idle before it.

Usage::

    python tests/benchmarks/bench_load.py                      # 200 clients, 60 s
    python tests/benchmarks/bench_load.py --clients 50 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import httpx
import numpy as np
import psutil
import spikeinterface.core as sc
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.benchmarks.bench_runner import RAY_ENV  # noqa: E402
from tests.runner.compute.test_load import Workload, check_reply, query_body  # noqa: E402
from tests.servers import find_free_port, sv_runner_process  # noqa: E402

REQUEST_TIMEOUT = 60.0
# Starting Ray and the first workers (imports, numba) on a busy 2-core machine took over 30 s.
WARM_UP_TIMEOUT = 300.0
FILE_SHARE = 0.3  # the rest is test_load's mix: a quarter fresh, a quarter traces, half cached
RANGE_BYTES = 64 * 1024
RSS_TOLERANCE = 0.10


@dataclass
class LoadRun:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)


def make_data(store_dir: Path, root: Path) -> SimpleNamespace:
    """A 20 s, 32-channel binary recording registered in place, its sorting (12 units), and a few store files."""
    import spikeinterface_sortingview as sv

    recording, sorting = sc.generate_ground_truth_recording(
        durations=[20.0], num_units=12, num_channels=32, seed=11, sampling_frequency=30000.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recording = recording.save(folder=root / "recording", format="binary", verbose=False, progress_bar=False)
        os.environ["SORTINGVIEW_STORE_DIR"] = str(store_dir)
        recording_uri = sv.share_recording(recording, in_place=False, progress_bar=False)
        sorting_uri = sv.share_sorting(sorting)
    files = sorted(store_dir.glob("sha1/*/*/*/*"), key=lambda p: p.stat().st_size)
    return SimpleNamespace(
        recording=recording,
        sorting=sorting,
        recording_uri=recording_uri,
        sorting_uri=sorting_uri,
        files=[(p.name, p.stat().st_size) for p in files],
    )


class MixedWorkload(Workload):
    """test_load's requests, plus store files."""

    def __init__(self, data: SimpleNamespace, seed: int):
        super().__init__(data, seed)
        self.files = data.files

    def next_http(self) -> tuple[str, str, str, dict, dict | None]:
        """``(kind, method, path, headers, json body)``."""
        if self.random.random() < FILE_SHARE:
            name, size = self.random.choice(self.files)
            headers = {}
            if size > RANGE_BYTES:
                start = self.random.randrange(size - RANGE_BYTES)
                headers["Range"] = f"bytes={start}-{start + RANGE_BYTES - 1}"
            return "file", "GET", f"/sha1/{name}", headers, None
        kind, name, task_input = self.next_request()
        return kind, "POST", "/api", {}, (name, task_input)


def post_query(url: str, name: str, task_input: dict) -> None:
    body = query_body(name, task_input)
    body["query"]["timeout"] = WARM_UP_TIMEOUT
    response = httpx.post(f"{url}/api", json=body, timeout=WARM_UP_TIMEOUT + 10)
    assert response.status_code == 200, response.text


def warm_up(url: str, workload: MixedWorkload) -> None:
    """Start Ray and a worker of each group used, and fill the cache with the cached inputs; one at a time."""
    for _ in range(2):
        post_query(url, "sortingview.correlograms.1", workload.fresh_input())
        post_query(url, "sortingview.traces_window.1", workload.traces_input())
    for task_input in workload.cached_inputs:
        post_query(url, "sortingview.correlograms.1", task_input)


def check_file(response: httpx.Response, headers: dict, size: int) -> None:
    if "Range" in headers:
        assert response.status_code == 206, f"{response.status_code}: {response.text[:200]}"
        assert len(response.content) == RANGE_BYTES
    else:
        assert response.status_code == 200, f"{response.status_code}: {response.text[:200]}"
        assert len(response.content) == size


async def client(url: str, workload: MixedWorkload, sizes: dict, run: LoadRun, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as http:
        while time.monotonic() < deadline:
            kind, method, path, headers, query = workload.next_http()
            started = time.perf_counter()
            try:
                if query is None:
                    response = await http.get(path, headers=headers)
                    elapsed = time.perf_counter() - started
                    check_file(response, headers, sizes[path.rsplit("/", 1)[1]])
                else:
                    name, task_input = query
                    body = query_body(name, task_input)
                    body["query"]["timeout"] = REQUEST_TIMEOUT
                    response = await http.post(path, json=body)
                    elapsed = time.perf_counter() - started
                    check_reply(kind, task_input, response)
            except (httpx.HTTPError, AssertionError, ValueError, KeyError) as error:
                run.errors.append(f"{kind} {path}: {type(error).__name__}: {str(error)[:200]}")
                continue
            run.latencies[kind].append(elapsed)


async def run_load(url: str, workload: MixedWorkload, sizes: dict, clients: int, seconds: float) -> LoadRun:
    run = LoadRun()
    deadline = time.monotonic() + seconds
    tasks = [client(url, workload, sizes, run, deadline) for _ in range(clients)]
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + 2 * REQUEST_TIMEOUT)
    return run


def rss(pid: int) -> tuple[int, int, int]:
    """RSS of the runner's process, of it and all its descendants (its Ray), and how many worker processes."""
    process = psutil.Process(pid)
    own = process.memory_info().rss
    total, workers = own, 0
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
            workers += "HandlerWorker" in " ".join(child.cmdline())
        except psutil.NoSuchProcess:
            pass
    return own, total, workers


def wait_until_idle(pid: int, idle_seconds: float) -> tuple[int, int, int]:
    """The runner's RSS once its workers have retired (they do after ``idle_seconds``), and a little after."""
    deadline = time.monotonic() + 2 * idle_seconds + 60
    while rss(pid)[2] and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(3)
    return rss(pid)


def table(run: LoadRun, seconds: float, clients: int, memory: dict[str, tuple[int, int, int]]) -> str:
    lines = [f"{'kind':<8} {'count':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    for kind in ("file", "cached", "fresh", "traces"):
        times = np.array(run.latencies.get(kind, [])) * 1000
        if len(times):
            p50, p99 = np.percentile(times, [50, 99])
            lines.append(f"{kind:<8} {len(times):>7} {p50:>8.1f} {p99:>8.1f} {times.max():>8.1f}")
    total = sum(len(t) for t in run.latencies.values())
    lines.append(
        f"{total} answers, {len(run.errors)} errors (target 0) in {seconds:.0f} s from {clients} clients: "
        f"{total / seconds:.0f} requests/s"
    )
    lines.append("")
    lines.append(f"{'runner RSS':<22} {'own MB':>8} {'with Ray MB':>12} {'workers':>8}")
    for moment, (own, tree, workers) in memory.items():
        lines.append(f"{moment:<22} {own / 2**20:>8.0f} {tree / 2**20:>12.0f} {workers:>8}")
    before, idle = memory["idle before load"], memory["idle after load"]
    for label, index in (("own", 0), ("with Ray", 1)):
        change = idle[index] / before[index] - 1
        verdict = "ok" if change <= RSS_TOLERANCE else "above target"
        lines.append(
            f"idle after vs before the load ({label}): {change:+.1%} (target <= +{RSS_TOLERANCE:.0%}): {verdict}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="workers' idle_seconds in the runner")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="sv-bench-load-"))
    try:
        store_dir = root / "store"
        data = make_data(store_dir, root)
        sizes = dict(data.files)
        config = root / "handlers.yaml"
        groups = ("correlograms", "timeseries", "waveforms", "extract_snippets", "clusters", "metrics", "misc")
        handlers = {"job_handlers": {g: {"params": {"idle_seconds": args.idle_seconds}} for g in groups}}
        config.write_text(yaml.safe_dump(handlers))
        port = find_free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, **RAY_ENV, "SORTINGVIEW_HOME": str(root / "home"), "SORTINGVIEW_STORE_DIR": str(store_dir)}
        runner_args = ["--port", str(port), "--store-dir", str(store_dir), "--config", str(config)]
        runner_args += ["--log-level", "warning"]
        with sv_runner_process(runner_args, env, url, root / "runner.log"):
            pid = httpx.get(f"{url}/health", timeout=10).json()["pid"]
            workload = MixedWorkload(data, seed=20261202)
            warm_up(url, workload)
            for _ in range(3):  # the store files once each, and the runner settled
                for name, _size in data.files[:20]:
                    httpx.get(f"{url}/sha1/{name}", timeout=30).raise_for_status()
            memory = {"warm": rss(pid)}
            # the state the load is compared with: Ray started, results cached, workers retired
            memory["idle before load"] = wait_until_idle(pid, args.idle_seconds)
            warm_up(url, workload)  # workers started again (the cached inputs are answered from the cache)
            started = time.monotonic()
            run = asyncio.run(run_load(url, workload, sizes, args.clients, args.seconds))
            seconds = time.monotonic() - started
            memory["end of load"] = rss(pid)
            memory["idle after load"] = wait_until_idle(pid, args.idle_seconds)
            descendants = [p.pid for p in psutil.Process(pid).children(recursive=True)]
        print(f"\nload benchmark: {url}, {args.clients} clients, {args.seconds:.0f} s\n")
        print(table(run, seconds, args.clients, memory))
        if run.errors:
            print("\nfirst errors:\n  " + "\n  ".join(run.errors[:5]))
        left = [p for p in descendants if psutil.pid_exists(p)]
        if left:
            time.sleep(5)
            for p in left:
                if psutil.pid_exists(p):
                    print(f"process {p} of the runner's Ray outlived it; ending it")
                    psutil.Process(p).kill()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    random.seed(0)
    main()
