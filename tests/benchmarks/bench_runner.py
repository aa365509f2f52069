"""The runner's compute over HTTP and Ray, measured in one run beside baselines, against targets.

Measured (p50/p99 over repeats, warm workers; each "fresh" request varies its input so that it is not
answered from the cache):

* ``cached answer``: a service query (``POST /api``) answered from ``task_results/``; target p50 < 2 ms.
  Baseline: a bare HTTP round trip to ``/health`` on the same connection.
* ``merged-unit correlogram``: the autocorrelogram of a merged pair of units, through the runner, on a
  sorting of >= 1 M spikes; target < 50 ms. Baselines: the same handler called in this process, and
  SpikeInterface's ``compute_correlograms`` of the merged pair (``apply_merges_to_sorting``).
* ``traces window``: 1 s x 384 channels of an int16 binary recording, through the runner, as its int16
  payload; target < 20 ms, measured with curl (a native HTTP client). Also with httpx, and with Chromium's
  fetch as the viewer reads a reply, beside the same browser fetching a file of the same size (the
  browser's own limit). Baselines: the handler in this process, and ``recording.get_traces``.
* ``throughput``: fresh correlograms per second from 4 concurrent clients with 1 and 2 correlogram
  workers (``job_handlers`` ``num_workers``): light requests (the merged pair, < 1 ms of work: the
  runner's own cost per request shows) and heavy ones (10 merged pairs and their cross-correlograms
  over 2 s, tens of ms: the workers' count shows).
* ``first traces window``: a fresh ``sv-runner start`` (its own local Ray, as a user runs it) is asked for a
  1 s x 384-channel traces window 5 s after its process started; target < 1 s. Baseline: the same runner
  with ``SORTINGVIEW_PRESTART=0`` (Ray and the worker started by that request). Also: the window asked as
  soon as ``/health`` says Ray and a worker are ready (on a loaded machine that takes longer than 5 s), and
  how long that took. Median of ``--trials`` runners of each kind, taken in turn.
* ``Ray overhead``: the handler through Ray (``RayExecutor.run``, no HTTP) minus the handler in this
  process; the runner's own share (HTTP, app, cache) is the runner's time minus the executor's.

The script first times the first traces window of fresh runners, one at a time, before anything else runs.
It then starts its own local Ray (2 CPUs, no dashboard, 256 MB object store, on loopback) and two
``sv-runner start --address <that Ray>`` processes (free ports on 127.0.0.1), with temporary stores and
generated data; everything is removed at the end. It prints one table and exits 0. It needs curl and
Chromium (``/usr/bin/chromium``, driven by Playwright).

Usage::

    python tests/benchmarks/bench_runner.py               # 30 repeats
    python tests/benchmarks/bench_runner.py --repeats 10
    python tests/benchmarks/bench_runner.py --only first-request --trials 5
    python tests/benchmarks/bench_runner.py --only correlogram --preset hour   # 1,000 units, 22.9 M spikes

With ``--preset NAME`` the sorting is that benchmark preset's (``presets.py``; the ``hour`` preset's
analyzer is built first when not cached) and the merged pair is its two units with the most spikes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import spikeinterface.core as sc
import yaml
from probeinterface.neuropixels_tools import build_neuropixels_probe
from spikeinterface.postprocessing import compute_correlograms

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.servers import find_free_port, sv_runner_process  # noqa: E402

# Set before Ray is first imported (in main): Ray reads its node address setting once, at import.
# RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 keeps every Ray process on 127.0.0.1 (RAY_NODE_IP_ADDRESS does
# nothing in Ray 2.60; see tests/runner/compute/test_cluster.py).
RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}

FS = 30000.0
NUM_CHANNELS = 384
RECORDING_SECONDS = 10.0
GAIN_UV = 2.34375  # Neuropixels 1.0 AP gain 500
CORRELOGRAM = "sortingview.correlograms.1"
TRACES = "sortingview.traces_window.1"
THROUGHPUT_CLIENTS = 4
THROUGHPUT_SECONDS = 4.0
REQUEST_TIMEOUT = 120.0
# When a page opened from a freshly started runner asks for its first traces window, after the runner's start.
FIRST_REQUEST_DELAY = 5.0
OBJECT_STORE_BYTES = 256 * 1024 * 1024


# ---------------------------------------------------------------------- data


@dataclass
class Data:
    """The generated data, shared into the store: what the runner's workers open by URI."""

    sorting: sc.BaseSorting
    pair: list[str]
    recording: sc.BaseRecording
    sorting_uri: str
    recording_uri: str


