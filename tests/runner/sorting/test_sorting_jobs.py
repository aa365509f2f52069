"""Sorting jobs through a real runner on Ray: a batch of sorters x recordings, cached by hash, and its results."""

from __future__ import annotations

import time

import httpx
import numpy as np
import pytest
import spikeinterface.full as si

import spikeinterface_sortingview as sv
from runner.task_results import calculation_job_id
from spikeinterface_sortingview.sorting_jobs import SORTER_TASK

pytestmark = pytest.mark.ray


@pytest.fixture
def runner_store(sorting_runner, monkeypatch):
    """This test shares into the runner's store, as a notebook on the runner's machine does."""
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(sorting_runner.store_dir))
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", sorting_runner.url)
    return sorting_runner


@pytest.fixture(scope="module")
def batch(sorting_runner, recordings, tmp_path_factory):
    """The batch of the issue, run once: simple and spykingcircus2 on two generated recordings."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SORTINGVIEW_STORE_DIR", str(sorting_runner.store_dir))
        patch.setenv("SORTINGVIEW_HOME", str(tmp_path_factory.mktemp("home")))
        specs = sv.batch_jobs(["simple", "spykingcircus2"], {name: rec for name, (rec, _) in recordings.items()})
        started = time.monotonic()
        jobs = sv.submit_batch(specs, runner=sorting_runner.url)
        sv.wait_for_jobs(jobs, timeout=600)
        return jobs, time.monotonic() - started


@pytest.mark.slow
def test_a_batch_of_two_sorters_on_two_recordings_gives_sortings_with_their_log_time_and_memory(batch, recordings):
    jobs, _ = batch
    assert [(j.sorter_name, j.recording_name) for j in jobs] == [
        ("simple", "rec1"),
        ("simple", "rec2"),
        ("spykingcircus2", "rec1"),
        ("spykingcircus2", "rec2"),
    ]
    for job in jobs:
        assert job.status == "finished", job.error
        sorting = job.load_sorting()
        assert len(sorting.unit_ids) == job.result["numUnits"] > 0
        assert job.result["numSpikes"] == sum(sorting.count_num_spikes_per_unit().values())
        assert job.result["runTimeSec"] > 0 and job.result["peakMemoryBytes"] > 50e6
        assert f"{job.sorter_name} run time" in job.log  # SpikeInterface's own closing line
        assert job.result["node"]
        # the job id hashes sorter, sorter version, parameters and recording URI: the same from any machine
        key = {
            "sorter_name": job.sorter_name,
            "sorter_version": job.result["sorterVersion"],
            "params": {},
            "recording_uri": job.recording_uri,
        }
        assert job.job_id == calculation_job_id(SORTER_TASK, key)
    # a sorting is the sorter's own: compare with the ground truth it was made from
    rec1_simple = jobs[0].load_sorting()
    comparison = si.compare_sorter_to_ground_truth(recordings["rec1"][1], rec1_simple)
    assert comparison.get_performance()["accuracy"].max() > 0.5


@pytest.mark.slow
def test_the_same_batch_again_returns_at_once_with_the_same_sorting_uris_even_from_another_store(
    batch, recordings, sorting_runner, monkeypatch, tmp_path
):
    jobs, first_time = batch
    # Another machine: its own store (the recordings are shared there, then found on the runner, not re-sent).
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "other-store"))
    specs = sv.batch_jobs(["simple", "spykingcircus2"], {name: rec for name, (rec, _) in recordings.items()})
    started = time.monotonic()
    again = sv.submit_batch(specs, runner=sorting_runner.url)
    elapsed = time.monotonic() - started
    assert all(job.status == "finished" for job in again)
    assert [j.sorting_uri for j in again] == [j.sorting_uri for j in jobs]
    assert [j.job_id for j in again] == [j.job_id for j in jobs]
    assert elapsed < 0.2 * first_time, (elapsed, first_time)
    # sv.run_sorter returns the cached sorting too
    started = time.monotonic()
    sorting = sv.run_sorter("simple", recordings["rec1"][0], runner=sorting_runner.url)
    assert time.monotonic() - started < 5
    np.testing.assert_array_equal(sorting.to_spike_vector(), jobs[0].load_sorting().to_spike_vector())


def test_run_sorter_returns_the_sorting_and_num_cpus_is_not_part_of_the_job(runner_store, recordings):
    recording = recordings["rec1"][0]
    sorting = sv.run_sorter("simple", recording, num_cpus=1)
    assert len(sorting.unit_ids) > 0
    job = sv.submit_sorting_job("simple", recording, num_cpus=2)
    assert job.status == "finished"  # answered from the cache: CPUs change where it runs, not what it gives
    np.testing.assert_array_equal(job.load_sorting().to_spike_vector(), sorting.to_spike_vector())


def test_other_parameters_are_another_job(runner_store, recordings):
    recording = recordings["rec2"][0]
    default = sv.submit_sorting_job("simple", recording)
    stricter = sv.submit_sorting_job("simple", recording, detect_threshold=8.0)
    assert default.job_id != stricter.job_id
    sv.wait_for_jobs([default, stricter], timeout=300)
    assert stricter.result["params"] == {"detect_threshold": 8.0}
    assert stricter.result["numSpikes"] < default.result["numSpikes"]


def test_a_running_job_shows_its_progress_and_delete_cancels_it(runner_store, recordings, tmp_path):
    # a long recording (400 s, stored as int16: 80 MB), cancelled long before it would be sorted
    saved = recordings["rec1"][0].save(folder=tmp_path / "rec", format="binary", verbose=False)
    uri = sv.share_recording(si.concatenate_recordings([saved] * 100), serialize_dtype="int16")
    job = sv.submit_sorting_job("simple", uri)
    url = f"{runner_store.url}/api/tasks/{SORTER_TASK}/{job.job_id}"
    deadline = time.monotonic() + 120
    while True:
        status = httpx.get(url).json()
        phase = status.get("progress", {}).get("phase")
        if phase == "sorting" or status["status"] in ("finished", "error") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status["status"] == "started", status.get("errorMessage")
    assert status["progress"]["phase"] == "sorting"
    assert status["progress"]["node"] and status["progress"]["elapsedSec"] >= 0
    cancelled = httpx.delete(url)
    assert cancelled.status_code == 200
    deadline = time.monotonic() + 30
    while (answer := httpx.get(url)).json()["status"] != "error" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert answer.status_code == 409
    assert "cancelled" in answer.json()["errorMessage"]
    assert httpx.get(f"{runner_store.url}/health").status_code == 200
