"""The compute API over real HTTP, with handlers running on a real Ray."""

from __future__ import annotations

import hashlib
import json
import time

import httpx
import numpy as np
import pytest
import ray

from runner.compute import ComputeService, TaskRequest
from runner.executor import RayExecutor, RayOptions
from runner.handler_config import parse_handler_config
from runner.handlers.timeseries import traces_in_units
from runner.task_results import TaskResultCache, calculation_job_id
from spikeinterface_sortingview.store import LocalStore, parse_uri
from spikeinterface_sortingview.views import from_json_value
from tests.servers import run_coroutine

pytestmark = pytest.mark.ray


def service_query(url: str, task_name: str, task_input: dict, timeout: float | None = None) -> httpx.Response:
    query = {"taskName": task_name, "taskInput": task_input}
    if timeout is not None:
        query["timeout"] = timeout
    body = {"type": "serviceQueryRequest", "serviceName": "sortingview", "query": query}
    return httpx.post(f"{url}/api", json=body, timeout=120)


def split_reply(content: bytes) -> tuple[dict, bytes | None]:
    """A service-query reply: JSON, then optionally a newline and the binary payload."""
    newline = content.find(b"\n")
    if newline < 0:
        return json.loads(content), None
    return json.loads(content[:newline]), content[newline + 1 :]


def request_task(url: str, task_type: str, name: str, task_input: dict, **params) -> httpx.Response:
    body = {"type": "requestTask", "taskType": task_type, "taskName": name, "taskInput": task_input}
    body.update(params.pop("body", {}))
    return httpx.post(f"{url}/api/tasks", json=body, params=params, timeout=120)


def test_service_query_answers_json(compute_runner):
    response = service_query(
        compute_runner.url, "sortingview.sorting_info.1", {"sorting_uri": compute_runner.sorting_uri}
    )
    assert response.status_code == 200
    reply, payload = split_reply(response.content)
    assert payload is None and reply["type"] == "serviceQueryResponse"
    sorting = compute_runner.sorting
    assert reply["result"]["spikeCounts"] == [len(sorting.get_unit_spike_train(u)) for u in sorting.unit_ids]


def test_traces_window_comes_as_a_binary_payload_equal_to_the_recording(compute_runner):
    recording = compute_runner.recording
    task_input = {"recording_uri": compute_runner.recording_uri, "start_frame": 3000, "end_frame": 33000}
    response = service_query(compute_runner.url, "sortingview.traces_window.1", task_input)
    assert response.status_code == 200
    reply, payload = split_reply(response.content)
    header = reply["result"]
    assert header["dtype"] == recording.get_dtype().name and len(payload) == 30000 * recording.get_num_channels() * 4
    traces = traces_in_units(header, payload)
    expected = recording.get_traces(start_frame=3000, end_frame=33000, return_in_uV=True)
    np.testing.assert_allclose(traces, expected, rtol=1e-6, atol=1e-6)


def test_merged_units_correlogram_is_the_correlogram_of_their_union(compute_runner):
    sorting = compute_runner.sorting
    u0, u1 = (str(u) for u in sorting.unit_ids[:2])
    task_input = {"sorting_uri": compute_runner.sorting_uri, "unit_groups": [[u0, u1]], "window_ms": 20, "bin_ms": 1}
    response = service_query(compute_runner.url, "sortingview.correlograms.1", task_input)
    result = from_json_value(split_reply(response.content)[0]["result"])
    merged = np.sort(np.concatenate([sorting.get_unit_spike_train(u0), sorting.get_unit_spike_train(u1)]))
    # brute force over every pair of distinct spikes, in samples; bins are [a, b)
    lags = (merged[None, :] - merged[:, None])[~np.eye(len(merged), dtype=bool)]
    edges = np.round(result["binEdgesSec"].astype("float64") * sorting.sampling_frequency).astype(int)
    bins = np.searchsorted(edges, lags, side="right") - 1
    expected = np.bincount(bins[(bins >= 0) & (bins < len(edges) - 1)], minlength=len(edges) - 1)
    np.testing.assert_array_equal(result["autocorrelograms"][0]["binCounts"], expected)