def make_sorting() -> tuple[sc.BaseSorting, list[str]]:
    """300 units over 600 s (about 1.2 M spikes); the two units to merge fire at 20 Hz."""
    rates = np.full(300, 6.5)
    rates[:2] = 20.0
    sorting = sc.generate_sorting(
        num_units=300, sampling_frequency=FS, durations=[600.0], firing_rates=rates, refractory_period_ms=2.0, seed=0
    )
    return sorting, [str(u) for u in sorting.unit_ids[:2]]


def make_recording(folder: Path) -> sc.BaseRecording:
    """A 384-channel int16 ``.raw`` file with a gain and a Neuropixels 1.0 probe (noise: the bytes matter)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "traces.raw"
    rng = np.random.default_rng(0)
    frames = int(RECORDING_SECONDS * FS)
    with open(path, "wb") as f:
        for start in range(0, frames, 30000):  # 1 s at a time: 23 MB in memory, not 230
            block = rng.integers(-200, 200, size=(min(30000, frames - start), NUM_CHANNELS), dtype=np.int16)
            f.write(block.tobytes())
    recording = sc.BinaryRecordingExtractor(
        file_paths=[path],
        sampling_frequency=FS,
        dtype="int16",
        num_channels=NUM_CHANNELS,
        gain_to_uV=GAIN_UV,
        offset_to_uV=0.0,
    )
    probe = build_neuropixels_probe("NP1000").get_slice(np.arange(NUM_CHANNELS))
    probe.set_device_channel_indices(np.arange(NUM_CHANNELS))
    recording.set_probe(probe)  # in place in SpikeInterface 0.105
    return recording


def preset_sorting(name: str) -> tuple[sc.BaseSorting, list[str]]:
    """A benchmark preset's sorting and its two units with the most spikes (the heaviest merged pair)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from presets import PRESETS, get_analyzer_folder, load_analyzer

    folder, _ = get_analyzer_folder(PRESETS[name])
    sorting = load_analyzer(folder).sorting
    counts = np.bincount(sorting.to_spike_vector()["unit_index"], minlength=sorting.get_num_units())
    busiest = np.argsort(counts)[::-1][:2]
    return sorting, [str(sorting.unit_ids[i]) for i in busiest]


def make_data(root: Path, preset: str | None = None) -> Data:
    import spikeinterface_sortingview as sv

    sorting, pair = make_sorting() if preset is None else preset_sorting(preset)
    recording = make_recording(root / "recording")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sorting_uri = sv.share_sorting(sorting)
        recording_uri = sv.share_recording(recording, in_place=True, progress_bar=False)
    return Data(sorting, pair, recording, sorting_uri, recording_uri)


# ---------------------------------------------------------------------- runners


class Runner:
    """A real ``sv-runner start`` process on a free loopback port, running its compute on the benchmark's Ray.

    A separate process, as users run it: a client in this process does not share a GIL with the server.
    """

    def __init__(self, root: Path, store_dir: Path, workers: dict[str, int], ray_address: str, name: str):
        config = root / f"{name}-handlers.yaml"
        handlers = {"job_handlers": {group: {"params": {"num_workers": n}} for group, n in workers.items()}}
        config.write_text(yaml.safe_dump(handlers))
        self.url = f"http://127.0.0.1:{find_free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.args = ["--port", port, "--store-dir", str(store_dir), "--address", ray_address, "--config", str(config)]
        self.args += ["--log-level", "warning"]
        self.env = {**os.environ, "SORTINGVIEW_HOME": str(root / f"{name}-home"), **RAY_ENV}
        self.log = root / f"{name}.log"
        self.process = None

    def __enter__(self) -> Runner:
        self.process = sv_runner_process(self.args, self.env, self.url, self.log)
        self.process.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.__exit__(*exc)


