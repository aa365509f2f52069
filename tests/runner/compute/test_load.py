"""A bounded load test: many concurrent clients against a real runner with compute, and not one bad answer.

32 asyncio clients (each its own HTTP connection) send service queries to a runner on 127.0.0.1 for
10 s, mixing three kinds of request:

* ``cached``: correlograms asked for before the run, answered from ``task_results/``;
* ``fresh``: correlograms of random unit groups with an input never seen before, run on Ray;
* ``traces``: traces windows (some repeated, so some cached) with their float32 binary payload.

Every answer must be a 200 with a well-formed reply (and a payload of the announced length). After the
run, a sample of the fresh correlograms and of the traces is checked against the same handler run in
this process and against the recording, so that answers mixed up between concurrent requests would
show. The loop stops by itself: a deadline, a cap on requests per client, a timeout per request.

Also here: what a runner keeps of large answers (traces payloads) when many are asked for.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import httpx
import numpy as np
import pytest

from runner.compute import MAX_CACHED_PAYLOAD_BYTES
from runner.handlers import DictDataSource, run_handler
from runner.handlers.timeseries import traces_in_units
from runner.task_results import TaskResultCache, calculation_job_id
from spikeinterface_sortingview.views import from_json_value
from tests.servers import run_coroutine

NUM_CLIENTS = 32
DURATION = 10.0
MAX_REQUESTS_PER_CLIENT = 500
REQUEST_TIMEOUT = 30.0
# Share of each kind of request; the rest are cached answers.
FRESH_SHARE = 0.25
TRACES_SHARE = 0.25
TRACES_FRAMES = 3000  # 0.1 s at 30 kHz
TRACES_STARTS = 200  # distinct windows: later picks of one are cached answers
CHECKED_SAMPLES = 40


def query_body(task_name: str, task_input: dict) -> dict:
    query = {"taskName": task_name, "taskInput": task_input, "timeout": REQUEST_TIMEOUT}
    return {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}


def split_reply(content: bytes) -> tuple[dict, bytes | None]:
    """JSON, then optionally a newline and the binary payload."""
    newline = content.find(b"\n")
    if newline < 0:
        return json.loads(content), None
    return json.loads(content[:newline]), content[newline + 1 :]


@dataclass
class LoadRun:
    """What the clients saw: latencies per kind, errors, and answers kept for checking afterwards."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    fresh: list[tuple[dict, dict]] = field(default_factory=list)
    traces: list[tuple[dict, dict, bytes]] = field(default_factory=list)