def test_calculation_is_cached_by_job_id_and_served_from_task_results(compute_runner):
    name = "sortingview.correlograms.1"
    task_input = {"sorting_uri": compute_runner.sorting_uri, "unit_groups": ["0", "3"], "window_ms": 30}
    job_id = hashlib.sha1(
        json.dumps({"taskInput": task_input, "taskName": name}, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    first = request_task(compute_runner.url, "calculation", name, task_input, body={"taskJobId": job_id})
    assert first.status_code == 200, first.text
    status = first.json()
    assert (status["type"], status["status"], status["taskJobId"]) == ("setTaskStatus", "finished", job_id)
    # /task_results/ answers once the result is on disk (it is written after the answer, not before)
    cached = httpx.get(f"{compute_runner.url}/task_results/{name}/{job_id}", timeout=10)
    assert cached.status_code == 200 and cached.json() == status["result"]
    assert "immutable" in cached.headers["cache-control"]
    stored = compute_runner.store_dir / "task_results" / name / job_id[:2] / job_id[2:4] / job_id[4:6] / job_id
    assert json.loads(stored.read_bytes()) == status["result"]
    started = time.perf_counter()
    again = request_task(compute_runner.url, "calculation", name, task_input)
    assert time.perf_counter() - started < 1.0 and again.json()["result"] == status["result"]
    assert httpx.get(f"{compute_runner.url}/api/tasks/{name}/{job_id}", timeout=10).json()["status"] == "finished"


def test_answers_do_not_wait_for_the_cache_write(compute_runner, monkeypatch):
    name = "sortingview.correlograms.1"
    task_input = {"sorting_uri": compute_runner.sorting_uri, "unit_groups": ["1", "2"], "window_ms": 31}
    job_id = calculation_job_id(name, task_input)
    cache = compute_runner.service.cache
    real_put = cache.put

    def slow_put(*args):
        time.sleep(2.0)  # a slow disk
        real_put(*args)

    monkeypatch.setattr(cache, "put", slow_put)
    started = time.perf_counter()
    answer = request_task(compute_runner.url, "calculation", name, task_input)
    assert answer.status_code == 200 and time.perf_counter() - started < 1.5
    assert cache.get(name, job_id) is None  # still being written
    # a repeat is answered from the job table meanwhile, and /task_results/ waits for the write
    assert request_task(compute_runner.url, "calculation", name, task_input).json()["result"] == answer.json()["result"]
    cached = httpx.get(f"{compute_runner.url}/task_results/{name}/{job_id}", timeout=10)
    assert cached.status_code == 200 and cached.json() == answer.json()["result"]


@pytest.mark.parametrize(
    ("task_type", "name", "task_input", "body", "status_code", "message"),
    [
        ("calculation", "sortingview.no_such_task.1", {}, {}, 400, "unknown task"),
        ("calculation", "sortingview.sorting_info.1", {"sortin_uri": "x"}, {}, 400, "unknown input key"),
        ("calculation", "sortingview.sorting_info.1", {"sorting_uri": "x"}, {"taskJobId": "0" * 40}, 400, "not SHA-1"),
        ("action", "sortingview.sorting_info.1", {"sorting_uri": "x"}, {}, 400, "is an calculation"),
        ("calculation", "sortingview.sorting_info.1", {"sorting_uri": "sha1://" + "1" * 40}, {}, 400, "cannot load"),
    ],
)
def test_bad_requests_get_a_4xx_naming_the_problem(
    compute_runner, task_type, name, task_input, body, status_code, message
):
    response = request_task(compute_runner.url, task_type, name, task_input, body=body)
    assert response.status_code == status_code
    assert message in response.json()["errorMessage"]


def test_out_of_range_window_and_unknown_unit_are_4xx(compute_runner):
    window = {"recording_uri": compute_runner.recording_uri, "start_frame": 0, "end_frame": 10**9}
    response = service_query(compute_runner.url, "sortingview.traces_window.1", window)
    assert response.status_code == 400 and "not inside segment 0" in response.json()["errorMessage"]
    units = {"sorting_uri": compute_runner.sorting_uri, "unit_groups": ["no-such-unit"]}
    response = service_query(compute_runner.url, "sortingview.correlograms.1", units)
    assert response.status_code == 400 and "no-such-unit" in response.json()["errorMessage"]


def test_a_handler_that_raises_gives_an_error_status_with_its_message(compute_runner, tmp_path):
    # a recording whose chunk is gone from the store: reading it raises inside the handler
    import spikeinterface.full as si

    import spikeinterface_sortingview as sv

    recording = si.generate_recording(num_channels=4, durations=[3.0], seed=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SORTINGVIEW_STORE_DIR", str(compute_runner.store_dir))
        uri = sv.share_recording(recording, in_place=False)
    store = LocalStore(compute_runner.store_dir)
    manifest = store.load_json(uri)
    chunk_uri = json.dumps(manifest).split('"sha1://')[1].split('"')[0]
    store.path("sha1://" + chunk_uri).unlink()
    response = service_query(
        compute_runner.url, "sortingview.traces_window.1", {"recording_uri": uri, "start_sec": 0, "end_sec": 3}
    )
    assert response.status_code == 500
    assert parse_uri("sha1://" + chunk_uri)[0] in response.json()["errorMessage"]
    # and the runner keeps serving
    ok = service_query(compute_runner.url, "sortingview.sorting_info.1", {"sorting_uri": compute_runner.sorting_uri})
    assert ok.status_code == 200


def test_a_request_that_runs_too_long_times_out_and_the_runner_keeps_serving(compute_runner):
    slow = {
        "recording_uri": compute_runner.recording_uri,
        "start_sec": 0,
        "end_sec": 20,
        "bandpass": {"freq_min": 300, "freq_max": 6000},
    }
    response = service_query(compute_runner.url, "sortingview.traces_window.1", slow, timeout=0.05)
    assert response.status_code == 504 and "did not finish within" in response.json()["errorMessage"]
    ok = service_query(compute_runner.url, "sortingview.sorting_info.1", {"sorting_uri": compute_runner.sorting_uri})
    assert ok.status_code == 200


def test_cancel_a_running_job(compute_runner):
    slow = {
        "recording_uri": compute_runner.recording_uri,
        "start_sec": 0,
        "end_sec": 19,
        "bandpass": {"freq_min": 300, "freq_max": 5000},
    }
    started = request_task(compute_runner.url, "calculation", "sortingview.traces_window.1", slow, wait=0)
    assert started.status_code == 202 and started.json()["status"] in ("waiting", "started")
    job_id = started.json()["taskJobId"]
    path = f"{compute_runner.url}/api/tasks/sortingview.traces_window.1/{job_id}"
    assert httpx.delete(path, timeout=10).status_code == 200
    deadline = time.monotonic() + 10
    while (status := httpx.get(path, timeout=10)).json()["status"] != "error" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status.status_code == 409 and "cancelled" in status.json()["errorMessage"]


def test_a_worker_that_dies_gives_an_error_and_the_runner_keeps_serving(compute_runner):
    slow = {
        "recording_uri": compute_runner.recording_uri,
        "start_sec": 0,
        "end_sec": 18,
        "bandpass": {"freq_min": 300, "freq_max": 4000},
    }
    # a started worker, so that the slow task runs at once (a worker killed before it starts a task is replaced
    # and the task runs on a new one)
    window = {"recording_uri": compute_runner.recording_uri, "start_frame": 0, "end_frame": 3000}
    assert service_query(compute_runner.url, "sortingview.traces_window.1", window).status_code == 200
    started = request_task(compute_runner.url, "calculation", "sortingview.traces_window.1", slow, wait=0)
    job_id = started.json()["taskJobId"]
    pool = compute_runner.service.executor.pools["timeseries"]
    deadline = time.monotonic() + 10
    while not pool.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # the filter of 18 s runs for longer than this
    busy = list(pool.busy)
    assert busy, "the slow task should be running on a worker"
    for worker in busy:
        ray.kill(worker)
    path = f"{compute_runner.url}/api/tasks/sortingview.traces_window.1/{job_id}"
    deadline = time.monotonic() + 20
    while (status := httpx.get(path, timeout=10)).json()["status"] != "error" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status.status_code == 502 and "died" in status.json()["errorMessage"]
    assert service_query(compute_runner.url, "sortingview.traces_window.1", window).status_code == 200


def test_duplicate_requests_in_flight_are_joined(compute_runner):
    async def scenario() -> tuple:
        executor = RayExecutor(
            parse_handler_config(None), RayOptions(worker_env={"SORTINGVIEW_STORE_DIR": str(compute_runner.store_dir)})
        )
        service = ComputeService(executor, TaskResultCache(compute_runner.store_dir / "joined"))
        request = TaskRequest(
            taskType="calculation",
            taskName="sortingview.correlograms.1",
            taskInput=first_input(compute_runner),
        )
        first = await service.request(request, wait=0)
        second = await service.request(request, wait=30)
        return first, second, len(service.jobs)

    first, second, num_jobs = run_coroutine(scenario())
    assert first is second and num_jobs == 1 and second.status == "finished"
    assert first.job_id == calculation_job_id(first.name, dict(first_input(compute_runner)))


def first_input(compute_runner) -> dict:
    return {"sorting_uri": compute_runner.sorting_uri, "unit_groups": [["1", "2"], "4"], "window_ms": 44}


def test_curation_actions_are_journaled_and_survive_in_the_store(compute_runner):
    journal = "sorting-" + parse_uri(compute_runner.sorting_uri)[0]
    for action in (
        {"type": "ADD_UNIT_LABEL", "unitId": "1", "label": "accept"},
        {"type": "MERGE_UNITS", "unitIds": ["2", "3"]},
    ):
        response = request_task(
            compute_runner.url, "action", "sortingview.curation_action.1", {"journal": journal, "action": action}
        )
        assert response.status_code == 200, response.text
    state = service_query(compute_runner.url, "sortingview.curation_state.1", {"journal": journal})
    curation = split_reply(state.content)[0]["result"]["curation"]
    assert curation["labelsByUnit"] == {"1": ["accept"]} and curation["mergeGroups"] == [["2", "3"]]
    assert (compute_runner.store_dir / "curation_journals" / f"{journal}.jsonl").exists()


def test_openapi_documents_the_compute_api(compute_runner):
    schema = httpx.get(f"{compute_runner.url}/openapi.json", timeout=10).json()
    assert {"/api", "/api/tasks", "/api/tasks/{task_name}/{job_id}", "/task_results/{task_name}/{job_id}"} <= set(
        schema["paths"]
    )
    assert "TaskRequest" in schema["components"]["schemas"]


def test_the_test_ray_stays_on_loopback(ray_instance):
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