def make_executor(store_dir: Path, workers: dict[str, int]):
    from runner.executor import RayExecutor, RayOptions
    from runner.handler_config import parse_handler_config

    config = {"job_handlers": {group: {"params": {"num_workers": n}} for group, n in workers.items()}}
    return RayExecutor(
        parse_handler_config(config),
        # No background start of other groups: this executor is driven from short-lived event loops.
        RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": str(store_dir)}, prestart=False),
        journal_dir=str(store_dir / "curation_journals"),
    )


def query_body(task_name: str, task_input: dict) -> dict:
    query = {"taskName": task_name, "taskInput": task_input}
    return {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}


def post_query(http: httpx.Client, task_name: str, task_input: dict) -> bytes:
    response = http.post("/api", json=query_body(task_name, task_input))
    if response.status_code != 200:
        raise RuntimeError(f"{task_name}: {response.status_code} {response.text[:300]}")
    return response.content


# ---------------------------------------------------------------------- timing


@dataclass
class Row:
    """One line of the table; ``higher_is_better`` for rates."""

    name: str
    p50: float
    p99: float | None = None
    baseline: float | None = None
    baseline_name: str = ""
    target: float | None = None
    unit: str = "ms"
    higher_is_better: bool = False


def timings(function: Callable[[int], object], repeats: int) -> np.ndarray:
    """Wall times (ms) of ``function(i)`` for ``i`` in ``range(repeats)``."""
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        function(i)
        times[i] = (time.perf_counter() - start) * 1000
    return times


def p50_p99(times: np.ndarray) -> tuple[float, float]:
    p50, p99 = np.percentile(times, [50, 99])
    return float(p50), float(p99)


# ---------------------------------------------------------------------- benchmarks


def bench_cached(runner: Runner, data: Data, repeats: int) -> tuple[list[Row], list[Row]]:
    task_input = {"sorting_uri": data.sorting_uri, "unit_groups": [data.pair], "window_ms": 50, "bin_ms": 1}
    with httpx.Client(base_url=runner.url, timeout=REQUEST_TIMEOUT) as http:
        post_query(http, CORRELOGRAM, task_input)  # computed once: the rest are cache hits
        health = timings(lambda i: http.get("/health").raise_for_status(), repeats * 10)
        cached = timings(lambda i: post_query(http, CORRELOGRAM, task_input), repeats * 10)
    cached50, cached99 = p50_p99(cached)
    health50, health99 = p50_p99(health)
    return [
        Row("cached answer, POST /api (correlogram)", cached50, cached99, health50, "GET /health round trip", 2.0),
        Row("  GET /health (the baseline itself)", health50, health99),
    ], []