class Workload:
    """The requests of the run, drawn from a seeded generator (the mix repeats; the interleaving may not)."""

    def __init__(self, runner, seed: int):
        self.runner = runner
        self.random = random.Random(seed)
        self.unit_ids = [str(u) for u in runner.sorting.unit_ids]
        self.channel_ids = [str(c) for c in runner.recording.channel_ids]
        self.num_frames = runner.recording.get_num_samples(0)
        self.counter = 0
        self.cached_inputs = [
            self.correlograms([[a, b]], 50.0) for a, b in zip(self.unit_ids[:-1], self.unit_ids[1:], strict=True)
        ]

    def correlograms(self, groups: list, window_ms: float) -> dict:
        return {"sorting_uri": self.runner.sorting_uri, "unit_groups": groups, "window_ms": window_ms, "bin_ms": 1.0}

    def fresh_input(self) -> dict:
        """Random merge groups of random units; a window never asked for before makes it a new calculation."""
        units = self.random.sample(self.unit_ids, self.random.randint(1, 4))
        cut = self.random.randint(1, len(units))
        groups = [units[:cut], units[cut:]] if cut < len(units) else [units]
        self.counter += 1
        return self.correlograms(groups, 20.0 + self.counter * 0.001)

    def traces_input(self) -> dict:
        start = self.random.randrange(TRACES_STARTS) * ((self.num_frames - TRACES_FRAMES) // TRACES_STARTS)
        channels = sorted(self.random.sample(self.channel_ids, self.random.choice([4, len(self.channel_ids)])))
        return {
            "recording_uri": self.runner.recording_uri,
            "start_frame": start,
            "end_frame": start + TRACES_FRAMES,
            "channel_ids": channels,
        }

    def next_request(self) -> tuple[str, str, dict]:
        draw = self.random.random()
        if draw < FRESH_SHARE:
            return "fresh", "sortingview.correlograms.1", self.fresh_input()
        if draw < FRESH_SHARE + TRACES_SHARE:
            return "traces", "sortingview.traces_window.1", self.traces_input()
        return "cached", "sortingview.correlograms.1", self.random.choice(self.cached_inputs)


def check_reply(kind: str, task_input: dict, response: httpx.Response) -> tuple[dict, bytes | None]:
    """The reply's JSON and payload; raises AssertionError naming what is wrong."""
    assert response.status_code == 200, f"{response.status_code}: {response.text[:300]}"
    reply, payload = split_reply(response.content)
    assert reply["type"] == "serviceQueryResponse", reply
    result = reply["result"]
    if kind == "traces":
        assert payload is not None, "a traces window without its payload"
        assert result["numChannels"] == len(task_input["channel_ids"])
        assert result["numSamples"] == TRACES_FRAMES and result["startFrame"] == task_input["start_frame"]
        expected = result["numSamples"] * result["numChannels"] * np.dtype(result["dtype"]).itemsize
        assert len(payload) == expected, f"payload of {len(payload)} bytes, announced {expected}"
    else:
        assert payload is None, "a correlogram with a payload"
        groups = task_input["unit_groups"]
        assert [a["unitIds"] for a in result["autocorrelograms"]] == groups
        assert len(result["crossCorrelograms"]) == len(groups) * (len(groups) - 1) // 2
    return result, payload


async def client(url: str, workload: Workload, run: LoadRun, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as http:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            kind, name, task_input = workload.next_request()
            started = time.perf_counter()
            try:
                response = await http.post("/api", json=query_body(name, task_input))
                elapsed = time.perf_counter() - started
                result, payload = check_reply(kind, task_input, response)
            except (httpx.HTTPError, AssertionError, ValueError, KeyError) as error:
                run.errors.append(f"{kind} {task_input}: {type(error).__name__}: {error}")
                continue
            run.latencies[kind].append(elapsed)
            if kind == "fresh" and len(run.fresh) < CHECKED_SAMPLES:
                run.fresh.append((task_input, result))
            elif kind == "traces" and len(run.traces) < CHECKED_SAMPLES:
                run.traces.append((task_input, result, payload))


async def run_load(url: str, workload: Workload) -> tuple[LoadRun, float]:
    run = LoadRun()
    started = time.monotonic()
    clients = [client(url, workload, run, started + DURATION) for _ in range(NUM_CLIENTS)]
    # Bounded even if something hangs: each request has its timeout, the whole run a wall.
    await asyncio.wait_for(asyncio.gather(*clients), DURATION + 2 * REQUEST_TIMEOUT)
    return run, time.monotonic() - started


async def warm_up(url: str, workload: Workload) -> None:
    """Start every worker (actor start, imports, data loading) and fill the cache with the cached inputs."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        warm = [("sortingview.correlograms.1", workload.fresh_input()) for _ in range(4)]
        warm += [("sortingview.traces_window.1", workload.traces_input()) for _ in range(4)]
        for response in await asyncio.gather(*(http.post("/api", json=query_body(*item)) for item in warm)):
            assert response.status_code == 200, response.text
        for task_input in workload.cached_inputs:
            response = await http.post("/api", json=query_body("sortingview.correlograms.1", task_input))
            assert response.status_code == 200, response.text


def percentile_table(run: LoadRun, seconds: float) -> str:
    lines = [f"{'kind':<8} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    for kind in ("cached", "fresh", "traces"):
        times = np.array(run.latencies.get(kind, [])) * 1000
        if len(times):
            p50, p99 = np.percentile(times, [50, 99])
            lines.append(f"{kind:<8} {len(times):>6} {p50:>8.1f} {p99:>8.1f} {times.max():>8.1f}")
    total = sum(len(times) for times in run.latencies.values())
    lines.append(
        f"{total} answers, {len(run.errors)} errors in {seconds:.1f} s: {total / seconds:.0f} requests/s "
        f"({NUM_CLIENTS} clients)"
    )
    return "\n".join(lines)


@pytest.mark.slow
@pytest.mark.ray
def test_concurrent_clients_get_only_good_answers(compute_runner, capsys):
    workload = Workload(compute_runner, seed=20261121)
    run_coroutine(warm_up(compute_runner.url, workload))
    run, seconds = run_coroutine(run_load(compute_runner.url, workload))
    with capsys.disabled():
        print(f"\nload test, {compute_runner.url}\n{percentile_table(run, seconds)}")

    assert not run.errors, f"{len(run.errors)} bad answers, the first: {run.errors[:3]}"
    assert all(run.latencies[kind] for kind in ("cached", "fresh", "traces")), "a kind of request never ran"
    # Each client makes at least one request, and the run stopped by its deadline, not by the wall.
    assert sum(map(len, run.latencies.values())) >= NUM_CLIENTS
    assert seconds < DURATION + REQUEST_TIMEOUT

    # Answers belong to their own requests: recompute a sample here and compare.
    data = DictDataSource({compute_runner.sorting_uri: compute_runner.sorting})
    for task_input, result in run.fresh:
        expected = run_handler("sortingview.correlograms.1", task_input, data).data
        got = from_json_value(result)
        pairs = [*zip(got["autocorrelograms"], expected["autocorrelograms"], strict=True)]
        pairs += [*zip(got["crossCorrelograms"], expected["crossCorrelograms"], strict=True)]
        for mine, theirs in pairs:
            np.testing.assert_array_equal(mine["binCounts"], theirs["binCounts"])
        np.testing.assert_array_equal(got["binEdgesSec"], expected["binEdgesSec"])
    recording = compute_runner.recording
    ids = {str(c): c for c in recording.channel_ids}
    for task_input, result, payload in run.traces:
        traces = traces_in_units(result, payload)
        expected = recording.get_traces(
            start_frame=task_input["start_frame"],
            end_frame=task_input["end_frame"],
            channel_ids=[ids[c] for c in task_input["channel_ids"]],  # in the order asked for
            return_in_uV=True,
        )
        np.testing.assert_allclose(traces, expected, rtol=1e-6, atol=1e-6)

    # The job table keeps statuses, not payloads (they are views into Ray's object store), and the runner
    # still answers at once.
    assert not [job for job in list(compute_runner.service.jobs.values()) if job.payload is not None]
    assert httpx.get(f"{compute_runner.url}/health", timeout=5).status_code == 200


@pytest.mark.ray
def test_large_payloads_are_answered_but_neither_cached_nor_kept(compute_runner):
    traces = "sortingview.traces_window.1"
    fs = compute_runner.recording.sampling_frequency
    num_channels = compute_runner.recording.get_num_channels()
    # 6 s of 16 float32 channels: 11.5 MB, above what the runner writes to task_results/
    large = {"recording_uri": compute_runner.recording_uri, "start_frame": 0, "end_frame": int(6 * fs)}
    small = {"recording_uri": compute_runner.recording_uri, "start_frame": 0, "end_frame": int(0.1 * fs)}
    assert int(6 * fs) * num_channels * 4 > MAX_CACHED_PAYLOAD_BYTES >= int(0.1 * fs) * num_channels * 4
    for task_input in (large, large, small):  # the second large one is computed again
        response = httpx.post(f"{compute_runner.url}/api", json=query_body(traces, task_input), timeout=120)
        assert response.status_code == 200, response.text
        reply, payload = split_reply(response.content)
        assert len(payload) == (task_input["end_frame"] - task_input["start_frame"]) * num_channels * 4

    cache = TaskResultCache(compute_runner.store_dir)
    large_id, small_id = calculation_job_id(traces, large), calculation_job_id(traces, small)
    # /task_results/ answers once the small one is written; the large one never is
    assert httpx.get(f"{compute_runner.url}/task_results/{traces}/{small_id}", timeout=10).status_code == 200
    assert httpx.get(f"{compute_runner.url}/task_results/{traces}/{large_id}", timeout=10).status_code == 404
    assert cache.get(traces, large_id) is None
    assert cache.get(traces, small_id)[1] == payload
    job = compute_runner.service.jobs[(traces, large_id)]
    assert job.payload is None and job.has_payload
    status = httpx.get(f"{compute_runner.url}/api/tasks/{traces}/{large_id}", timeout=10).json()
    assert status["status"] == "finished" and status["hasPayload"] is True
    assert status["result"]["numSamples"] == int(6 * fs)
