"""Sorting jobs given bad input: clear errors naming the problem and the fix; the runner keeps serving."""

from __future__ import annotations

import httpx
import pytest

import spikeinterface_sortingview as sv
from runner.cli import main as sv_runner
from spikeinterface_sortingview.sorting_jobs import SORTER_TASK

pytestmark = pytest.mark.ray


@pytest.fixture
def runner_store(sorting_runner, monkeypatch):
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(sorting_runner.store_dir))
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", sorting_runner.url)
    return sorting_runner


def request_job(url: str, task_input: dict, wait: float = 120) -> httpx.Response:
    body = {"type": "requestTask", "taskType": "calculation", "taskName": SORTER_TASK, "taskInput": task_input}
    return httpx.post(f"{url}/api/tasks", params={"wait": wait}, json=body, timeout=wait + 30)


def test_an_unknown_sorter_is_refused_at_once_with_the_sorters_spikeinterface_knows(runner_store, recordings):
    answer = request_job(runner_store.url, {"sorter_name": "kilosort9", "recording_uri": "sha1://" + "0" * 40})
    assert answer.status_code == 400
    assert "unknown sorter 'kilosort9'" in answer.json()["errorMessage"]
    assert "spykingcircus2" in answer.json()["errorMessage"] and "tridesclous2" in answer.json()["errorMessage"]
    with pytest.raises(sv.SortingJobFailed, match="unknown sorter 'kilosort9'"):
        sv.run_sorter("kilosort9", recordings["rec1"][0])


def test_a_sorter_not_installed_is_refused_with_how_to_install_it(runner_store):
    answer = request_job(runner_store.url, {"sorter_name": "kilosort4", "recording_uri": "sha1://" + "0" * 40})
    assert answer.status_code == 400
    assert "sorter 'kilosort4' is not installed where this runner runs" in answer.json()["errorMessage"]
    assert "pip install" in answer.json()["errorMessage"]


@pytest.mark.parametrize(
    ("task_input", "mentions"),
    [
        ({"sorter_name": "simple"}, "recording_uri must be a sha1:// URI"),
        ({"sorter_name": "simple", "recording_uri": "sha1://" + "0" * 40, "params": [1]}, "params must be an object"),
        ({"sorter_name": "simple", "recording_uri": "sha1://" + "0" * 40, "num_cpus": 0}, "num_cpus must be"),
        ({"sorter_name": "simple", "recording_uri": "sha1://" + "0" * 40, "n_jobs": 2}, "unknown input key 'n_jobs'"),
    ],
)
def test_malformed_input_is_refused_naming_the_key(runner_store, task_input, mentions):
    answer = request_job(runner_store.url, task_input)
    assert answer.status_code == 400
    assert mentions in answer.json()["errorMessage"]


def test_bad_parameters_come_back_with_spikeinterfaces_own_message(runner_store, recordings):
    with pytest.raises(sv.SortingJobFailed, match=r"Invalid parameters: \['detect_treshold'\]") as error:
        sv.run_sorter("simple", recordings["rec1"][0], detect_treshold=5.0)
    assert "Valid parameters are" in str(error.value) and "detect_threshold" in str(error.value)


def test_a_recording_the_worker_cannot_read_is_a_clear_error(runner_store):
    missing = "sha1://" + "1" * 40
    answer = request_job(runner_store.url, {"sorter_name": "simple", "recording_uri": missing})
    assert answer.status_code == 400
    message = answer.json()["errorMessage"]
    assert f"the recording {missing} cannot be read on" in message and "Share it into this runner's store" in message


def test_a_crashing_sorter_returns_its_log_and_the_runner_keeps_serving(runner_store, recordings, capsys):
    recording = recordings["rec2"][0]
    job = sv.submit_sorting_job("simple", recording, clusterer="kmeans", clusterer_kwargs={"n_clusters": -1})
    sv.wait_for_jobs([job], timeout=300, raise_error=False)
    assert job.status == "error"
    assert "simple failed" in job.error and "n_clusters" in job.error  # the sorter's error...
    assert "end of the sorter's log" in job.error and "Spike sorting failed" in job.error  # ...and its log
    assert "n_clusters" in job.progress["logTail"]
    status = httpx.get(f"{runner_store.url}/api/tasks/{SORTER_TASK}/{job.job_id}")
    assert status.status_code == 500
    # the runner serves on, and sorts what it can
    assert httpx.get(f"{runner_store.url}/health").status_code == 200
    good = sv.submit_sorting_job("simple", recording)
    sv.wait_for_jobs([good], timeout=300)
    # the job table lists both, with state, node and the log of the failed one
    capsys.readouterr()
    assert sv_runner(["jobs", "--address", runner_store.url]) == 0
    table = capsys.readouterr().out
    assert job.job_id[:12] in table and good.job_id[:12] in table and "error" in table
    assert sv_runner(["jobs", "--address", runner_store.url, "--log", job.job_id[:10]]) == 0
    assert "n_clusters" in capsys.readouterr().out
    page = httpx.get(f"{runner_store.url}/jobs")
    assert page.status_code == 200 and f"data-job-id='{job.job_id}'" in page.text and "n_clusters" in page.text
    listed = {entry["jobId"]: entry for entry in httpx.get(f"{runner_store.url}/api/jobs").json()["jobs"]}
    assert listed[good.job_id]["status"] == "finished" and listed[good.job_id]["node"]
    assert listed[job.job_id]["status"] == "error"