def bench_correlogram(runner: Runner, direct, data: Data, repeats: int) -> tuple[list[Row], list[Row]]:
    from runner.handlers import DataSource, run_handler

    def task_input(i: int, base: float = 50.0) -> dict:
        # A window a hair wider gives the same bins but a new job id: a fresh calculation every time.
        return {"sorting_uri": data.sorting_uri, "unit_groups": [data.pair], "window_ms": base + i * 1e-6, "bin_ms": 1}

    local = DataSource()  # opens the sorting by URI from the store, as a worker does
    run_handler(CORRELOGRAM, task_input(0, 49.0), local)
    handler = timings(lambda i: run_handler(CORRELOGRAM, task_input(i, 49.0), local), repeats)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(direct.run(CORRELOGRAM, task_input(0, 48.0), REQUEST_TIMEOUT))  # start the worker
    through_ray = timings(lambda i: loop.run_until_complete(direct.run(CORRELOGRAM, task_input(i, 48.0), 60)), repeats)
    loop.close()

    with httpx.Client(base_url=runner.url, timeout=REQUEST_TIMEOUT) as http:
        post_query(http, CORRELOGRAM, task_input(0, 47.0))
        ours = timings(lambda i: post_query(http, CORRELOGRAM, task_input(i + 1)), repeats)

    sorting, pair = data.sorting, data.pair

    def spikeinterface(i: int) -> None:
        merged = sc.apply_merges_to_sorting(sorting, [pair], new_unit_ids=[pair[0]])
        compute_correlograms(merged.select_units([pair[0]]), window_ms=50.0, bin_ms=1.0)

    spikeinterface(0)  # compile its numba kernel outside the timing
    base = timings(spikeinterface, max(3, repeats // 4))

    num_spikes = len(sorting.to_spike_vector())
    ours50, ours99 = p50_p99(ours)
    handler50, handler99 = p50_p99(handler)
    ray50, ray99 = p50_p99(through_ray)
    rows = [
        Row(
            f"merged-pair correlogram via runner ({num_spikes / 1e6:.2f} M spikes)",
            ours50,
            ours99,
            handler50,
            "same handler in-process",
            50.0,
        ),
        Row(
            "  SpikeInterface merge + compute_correlograms", float(np.median(base)), None, handler50, "ours in-process"
        ),
        Row("  handler through Ray (executor.run, no HTTP)", ray50, ray99, handler50, "same handler in-process"),
    ]
    overheads = [
        Row("Ray overhead, correlogram (through Ray - in-process)", ray50 - handler50),
        Row("runner share, correlogram (runner - through Ray)", ours50 - ray50),
    ]
    return rows, overheads


# The viewer's own way to read a reply (src/host/serviceQuery.ts): the whole body, the JSON line, the payload
# copied out of it, then the typed array the header's dtype names.
BROWSER_QUERIES = """async (bodies) => {
  const arrays = { int16: Int16Array, float32: Float32Array }
  const times = []
  for (const body of bodies) {
    const start = performance.now()
    const response = await fetch('/api', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    const bytes = new Uint8Array(await response.arrayBuffer())
    const nl = bytes.indexOf(10)
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, nl))).result
    const values = new arrays[header.dtype](bytes.slice(nl + 1).buffer)
    if (values.length !== header.numSamples * header.numChannels) throw new Error('short payload')
    times.push(performance.now() - start)
  }
  return times
}"""


# The browser's own speed at receiving bytes: a file of the same size fetched from the runner's /sha1/.
BROWSER_FILE = """async ([path, repeats]) => {
  const times = []
  for (let i = 0; i < repeats; i++) {
    const start = performance.now()
    const response = await fetch(path, { cache: 'no-store' })
    await response.arrayBuffer()
    times.push(performance.now() - start)
  }
  return times
}"""


def browser_timings(url: str, script: str, argument: object) -> np.ndarray:
    """Milliseconds of each fetch ``script`` makes in Chromium, from a page of the runner's origin."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            page = browser.new_page()
            page.goto(f"{url}/health")
            times = page.evaluate(script, argument)
            return np.asarray(times[1:])  # the first one warms the connection and the code
        finally:
            browser.close()


def curl_timings(url: str, bodies: list[str]) -> np.ndarray:
    """Milliseconds from curl's start of transfer to its last byte (``time_total``), one process per query."""
    times = []
    for body in bodies:
        out = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", "-H", "Content-Type: application/json"]
            + ["--data-binary", body, f"{url}/api"],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout) * 1000)
    return np.asarray(times)


