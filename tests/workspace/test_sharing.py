"""A workspace by URI: reopened in another process, edited from two at once, read on another machine through a runner."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys

import httpx
import numpy as np
import pytest

import spikeinterface_sortingview as sv
from tests.servers import find_free_port, sv_runner_process

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

READ_IN_ANOTHER_PROCESS = """
import json, sys
import spikeinterface_sortingview as sv
W = sv.load_workspace(sys.argv[1])
print(json.dumps({
    "label": W.label,
    "recordings": {r: W.get_recording_record(r)["label"] for r in W.recording_ids},
    "traces": {r: W.get_recording_extractor(r).get_traces(end_frame=100).tolist() for r in W.recording_ids},
    "spikes": {s: int(W.get_sorting_extractor(s).to_spike_vector().size) for s in W.sorting_ids},
}))
"""


def child_environment() -> dict:
    """This test's configuration (its store), and this worktree's code first."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([REPO, os.environ.get("PYTHONPATH", "")])}


def test_a_workspace_reopens_by_uri_in_another_process(lab):
    W = lab.workspace
    result = subprocess.run(
        [sys.executable, "-c", READ_IN_ANOTHER_PROCESS, W.uri],
        env=child_environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["label"] == "my lab"
    assert seen["recordings"] == {lab.binary_id: "rec1", lab.nwb_id: "nwb session"}
    for recording_id, recording in lab.recordings.items():
        np.testing.assert_array_equal(np.array(seen["traces"][recording_id]), recording.get_traces(end_frame=100))
    assert seen["spikes"] == {s: int(sorting.to_spike_vector().size) for s, sorting in lab.sortings.items()}


def add_recordings(uri: str, recording_uri: str, prefix: str, count: int, start, results) -> None:
    """In a process of its own: wait for the other writer, then add ``count`` recordings one by one."""
    W = sv.load_workspace(uri)
    start.wait()
    results.put([W.add_recording(label=f"{prefix}-{i}", recording=recording_uri) for i in range(count)])


def test_two_processes_adding_at_once_lose_nothing(lab):
    W = lab.workspace
    recording_uri = W.get_recording_record(lab.binary_id)["uri"]
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    writers = [
        context.Process(target=add_recordings, args=(W.uri, recording_uri, prefix, 20, start, results))
        for prefix in ("a", "b")
    ]
    for writer in writers:
        writer.start()
    added = [results.get(timeout=300) for _ in writers]
    for writer in writers:
        writer.join(timeout=60)
        assert writer.exitcode == 0

    ids = W.recording_ids
    assert len(ids) == 2 + 40
    assert set(added[0]) | set(added[1]) == set(ids) - {lab.binary_id, lab.nwb_id}
    labels = [W.get_recording_record(r)["label"] for r in ids[2:]]
    for prefix in ("a", "b"):
        # each writer's own additions in the order it made them
        assert [label for label in labels if label.startswith(prefix)] == [f"{prefix}-{i}" for i in range(20)]
    assert W.pointer().seq == 1 + 5 + 40  # created, five additions by the fixture, then forty


@pytest.fixture
def lab_runner(lab, tmp_path):
    """A real ``sv-runner`` (no compute) serving the lab's store, on a free loopback port."""
    port = find_free_port()
    env = {**child_environment(), "SORTINGVIEW_HOME": str(tmp_path / "runner-home")}
    args = ["--port", str(port), "--store-dir", os.environ["SORTINGVIEW_STORE_DIR"], "--no-compute"]
    with sv_runner_process(
        args + ["--log-level", "warning"], env, f"http://127.0.0.1:{port}", tmp_path / "runner.log"
    ) as url:
        yield url


def test_another_machine_reads_a_workspace_through_a_runner(lab, lab_runner, tmp_path, monkeypatch):
    W = lab.workspace
    # another machine: an empty store of its own
    monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(sv.WorkspaceError, match="in the local store at .*elsewhere.*source_url="):
        sv.load_workspace(W.uri)

    remote = sv.load_workspace(W.uri, source_url=lab_runner)
    assert remote.source_url == lab_runner
    assert remote.recording_ids == W.recording_ids and remote.sorting_ids == W.sorting_ids
    for recording_id, recording in lab.recordings.items():
        np.testing.assert_array_equal(
            remote.get_recording_extractor(recording_id).get_traces(start_frame=1000, end_frame=3000),
            recording.get_traces(start_frame=1000, end_frame=3000),
        )
    for sorting_id, sorting in lab.sortings.items():
        np.testing.assert_array_equal(
            remote.get_sorting_extractor(sorting_id).to_spike_vector(), sorting.to_spike_vector()
        )

    # an edit on the owner's machine is seen on the next read
    W.delete_sorting(W.sorting_ids[0])
    assert remote.sorting_ids == W.sorting_ids
    with pytest.raises(sv.WorkspaceError, match=f"read from the runner at {lab_runner}; edit it"):
        remote.delete_sorting(W.sorting_ids[0])


def test_the_runner_answers_pointers_and_refuses_bad_names(lab, lab_runner):
    workspace_id = lab.workspace.uri.removeprefix("sv-workspace://")
    answer = httpx.get(f"{lab_runner}/pointers/workspaces/{workspace_id}")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert answer.json()["uri"] == lab.workspace.snapshot_uri

    assert httpx.get(f"{lab_runner}/pointers/workspaces/{'0' * 20}").status_code == 404
    bad = httpx.get(f"{lab_runner}/pointers/workspaces/.hidden")
    assert bad.status_code == 400 and "not a pointer name" in bad.text
    assert httpx.get(f"{lab_runner}/health").status_code == 200  # still serving
