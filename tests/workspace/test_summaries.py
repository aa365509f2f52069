"""Sorting summaries computed by a real ``sv-runner`` on its own Ray: progress, the figure's data, the cache, bad input."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.demo import SUMMARY_EXTENSIONS
from spikeinterface_sortingview.store import LocalStore
from spikeinterface_sortingview.workspace.summary import SUMMARY_TASK, summary_task_input
from tests.servers import sv_runner_process, wait_for_ray

REPO = Path(__file__).resolve().parents[2]
# Cheap metrics only: SpikeInterface compiles each metric's numba code in a fresh worker (seconds apiece).
PARAMS = {"max_spikes_per_unit": 100, "metric_names": ["num_spikes", "firing_rate", "snr", "isi_violation"]}


@dataclass
class SummaryRunner:
    url: str
    env: dict


@pytest.fixture(scope="module")
def summary_runner(tmp_path_factory, ray_address) -> SummaryRunner:
    """A real ``sv-runner start`` with compute on the session's Ray, a private store and a free loopback port."""
    root = tmp_path_factory.mktemp("summaries")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        "SORTINGVIEW_HOME": str(root / "home"),
        "SORTINGVIEW_STORE_DIR": str(root / "store"),
        "SORTINGVIEW_ADDRESS": f"http://127.0.0.1:{port}",
        "SORTINGVIEW_CONFIG": str(root / "no-config.yaml"),
    }
    child = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    args = ["--log-level", "warning", "--ray-address", ray_address]
    with sv_runner_process(args, child, env["SORTINGVIEW_ADDRESS"], root / "runner.log") as url:
        wait_for_ray(url)
        yield SummaryRunner(url, env)


@pytest.fixture
def on_runner(summary_runner, monkeypatch) -> SummaryRunner:
    """This test's process configured as the runner's machine: its store, its address."""
    for name, value in summary_runner.env.items():
        monkeypatch.setenv(name, value)
    return summary_runner


def small_workspace(tmp_path, seed: int = 3):
    """A workspace of a short generated binary recording and its ground-truth sorting, both registered in place."""
    recording, sorting = sc.generate_ground_truth_recording(
        durations=[6.0], sampling_frequency=30_000.0, num_channels=8, num_units=4, seed=seed
    )
    binary = recording.save(folder=tmp_path / f"binary-{seed}", format="binary", verbose=False, progress_bar=False)
    in_place = sorting.save(folder=tmp_path / f"sorting-{seed}")  # a numpy folder: shared in place
    W = sv.create_workspace(label="summaries")
    rid = W.add_recording(label="rec", recording=binary)
    sid = W.add_sorting(recording_id=rid, label="gt", sorting=in_place)
    assert W.get_sorting_record(sid)["storage"] == "in place"
    return W, rid, sid, sorting, tmp_path / f"binary-{seed}"


def task_status(url: str, task_input: dict, wait: float = 0) -> httpx.Response:
    body = {"type": "requestTask", "taskType": "calculation", "taskName": SUMMARY_TASK, "taskInput": task_input}
    return httpx.post(f"{url}/api/tasks", params={"wait": wait}, json=body, timeout=wait + 30)


def document(uri: str) -> dict:
    return json.loads(LocalStore(os.environ["SORTINGVIEW_STORE_DIR"]).load_bytes(uri))