def bench_traces(runner: Runner, direct, data: Data, repeats: int) -> tuple[list[Row], list[Row]]:
    import spikeinterface_sortingview as sv
    from runner.handlers import DataSource, run_handler

    recording = data.recording
    last_start = recording.get_num_samples(0) - int(FS)

    def task_input(i: int, offset: int = 0, **extra) -> dict:
        # A start one frame later each time: a fresh window (not a cache hit), same amount of data.
        start = (offset + i * 997) % last_start
        return {"recording_uri": data.recording_uri, "start_frame": start, "end_frame": start + int(FS), **extra}

    def bodies(offset: int, count: int, **extra) -> list[str]:
        return [json.dumps(query_body(TRACES, task_input(i, offset, **extra))) for i in range(count)]

    for start in range(0, recording.get_num_samples(0), int(FS)):  # the file in the page cache, for everyone
        recording.get_traces(0, start, start + int(FS))

    local = DataSource()
    run_handler(TRACES, task_input(0, 11), local)
    handler = timings(lambda i: run_handler(TRACES, task_input(i, 11), local), repeats)
    get_traces = timings(lambda i: recording.get_traces(0, *frames(task_input(i, 13)), return_in_uV=True), repeats)

    # Steady state: until a payload has been put in every part of Ray's object store once, each new 23 MB
    # payload also pays for first-touch page faults in its shared memory (~8 ms more for the first ~11).
    payload_bytes = int(FS) * NUM_CHANNELS * recording.get_dtype().itemsize
    warm = OBJECT_STORE_BYTES // payload_bytes + 3

    loop = asyncio.new_event_loop()
    for i in range(warm):
        loop.run_until_complete(direct.run(TRACES, task_input(i, 7), REQUEST_TIMEOUT))
    through_ray = timings(lambda i: loop.run_until_complete(direct.run(TRACES, task_input(i, 17), 60)), repeats)
    loop.close()

    with httpx.Client(base_url=runner.url, timeout=REQUEST_TIMEOUT) as http:
        for i in range(warm):
            answer = post_query(http, TRACES, task_input(i, 19))
        if len(answer) < payload_bytes:
            raise RuntimeError(f"a traces answer of {len(answer)} bytes, short of its {payload_bytes} byte payload")
        python_client = timings(lambda i: post_query(http, TRACES, task_input(i, 23)), repeats)
    curl = curl_timings(runner.url, bodies(31, repeats))
    curl_decimated = curl_timings(runner.url, bodies(41, repeats, max_points=2000))
    browser = browser_timings(runner.url, BROWSER_QUERIES, bodies(29, repeats + 1))
    decimated = browser_timings(runner.url, BROWSER_QUERIES, bodies(37, repeats + 1, max_points=2000))
    same_size_file = sv.default_store().store_bytes(np.random.default_rng(0).bytes(payload_bytes))
    file_path = "/sha1/" + same_size_file.removeprefix("sha1://")
    browser_file = browser_timings(runner.url, BROWSER_FILE, [file_path, repeats + 1])

    handler50, _ = p50_p99(handler)
    ray50, ray99 = p50_p99(through_ray)
    curl50, curl99 = p50_p99(curl)
    file50, file99 = p50_p99(browser_file)
    size = f"{payload_bytes / 1e6:.0f} MB {recording.get_dtype().name}"
    in_process = "handler in-process"
    rows = [
        Row(f"traces 1 s x 384 ch via runner, curl ({size})", curl50, curl99, handler50, in_process, 20),
        Row("  same, Python client (httpx)", *p50_p99(python_client), curl50, "curl"),
        Row("  same, browser fetch as the viewer does", *p50_p99(browser), file50, "browser, same-size file"),
        Row(f"  browser GET of a {payload_bytes / 1e6:.0f} MB file from /sha1/", file50, file99),
        Row("  recording.get_traces(return_in_uV=True)", *p50_p99(get_traces), handler50, in_process),
        Row("  handler through Ray (executor.run, no HTTP)", ray50, ray99, handler50, in_process),
        Row("traces, max_points=2000 (min/max, 3 MB), curl", *p50_p99(curl_decimated)),
        Row("  same, browser fetch as the viewer does", *p50_p99(decimated)),
    ]
    overheads = [
        Row(f"Ray overhead, traces {size} (through Ray - in-process)", ray50 - handler50),
        Row(f"runner share, traces {size} (curl - through Ray)", curl50 - ray50),
    ]
    return rows, overheads


