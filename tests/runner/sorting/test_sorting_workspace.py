"""Finished sorting jobs added to a workspace (``workspace=``): labels, the job's facts, idempotence, bad URIs."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

import spikeinterface_sortingview as sv
from extractors import share_recording
from spikeinterface_sortingview.sorting_job_workspace import sorting_label

from .conftest import generated


@pytest.fixture(scope="module")
def short_recordings() -> dict:
    """Two 3 s recordings of their own (this module's jobs are not cached by the other modules' runs)."""
    return {"rec1": generated(seed=31, duration=3.0)[0], "rec2": generated(seed=32, duration=3.0)[0]}


@pytest.fixture
def runner_store(sorting_runner, monkeypatch):
    """This test shares into the runner's store and keeps its workspace there, as on the runner's machine."""
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(sorting_runner.store_dir))
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", sorting_runner.url)
    return sorting_runner


def listed_jobs(url: str) -> list[dict]:
    return httpx.get(f"{url}/api/jobs").json()["jobs"]


def test_a_label_names_the_sorter_and_the_parameters_that_differ_from_its_defaults():
    assert sorting_label("simple", {}) == "simple"
    assert sorting_label("simple", {"detection": {"detect_threshold": 6}}) == "simple detection={'detect_threshold': 6}"
    assert sorting_label("simple", {"detect_threshold": 6, "apply_preprocessing": True}) == "simple detect_threshold=6"
    assert sorting_label("spykingcircus2", {"detection": {"detect_threshold": 6}}) == (
        "spykingcircus2 detection.detect_threshold=6"
    )


@pytest.mark.ray
def test_run_sorter_adds_the_sorting_under_its_recording_with_the_jobs_facts(runner_store, short_recordings):
    W = sv.create_workspace(label="sorted")
    sorting = sv.run_sorter(
        "simple", short_recordings["rec1"], workspace=W, recording_name="rec1", detect_threshold=6, timeout=300
    )

    [recording_id] = W.recording_ids
    [sorting_id] = W.sorting_ids
    recording_record = W.get_recording_record(recording_id)
    record = W.get_sorting_record(sorting_id)
    job = {entry["sortingUri"]: entry for entry in listed_jobs(runner_store.url)}[record["uri"]]
    # the recording is added by the URI the runner sorted, not as a copy of it
    assert recording_record["uri"] == job["recordingUri"]
    assert recording_record["label"] == "rec1"
    assert record["label"] == "simple detect_threshold=6"
    assert record["recording_id"] == recording_id
    assert record["num_units"] == len(sorting.unit_ids) > 0
    meta = record["metadata"]
    assert meta["job_id"] == job["jobId"]
    assert meta["sorter_name"] == "simple" and meta["params"] == {"detect_threshold": 6}
    assert meta["sorter_version"] and meta["node"] and meta["log_uri"].startswith("sha1://")
    assert meta["run_time_sec"] > 0 and meta["peak_memory_bytes"] > 0
    added = W.get_sorting_extractor(sorting_id)
    for unit_id in sorting.unit_ids:
        np.testing.assert_array_equal(added.get_unit_spike_train(unit_id), sorting.get_unit_spike_train(unit_id))

    # The same job again (answered from the cache), by the workspace's URI, then waited for twice: no new entry,
    # not even a new snapshot.
    snapshot_uri = W.snapshot_uri
    sv.run_sorter("simple", short_recordings["rec1"], workspace=W.uri, detect_threshold=6)
    again = sv.submit_sorting_job("simple", short_recordings["rec1"], workspace=W, detect_threshold=6)
    assert again.status == "finished" and again.workspace_sortings == {W.uri: sorting_id}
    sv.wait_for_jobs([again])
    sv.wait_for_jobs([again], workspace=W.uri)
    assert W.sorting_ids == [sorting_id] and W.recording_ids == [recording_id]
    assert W.snapshot_uri == snapshot_uri


@pytest.mark.ray
def test_a_batch_adds_each_sorting_once_reusing_a_recording_the_workspace_holds(runner_store, short_recordings):
    W = sv.create_workspace(label="batch")
    # the user added rec1 already, by the URI the jobs use: its sortings go under it, it is not added again
    mine = W.add_recording(label="my rec1", recording=share_recording(short_recordings["rec1"]))
    specs = sv.batch_jobs(["simple"], short_recordings, params={"simple": [{}, {"detect_threshold": 6}]})
    jobs = sv.submit_batch(specs, workspace=W)
    sv.wait_for_jobs(jobs, timeout=300)

    assert len(W.recording_ids) == 2 and W.recording_ids[0] == mine
    labels = {W.get_recording_record(r)["label"]: r for r in W.recording_ids}
    assert set(labels) == {"my rec1", "rec2"}
    added = {
        (W.get_recording_record(record["recording_id"])["label"], record["label"]): record
        for record in map(W.get_sorting_record, W.sorting_ids)
    }
    assert set(added) == {
        ("my rec1", "simple"),
        ("my rec1", "simple detect_threshold=6"),
        ("rec2", "simple"),
        ("rec2", "simple detect_threshold=6"),
    }
    for job in jobs:
        sorting_id = job.workspace_sortings[W.uri]
        assert W.get_sorting_record(sorting_id)["uri"] == job.sorting_uri
        assert W.get_sorting_record(sorting_id)["metadata"]["job_id"] == job.job_id

    # Another process submits the same batch (new job objects, answered from the cache): nothing added twice.
    snapshot_uri = W.snapshot_uri
    repeated = sv.submit_batch(specs, workspace=W.uri)
    sv.wait_for_jobs(repeated)
    assert sorted(j.workspace_sortings[W.uri] for j in repeated) == sorted(j.workspace_sortings[W.uri] for j in jobs)
    assert len(W.sorting_ids) == 4 and W.snapshot_uri == snapshot_uri


@pytest.mark.ray
def test_jobs_submitted_without_a_workspace_are_added_by_wait_for_jobs(runner_store, short_recordings):
    jobs = sv.submit_batch(sv.batch_jobs(["simple"], {"rec2": short_recordings["rec2"]}))
    sv.wait_for_jobs(jobs, timeout=300)
    W = sv.create_workspace(label="later")
    sv.wait_for_jobs(jobs, workspace=W)
    [sorting_id] = W.sorting_ids
    assert W.get_sorting_record(sorting_id)["uri"] == jobs[0].sorting_uri
    assert W.get_recording_record(W.recording_ids[0])["label"] == "rec2"


@pytest.mark.ray
def test_a_workspace_in_a_store_other_than_the_runners_gets_the_sorting_copied_in(
    sorting_runner, short_recordings, monkeypatch
):
    # the autouse fixture gives this test its own store: another machine's, which the runner does not serve
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", sorting_runner.url)
    W = sv.create_workspace(label="elsewhere")
    sv.run_sorter("simple", short_recordings["rec2"], workspace=W, recording_name="rec2", timeout=300)
    [sorting_id] = W.sorting_ids
    # The runner is gone from this process's view: the workspace reads everything from its own store.
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", "http://127.0.0.1:9")
    monkeypatch.delenv("SORTINGVIEW_REMOTE", raising=False)
    reopened = sv.load_workspace(W.uri)
    sorting = reopened.get_sorting_extractor(sorting_id)
    assert len(sorting.unit_ids) == W.get_sorting_record(sorting_id)["num_units"] > 0
    recording = reopened.get_recording_extractor(W.recording_ids[0])
    np.testing.assert_array_equal(
        recording.get_traces(end_frame=100), short_recordings["rec2"].get_traces(end_frame=100)
    )


@pytest.mark.ray
@pytest.mark.parametrize(
    ("workspace", "mentions"),
    [
        ("sv-workspace://not-hex", "is not a workspace URI; expected sv-workspace://<20 hex characters>"),
        ("sv-workspace://" + "ab" * 10, "No workspace sv-workspace://abab"),
        ("sha1://" + "0" * 40, "is not a workspace URI"),
    ],
)
def test_a_bad_workspace_is_refused_before_anything_is_submitted(runner_store, short_recordings, workspace, mentions):
    before = listed_jobs(runner_store.url)
    # parameters no other test uses: a job submitted by mistake would be a new entry of the runner's table
    with pytest.raises(sv.WorkspaceError, match=mentions):
        sv.run_sorter("simple", short_recordings["rec1"], workspace=workspace, detect_threshold=7.5)
    with pytest.raises(sv.WorkspaceError, match=mentions):
        sv.submit_batch(
            sv.batch_jobs(["simple"], short_recordings, params={"simple": [{"detect_threshold": 7.5}]}),
            workspace=workspace,
        )
    with pytest.raises(sv.WorkspaceError, match=mentions):
        sv.wait_for_jobs([], workspace=workspace)
    assert listed_jobs(runner_store.url) == before


@pytest.mark.ray
def test_a_workspace_read_from_a_runner_is_refused_it_cannot_be_edited_here(
    sorting_runner, short_recordings, monkeypatch
):
    monkeypatch.setenv("SORTINGVIEW_ADDRESS", sorting_runner.url)
    with monkeypatch.context() as there:  # made on the runner's machine
        there.setenv("SORTINGVIEW_STORE_DIR", str(sorting_runner.store_dir))
        uri = sv.create_workspace(label="the runner's").uri
    read_only = sv.load_workspace(uri, source_url=sorting_runner.url)
    before = listed_jobs(sorting_runner.url)
    with pytest.raises(sv.WorkspaceError, match="was read from the runner at .* Run the jobs from a process"):
        sv.run_sorter("simple", short_recordings["rec1"], workspace=read_only, detect_threshold=7.5)
    assert listed_jobs(sorting_runner.url) == before