@pytest.mark.slow
def test_summary_is_computed_on_the_runner_with_progress_then_served_from_the_cache(on_runner, tmp_path):
    W, rid, sid, sorting, _ = small_workspace(tmp_path)
    started = time.monotonic()
    url = W.spikesortingview(recording_id=rid, sorting_id=sid, label="gt summary", params=PARAMS)
    assert time.monotonic() - started < 10  # the runner computes; the call only asks it to
    assert url.startswith(f"{on_runner.url}/f?") and "label=gt%20summary" in url
    # the figure is recorded in the workspace at once; its document names the job
    (figure_id,) = W.figure_ids
    job_document = document(W.get_figure_record(figure_id)["uri"])
    task_input = summary_task_input(W.get_recording_record(rid)["uri"], W.get_sorting_record(sid)["uri"], PARAMS)
    assert job_document == {"type": "SortingSummaryJob", "taskName": SUMMARY_TASK, "taskInput": task_input}

    # what the page polls: a service query with wait answers 202 and the step it is at
    phases = set()
    while True:
        query = {"taskName": SUMMARY_TASK, "taskInput": task_input, "wait": 1}
        reply = httpx.post(f"{on_runner.url}/api", json={"serviceName": "sortingview", "query": query}, timeout=60)
        if reply.status_code == 200:
            break
        assert reply.status_code == 202, reply.text
        progress = reply.json().get("progress", {})
        phases.add(progress.get("phase"))
        if "steps" in progress:  # reported by the worker (before: waiting for a worker with free CPUs)
            assert progress["steps"][0] == "loading the recording and sorting"
            assert progress["phase"] == progress["steps"][progress["step"]]
        assert time.monotonic() - started < 240
    assert {"template_similarity", "quality_metrics"} & phases  # seen while it computed
    result = reply.json()["result"]
    assert [step["step"] for step in result["steps"]][1:-1] == SUMMARY_EXTENSIONS
    assert result["numUnits"] == 4 and result["numCpus"] >= 1

    # the figure: the summary's views, of the sorting's units, with live compute on the shared sorting
    figure = document(result["figureUri"])
    assert figure["type"] == "MainLayout"
    types = {view["type"] for view in figure["views"]}
    assert {"UnitsTable", "AverageWaveforms", "UnitLocations", "SpikeAmplitudes", "SortingCuration2"} <= types
    views = {view["type"]: document(view["dataUri"]) for view in figure["views"]}
    assert sorted(str(row["unitId"]) for row in views["UnitsTable"]["rows"]) == sorted(map(str, sorting.unit_ids))
    columns = {column["key"] for column in views["UnitsTable"]["columns"]}
    assert {"num_spikes", "firing_rate", "snr"} <= columns
    assert views["SortingCuration2"]["sortingUri"] == W.get_sorting_record(sid)["uri"]  # its journal is the sorting's

    # reopened (the same call, or the page again): answered from the cache, nothing computed again
    started = time.monotonic()
    again = W.spikesortingview(recording_id=rid, sorting_id=sid, label="gt summary", params=PARAMS)
    cached = task_status(on_runner.url, task_input)
    assert time.monotonic() - started < 1.0
    assert again == url and W.figure_ids == [figure_id]
    assert cached.status_code == 200 and cached.json()["status"] == "finished"
    assert cached.json()["result"] == result  # the same job: same start time, same figure
    assert "progress" not in cached.json()