def first_traces_window(root: Path, store_dir: Path, data: Data, prestart: bool, when: str, trial: int) -> tuple:
    """The first traces window of a fresh runner: ``(milliseconds, seconds from start until /health said Ray and a
    worker were ready)``, asked ``FIRST_REQUEST_DELAY`` s after the runner's start (``when="delay"``) or as soon
    as it is ready (``when="ready"``; the ready time is None otherwise)."""
    name = f"first-{'ahead' if prestart else 'on-demand'}-{when}-{trial}"
    url = f"http://127.0.0.1:{find_free_port()}"
    args = ["--port", url.rsplit(":", 1)[1], "--store-dir", str(store_dir), "--log-level", "warning"]
    env = {**os.environ, **RAY_ENV, "SORTINGVIEW_HOME": str(root / f"{name}-home")}
    env["SORTINGVIEW_PRESTART"] = "1" if prestart else "0"
    env.pop("RAY_ADDRESS", None)  # its own local Ray, as `sv-runner start` gives
    last_start = data.recording.get_num_samples(0) - int(FS)
    start = (trial * 3 + prestart + (when == "ready")) * int(FS) % last_start  # never a cached window
    task_input = {"recording_uri": data.recording_uri, "start_frame": start, "end_frame": start + int(FS)}
    started = time.monotonic()
    ready_after = None
    with sv_runner_process(args, env, url, root / f"{name}.log"), httpx.Client(base_url=url, timeout=120) as http:
        if when == "ready":
            while http.get("/health").json()["workers_ready"] < 1:
                time.sleep(0.05)
            ready_after = time.monotonic() - started
        time.sleep(max(0.0, started + FIRST_REQUEST_DELAY - time.monotonic()))
        request_started = time.perf_counter()
        post_query(http, TRACES, task_input)
        return (time.perf_counter() - request_started) * 1000, ready_after


def bench_first_request(root: Path, store_dir: Path, data: Data, trials: int) -> tuple[list[Row], list[Row]]:
    """Fresh runners one at a time (each stops its Ray before the next starts), ours and the baseline in turn."""
    kinds = {"on demand": (False, "delay"), "ahead": (True, "delay"), "ahead, once ready": (True, "ready")}
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    ready: list[float] = []
    for trial in range(trials):
        for kind, (prestart, when) in kinds.items():
            ms, ready_after = first_traces_window(root, store_dir, data, prestart, when, trial)
            times[kind].append(ms)
            if ready_after is not None:
                ready.append(ready_after * 1000)
            print(f"first traces window, {kind}: {ms:.0f} ms", flush=True)
    on_demand = float(np.median(times["on demand"]))
    rows = [
        Row(
            f"first traces window {FIRST_REQUEST_DELAY:g} s after start (median)",
            float(np.median(times["ahead"])),
            float(np.max(times["ahead"])),
            on_demand,
            "Ray + worker on demand",
            target=1000,
        ),
        Row(
            "first traces window once /health says ready (median)",
            float(np.median(times["ahead, once ready"])),
            float(np.max(times["ahead, once ready"])),
            on_demand,
            "Ray + worker on demand",
        ),
        Row("  start until Ray and a worker are ready (median)", float(np.median(ready)), float(np.max(ready))),
    ]
    return rows, []


def frames(task_input: dict) -> tuple[int, int]:
    return task_input["start_frame"], task_input["end_frame"]


def light_input(data: Data, window_ms: float) -> dict:
    """The merged pair, 50 ms window: ~0.6 ms of work, so the runner's own cost per request dominates."""
    return {"sorting_uri": data.sorting_uri, "unit_groups": [data.pair], "window_ms": window_ms, "bin_ms": 1}


