"""Requests that crashed the runner (500s, empty replies) get a 4xx naming the problem, and the runner keeps serving."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from runner.compute import ComputeService
from runner.executor import RayExecutor
from runner.files import parse_range
from runner.handler_config import default_handler_config
from runner.task_results import TaskResultCache
from spikeinterface_sortingview.store import InvalidUriError
from spikeinterface_sortingview.store.uri import check_sha1

HASH = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"  # SHA-1 of b"hello"
JOB = "a" * 40


@pytest.fixture
def compute_url(serve_app, store, tmp_path: Path) -> str:
    """A runner with a compute service whose Ray is never started: every request here is refused before it runs."""
    viewer = tmp_path / "viewer"
    viewer.mkdir()
    for name in ("host.html", "index.html"):
        (viewer / name).write_text("<!doctype html>")
    store.store_bytes(b"hello")
    service = ComputeService(RayExecutor(default_handler_config()), TaskResultCache(store.directory))
    return serve_app(store_dir=store.directory, viewer_dir=viewer, compute=service, max_json_bytes=64 * 1024)


def query(task_input: str) -> str:
    inner = f'{{"taskName": "sortingview.sorting_info.1", "taskInput": {task_input}}}'
    return f'{{"type": "serviceQueryRequest", "serviceName": "sortingview", "query": {inner}}}'


def task(task_input: str) -> str:
    return f'{{"type": "requestTask", "taskType": "calculation", "taskName": "sortingview.sorting_info.1", "taskInput": {task_input}}}'  # noqa: E501


def nested(depth: int) -> str:
    return '{"sorting_uri": "sha1://x", "x": ' + "[" * depth + "]" * depth + "}"


BAD_JSON = {
    "NaN": ('{"sorting_uri": NaN}', "NaN is not a JSON number"),
    "Infinity": ('{"sorting_uri": Infinity}', "Infinity is not a JSON number"),
    "-Infinity": ('{"sorting_uri": -Infinity}', "-Infinity is not a JSON number"),
    "1e99999": ('{"sorting_uri": 1e99999}', "1e99999 is too large for a 64-bit float"),
    "surrogate value": ('{"sorting_uri": "sha1://\\ud800"}', "lone UTF-16 surrogate"),
    "surrogate key": ('{"\\udfff": 1}', "lone UTF-16 surrogate"),
    "nested 500": (nested(500), "more than 32 deep"),
    "nested 980": (nested(980), "more than 32 deep"),
    "nested 5000": (nested(5000), "more than 32 deep"),
}


@pytest.mark.parametrize("case", BAD_JSON)
@pytest.mark.parametrize("route", ["/api", "/api/tasks?wait=0"])
def test_json_that_is_not_strict_json_is_a_400_naming_it(compute_url, route, case):
    task_input, expected = BAD_JSON[case]
    body = query(task_input) if route == "/api" else task(task_input)
    response = httpx.post(
        compute_url + route, content=body.encode(), headers={"Content-Type": "application/json"}, timeout=10
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert expected in response.json()["errorMessage"]
    assert httpx.get(f"{compute_url}/health", timeout=5).status_code == 200


@pytest.mark.parametrize("route", ["/api", "/api/tasks"])
def test_json_bodies_are_limited_in_size(compute_url, route):
    body = task('{"sorting_uri": "' + "x" * 100_000 + '"}')
    response = httpx.post(compute_url + route, content=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 413
    assert "larger than this runner accepts (65536 bytes)" in response.json()["errorMessage"]

    def chunks():  # no Content-Length: the limit holds while reading
        yield b'{"type": "requestTask", "taskInput": {"x": "'
        for _ in range(20):
            yield b"x" * 10_000

    response = httpx.post(compute_url + route, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_body_that_is_not_json_is_a_415_or_a_400(compute_url):
    body = task('{"sorting_uri": "sha1://x"}')
    response = httpx.post(f"{compute_url}/api/tasks", content=body, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "needs Content-Type: application/json" in response.json()["errorMessage"]
    response = httpx.post(f"{compute_url}/api", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and "is not JSON" in response.json()["errorMessage"]
    response = httpx.post(f"{compute_url}/api", json={"type": "serviceQueryRequest"})
    assert response.status_code == 400 and "serviceName: Field required" in response.json()["errorMessage"]


def test_a_range_of_thousands_of_digits_is_answered(compute_url):
    huge = "9" * 4400
    response = httpx.get(f"{compute_url}/sha1/{HASH}", headers={"Range": f"bytes=0-{huge}"}, timeout=10)
    assert response.status_code == 206 and response.content == b"hello"
    response = httpx.get(f"{compute_url}/sha1/{HASH}", headers={"Range": f"bytes={huge}-"}, timeout=10)
    assert response.status_code == 416 and "starts at or past the end" in response.text
    assert len(response.text) < 300
    assert parse_range("bytes=-" + huge, 5) == (0, 5)
    assert parse_range("bytes=" + "0" * 5000 + "1-" + "0" * 5000 + "3", 5) == (1, 4)


def test_a_hash_followed_by_a_newline_is_not_a_hash(compute_url, send_raw):
    with pytest.raises(InvalidUriError):
        check_sha1(HASH + "\n")
    answer = send_raw(compute_url, f"GET /sha1/{HASH}%0a HTTP/1.1")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"is not a file name of this store" in answer


def test_a_viewer_path_with_a_nul_is_a_400(compute_url, send_raw):
    answer = send_raw(compute_url, "GET /viewer/%00 HTTP/1.1")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"control character" in answer
    assert httpx.get(f"{compute_url}/viewer/", timeout=5).status_code == 200


@pytest.mark.parametrize("name", ["..", ".", "a..b", ".hidden", "x.", "a b"])
@pytest.mark.parametrize("route", ["/task_results", "/api/tasks"])
def test_task_names_that_are_not_dotted_words_are_a_400(compute_url, send_raw, route, name):
    answer = send_raw(compute_url, f"GET {route}/{name.replace(' ', '%20')}/{JOB} HTTP/1.1")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    assert b"task_name" in answer


def test_a_job_id_followed_by_a_newline_is_a_400(compute_url, send_raw):
    answer = send_raw(compute_url, f"GET /task_results/sortingview.sorting_info.1/{JOB}%0a HTTP/1.1")
    assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
    response = httpx.get(f"{compute_url}/task_results/sortingview.sorting_info.1/{JOB}", timeout=5)
    assert response.status_code == 404


def test_the_schema_documents_what_the_runner_answers(compute_url):
    schema = httpx.get(f"{compute_url}/openapi.json", timeout=10).json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert not [op for op in operations if "422" in op["responses"]], "the runner answers 400, never 422"
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    paths = schema["paths"]
    assert list(paths["/f"]["get"]["responses"]["200"]["content"]) == ["text/html"]
    assert list(paths["/sha1/{sha1}"]["get"]["responses"]["400"]["content"]) == ["text/plain"]
    assert {"400", "404", "416"} <= set(paths["/sha1/{sha1}"]["get"]["responses"])
    assert {"413", "415"} <= set(paths["/sha1"]["post"]["responses"])
    tasks = paths["/api/tasks"]["post"]["responses"]
    assert {"400", "413", "415", "502", "504"} <= set(tasks)
    assert list(tasks["400"]["content"]) == ["application/json"]
    parameters = {p["name"]: p["schema"] for p in paths["/task_results/{task_name}/{job_id}"]["get"]["parameters"]}
    assert parameters["job_id"]["pattern"] == "^[0-9a-f]{40}$"
    assert "pattern" in parameters["task_name"]
    sha1 = paths["/sha1/{sha1}"]["get"]["parameters"][0]["schema"]
    assert sha1["pattern"] == "^[0-9a-fA-F]{40}$"
    # and the answers are what it says: a 400 of a file route is text, of the compute API JSON
    assert httpx.get(f"{compute_url}/sha1/nothex", timeout=5).headers["content-type"].startswith("text/plain")
    answer = httpx.get(f"{compute_url}/task_results/x/nothex", timeout=5)
    assert answer.status_code == 400 and "errorMessage" in answer.json()