def test_bad_input_is_refused_naming_it_and_changes_nothing(on_runner, tmp_path):
    W, rid, sid, _, folder = small_workspace(tmp_path, seed=4)
    before = W.snapshot_uri

    with pytest.raises(sv.WorkspaceError, match="no recording 'R-nope'.*R-"):
        W.spikesortingview(recording_id="R-nope", sorting_id=sid)
    # a sorting of another recording (the workspace refuses to add one of another rate or length)
    other, _ = sc.generate_ground_truth_recording(durations=[3.0], num_channels=8, seed=9)
    rid2 = W.add_recording(label="other", recording=other)
    with pytest.raises(sv.WorkspaceError, match=f"is a sorting of {rid}, not of {rid2}"):
        W.spikesortingview(recording_id=rid2, sorting_id=sid)
    W.delete_recording(rid2)
    before = W.snapshot_uri

    # the runner refuses, over HTTP, a sorting whose recording has another sampling rate or frame count
    short, _ = sc.generate_ground_truth_recording(durations=[1.0], sampling_frequency=30_000.0, num_channels=8, seed=5)
    slow, _ = sc.generate_ground_truth_recording(durations=[6.0], sampling_frequency=20_000.0, num_channels=8, seed=5)
    sorting_uri = W.get_sorting_record(sid)["uri"]
    for recording, problem in ((short, "has 30000 frames"), (slow, "sampling frequency of 30000.0 Hz")):
        task_input = summary_task_input(sv.share_recording(recording), sorting_uri, PARAMS)
        reply = task_status(on_runner.url, task_input, wait=120)
        assert reply.status_code == 400, reply.text
        assert problem in reply.json()["errorMessage"] and sorting_uri in reply.json()["errorMessage"]

    # the file behind an in-place recording deleted: the call and the home page's button both say which
    shutil.rmtree(folder)
    with pytest.raises(sv.WorkspaceError, match=f"recording {rid} .* cannot be read.*moved or deleted"):
        W.spikesortingview(recording_id=rid, sorting_id=sid)
    reply = httpx.post(f"{on_runner.url}/api/workspaces/{W.id}/sortings/{sid}/summary", timeout=30)
    assert reply.status_code == 400 and "cannot be read" in reply.json()["errorMessage"]
    unknown = httpx.post(f"{on_runner.url}/api/workspaces/{W.id}/sortings/S-nope/summary", timeout=30)
    assert unknown.status_code == 404 and "no sorting 'S-nope'" in unknown.json()["errorMessage"]
    # the runner itself, asked directly, says the same on its worker
    task_input = summary_task_input(W.get_recording_record(rid)["uri"], sorting_uri, PARAMS)
    reply = task_status(on_runner.url, task_input, wait=120)
    assert reply.status_code == 400 and "cannot be read" in reply.json()["errorMessage"]

    assert W.snapshot_uri == before and W.figure_ids == []
    assert httpx.get(f"{on_runner.url}/health", timeout=5).json()["ok"] is True


def test_a_workspace_read_from_the_runner_has_its_summary_computed_and_recorded_there(on_runner, tmp_path, monkeypatch):
    W, rid, sid, _, _ = small_workspace(tmp_path, seed=6)
    # another machine: an empty store of its own and no runner configured; it reads the workspace from the runner
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(elsewhere))
    monkeypatch.delenv("SORTINGVIEW_ADDRESS")
    remote = sv.load_workspace(W.uri, source_url=on_runner.url)
    assert remote.source_url == on_runner.url

    started = time.monotonic()
    url = remote.spikesortingview(recording_id=rid, sorting_id=sid, label="from afar", params=PARAMS)
    assert time.monotonic() - started < 10  # the runner computes; nothing is computed here
    assert url.startswith(f"{on_runner.url}/f?") and "label=from%20afar" in url
    # this machine's store holds only the workspace snapshots it read, no figure data
    here = [path for path in elsewhere.rglob("*") if path.is_file()]
    assert here and all("recordings" in json.loads(path.read_bytes()) for path in here)
    # recorded in the runner's workspace: both machines see it
    (figure_id,) = remote.figure_ids
    record = W.get_figure_record(figure_id)
    assert record["url"] == url and record["label"] == "from afar" and record["sorting_id"] == sid
    # the runner's job is the one this machine would have asked for, with these params
    task_input = summary_task_input(W.get_recording_record(rid)["uri"], W.get_sorting_record(sid)["uri"], PARAMS)
    runner_store = LocalStore(on_runner.env["SORTINGVIEW_STORE_DIR"])
    job_document = json.loads(runner_store.load_bytes(record["uri"]))
    assert job_document == {"type": "SortingSummaryJob", "taskName": SUMMARY_TASK, "taskInput": task_input}
    assert task_status(on_runner.url, task_input).json()["status"] in {"waiting", "started", "finished"}

    # the runner's refusals reach the caller, naming the problem; nothing is recorded
    with pytest.raises(sv.WorkspaceError, match="refused the summary \\(HTTP 400\\).*no_such_param"):
        remote.spikesortingview(recording_id=rid, sorting_id=sid, params={"no_such_param": 1})
    with pytest.raises(sv.WorkspaceError, match="no sorting 'S-nope'"):
        remote.spikesortingview(recording_id=rid, sorting_id="S-nope")
    assert remote.figure_ids == [figure_id]