def heavy_input(data: Data, window_ms: float) -> dict:
    """10 merged pairs and their 45 cross-correlograms over a 2 s window: tens of ms of work in the worker."""
    units = [str(u) for u in data.sorting.unit_ids[:20]]
    groups = [units[i : i + 2] for i in range(0, 20, 2)]
    return {"sorting_uri": data.sorting_uri, "unit_groups": groups, "window_ms": 1950.0 + window_ms, "bin_ms": 1}


async def throughput(url: str, make_input: Callable[[float], dict], offset: float) -> float:
    """Fresh correlograms per second from concurrent clients for a fixed time (a new window each: no cache hit)."""
    done = 0
    counter = iter(range(10**6))
    deadline = time.monotonic() + THROUGHPUT_SECONDS

    async def client() -> None:
        nonlocal done
        async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as http:
            while time.monotonic() < deadline:
                task_input = make_input(offset + next(counter) * 1e-6)
                response = await http.post("/api", json=query_body(CORRELOGRAM, task_input))
                response.raise_for_status()
                done += 1

    # Every worker started and warm first: actor start and data loading are not throughput.
    await throughput_warm(url, make_input, offset - 0.5)
    started = time.monotonic()
    await asyncio.wait_for(
        asyncio.gather(*(client() for _ in range(THROUGHPUT_CLIENTS))), THROUGHPUT_SECONDS + REQUEST_TIMEOUT
    )
    return done / (time.monotonic() - started)


async def throughput_warm(url: str, make_input: Callable[[float], dict], offset: float) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as http:
        inputs = [make_input(offset + i * 1e-6) for i in range(THROUGHPUT_CLIENTS)]
        for response in await asyncio.gather(*(http.post("/api", json=query_body(CORRELOGRAM, i)) for i in inputs)):
            response.raise_for_status()


def bench_throughput(one: Runner, two: Runner, data: Data) -> tuple[list[Row], list[Row]]:
    rows = throughput_rows(one, two, data, "light", light_input, 46.0)
    rows += throughput_rows(one, two, data, "heavy", heavy_input, 44.0)
    return rows, []


def throughput_rows(
    one: Runner, two: Runner, data: Data, kind: str, make: Callable[[Data, float], dict], offset: float
) -> list[Row]:
    """Requests/s of one kind of correlogram with 1 and 2 workers; the work per request measured in-process."""
    from runner.handlers import DictDataSource, run_handler

    local = DictDataSource({data.sorting_uri: data.sorting})
    run_handler(CORRELOGRAM, make(data, offset), local)
    work = float(np.median(timings(lambda i: run_handler(CORRELOGRAM, make(data, offset + i * 1e-6), local), 5)))
    rates = [asyncio.run(throughput(runner.url, lambda w: make(data, w), offset)) for runner in (one, two)]
    label = f"fresh correlograms/s, {kind} ({work:.1f} ms of work)"
    return [
        Row(f"{label}, 1 worker", rates[0], unit="req/s", higher_is_better=True),
        Row("  same, 2 workers", rates[1], None, rates[0], "1 worker", unit="req/s", higher_is_better=True),
    ]


# ---------------------------------------------------------------------- table


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'measure':<56} {'ours p50':>10} {'p99':>9} {'baseline':>10} {'ratio':>6}  {'baseline is':<26} "
        f"{'target':>8}  result"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        unit = " ms" if row.unit == "ms" else " /s"
        ours = f"{row.p50:7.2f}{unit}"
        p99 = f"{row.p99:6.2f}{unit}" if row.p99 is not None else ""
        base = f"{row.baseline:7.2f}{unit}" if row.baseline is not None else ""
        ratio = f"{row.p50 / row.baseline:5.2f}x" if row.baseline else ""
        target, result = "", ""
        if row.target is not None:
            target = f"{'>' if row.higher_is_better else '<'}{row.target:g}{unit.strip()}"
            met = row.p50 > row.target if row.higher_is_better else row.p50 < row.target
            result = "PASS" if met else "FAIL"
        print(
            f"{row.name:<56} {ours:>10} {p99:>9} {base:>10} {ratio:>6}  {row.baseline_name:<26} {target:>8}  {result}"
        )


def start_local_ray() -> None:
    """A local Ray in this process (2 CPUs, no dashboard), for the executor driven without HTTP."""
    import ray

    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=OBJECT_STORE_BYTES,
        log_to_driver=False,
    )


def run_section(name: str, bench: Callable[[], tuple[list[Row], list[Row]]], rows: list, tail: list) -> None:
    """Run one part of the benchmark; a failure becomes a line of the table, and the rest still runs."""
    try:
        section_rows, section_tail = bench()
    except Exception as error:  # the table is printed whatever happens (exit status 0)
        traceback.print_exc()
        rows.append(Row(f"{name}: ERROR {type(error).__name__}: {error}"[:56], float("nan")))
        return
    rows += section_rows
    tail += section_tail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--trials", type=int, default=3, help="fresh runners of each kind for the first request")
    parser.add_argument("--only", choices=["first-request", "correlogram"], help="run one section only")
    parser.add_argument("--preset", default=None, help="take the sorting from this benchmark preset (e.g. hour)")
    args = parser.parse_args()
    for name, value in RAY_ENV.items():
        os.environ.setdefault(name, value)
    import ray

    sc.set_global_job_kwargs(n_jobs=1, progress_bar=False)
    root = Path(tempfile.mkdtemp(prefix="sv-bench-runner-"))
    store_dir = root / "store"
    # Everything the runner and the sharing functions read from the environment points into root.
    os.environ["SORTINGVIEW_STORE_DIR"] = str(store_dir)
    os.environ["SORTINGVIEW_HOME"] = str(root / "home")
    rows: list[Row] = []
    tail: list[Row] = []  # overheads, derived from the sections' timings, printed last
    repeats = args.repeats
    try:
        started = time.perf_counter()
        data = make_data(root, args.preset)
        print(f"data ready in {time.perf_counter() - started:.1f} s", flush=True)
        # First, alone on the machine: each of these runners starts and stops a Ray of its own.
        if args.only in (None, "first-request"):
            run_section("first request", lambda: bench_first_request(root, store_dir, data, args.trials), rows, tail)
        if args.only == "correlogram":
            start_local_ray()
            direct = make_executor(store_dir, {"correlograms": 1, "timeseries": 1})
            ray_address = ray.get_runtime_context().gcs_address
            with Runner(root, store_dir, {"correlograms": 1, "timeseries": 1, "misc": 1}, ray_address, "one") as one:
                run_section("correlogram", lambda: bench_correlogram(one, direct, data, repeats), rows, tail)
        if args.only is None:
            start_local_ray()
            # The same handlers through Ray without HTTP: a runner's executor, driven from this thread.
            direct = make_executor(store_dir, {"correlograms": 1, "timeseries": 1})
            ray_address = ray.get_runtime_context().gcs_address
            with (
                Runner(root, store_dir, {"correlograms": 1, "timeseries": 1, "misc": 1}, ray_address, "one") as one,
                Runner(root, store_dir, {"correlograms": 2, "timeseries": 1, "misc": 1}, ray_address, "two") as two,
            ):
                run_section("cached", lambda: bench_cached(one, data, repeats), rows, tail)
                run_section("correlogram", lambda: bench_correlogram(one, direct, data, repeats), rows, tail)
                run_section("traces", lambda: bench_traces(one, direct, data, repeats), rows, tail)
                run_section("throughput", lambda: bench_throughput(one, two, data), rows, tail)
    except Exception:
        traceback.print_exc()
    finally:
        ray.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    print()
    print_table(rows + tail)


if __name__ == "__main__":
    main()
