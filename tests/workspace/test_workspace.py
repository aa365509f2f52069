"""The workspace API with sortingview v2's names: add, list, open, delete, and bad input that changes nothing."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import spikeinterface.core as sc

import spikeinterface_sortingview as sv
from spikeinterface_sortingview.workspace import UnknownIdError


def test_recordings_and_sortings_are_listed_and_open_as_they_were_added(lab):
    W = lab.workspace
    assert W.uri.startswith("sv-workspace://")
    assert W.label == "my lab"
    assert W.recording_ids == [lab.binary_id, lab.nwb_id]
    assert W.sorting_ids == list(lab.sortings)

    for recording_id, recording in lab.recordings.items():
        opened = W.get_recording_extractor(recording_id)
        np.testing.assert_array_equal(opened.get_traces(end_frame=5000), recording.get_traces(end_frame=5000))
        assert W.get_recording_record(recording_id)["storage"] == "in place"
    for sorting_id, sorting in lab.sortings.items():
        opened = W.get_sorting_extractor(sorting_id)
        assert list(opened.unit_ids) == list(sorting.unit_ids)
        for unit_id in sorting.unit_ids:
            np.testing.assert_array_equal(opened.get_unit_spike_train(unit_id), sorting.get_unit_spike_train(unit_id))

    records = [W.get_sorting_record(s) for s in W.sorting_ids]
    assert [r["recording_id"] for r in records] == [lab.binary_id, lab.binary_id, lab.nwb_id]
    assert [r["storage"] for r in records] == ["copied", "in place", "in place"]
    binary = W.get_recording_record(lab.binary_id)
    assert (binary["num_channels"], binary["num_samples"], binary["sampling_frequency"]) == (8, [120_000], 30_000.0)


def test_the_uri_stays_while_each_edit_makes_a_new_snapshot(lab):
    W = lab.workspace
    uri, before = W.uri, W.snapshot_uri
    sorting_id = W.sorting_ids[1]
    W.delete_sorting(sorting_id)

    assert W.uri == uri and W.snapshot_uri != before
    snapshot = W.snapshot()
    assert snapshot["previous"] == before
    assert snapshot["change"]["action"] == "delete_sorting" and snapshot["change"]["id"] == sorting_id
    assert sorting_id not in sv.load_workspace(uri).sorting_ids


def test_entries_are_deleted_sortings_first(lab):
    W = lab.workspace
    for sorting_id in [s for s in W.sorting_ids if W.get_sorting_record(s)["recording_id"] == lab.nwb_id]:
        W.delete_sorting(sorting_id)
    W.delete_recording(lab.nwb_id)

    assert W.recording_ids == [lab.binary_id]
    assert len(W.sorting_ids) == 2
    with pytest.raises(UnknownIdError, match=f"no recording '{lab.nwb_id}'.*rec1"):
        W.get_recording_extractor(lab.nwb_id)


def test_a_recording_that_sortings_use_is_not_deleted(lab):
    W = lab.workspace
    before = W.snapshot_uri
    with pytest.raises(sv.WorkspaceError, match="'ground truth'.*'first units'.*Delete them first"):
        W.delete_recording(lab.binary_id)
    assert W.snapshot_uri == before


def test_bad_input_is_refused_by_name_and_changes_nothing(lab, tmp_path):
    W = lab.workspace
    before = W.snapshot_uri
    sorting = lab.sortings[W.sorting_ids[0]]

    with pytest.raises(UnknownIdError, match="no recording 'R-000000000000'; its recordings: R-"):
        W.add_sorting(recording_id="R-000000000000", label="lost", sorting=sorting)
    with pytest.raises(UnknownIdError, match="no sorting 'S-1'"):
        W.delete_sorting("S-1")

    resampled = sc.NumpySorting.from_unit_dict([{0: np.array([10, 20])}], sampling_frequency=20_000.0)
    with pytest.raises(sv.WorkspaceError, match="sampling frequency is 20000.0 Hz, the recording's 30000.0 Hz"):
        W.add_sorting(recording_id=lab.binary_id, label="resampled", sorting=resampled)

    longer, longer_sorting = sc.generate_ground_truth_recording(
        durations=[6.0], sampling_frequency=30_000.0, num_channels=8, num_units=3, seed=5
    )
    longer_sorting.register_recording(longer)
    with pytest.raises(sv.WorkspaceError, match=r"registered with a recording of \[180000\] frames.*\[120000\] frames"):
        W.add_sorting(recording_id=lab.binary_id, label="other", sorting=longer_sorting)
    late = sc.NumpySorting.from_unit_dict([{0: np.array([10, 150_000])}], sampling_frequency=30_000.0)
    with pytest.raises(sv.WorkspaceError, match="spike at frame 150000, but the recording has 120000 frames"):
        W.add_sorting(recording_id=lab.binary_id, label="late", sorting=late)

    # a recording shared in place whose file is then deleted
    recording, _ = sc.generate_ground_truth_recording(durations=[1.0], num_channels=4, num_units=2, seed=9)
    saved = recording.save(folder=tmp_path / "doomed", format="binary", verbose=False, progress_bar=False)
    uri = sv.share_recording(saved)
    path = saved.get_binary_description()["file_paths"][0]
    os.remove(path)
    with pytest.raises(sv.WorkspaceError, match=f"Cannot add the recording 'doomed'.*{path}.*no longer exists"):
        W.add_recording(label="doomed", recording=uri)
    with pytest.raises(sv.WorkspaceError, match=f"Cannot add the recording 'doomed'.*{path}.*does not exist"):
        W.add_recording(label="doomed", recording=saved)

    assert W.snapshot_uri == before
    assert len(W.recording_ids) == 2 and len(W.sorting_ids) == 3


def test_exist_ok_finds_an_entry_of_the_same_uri_and_writes_no_snapshot(lab):
    W = lab.workspace
    recording_uri = W.get_recording_record(lab.binary_id)["uri"]
    sorting_id = next(iter(lab.sortings))
    sorting_uri = W.get_sorting_record(sorting_id)["uri"]
    snapshot_uri = W.snapshot_uri

    assert W.add_recording(label="again", recording=recording_uri, exist_ok=True) == lab.binary_id
    assert W.add_sorting(lab.binary_id, "again", sorting_uri, exist_ok=True) == sorting_id
    assert W.snapshot_uri == snapshot_uri
    # another recording's sorting of the same URI is another entry; without exist_ok, a second entry
    assert W.add_sorting(lab.binary_id, "twice", sorting_uri) != sorting_id
    assert len(W.sorting_ids) == len(lab.sortings) + 1


def test_a_sorting_keeps_its_metadata_and_refuses_what_json_cannot_hold(lab):
    W = lab.workspace
    sorting = next(iter(lab.sortings.values()))
    sorting_id = W.add_sorting(lab.binary_id, "with facts", sorting, metadata={"job_id": "abc", "run_time_sec": 1.5})
    assert W.get_sorting_record(sorting_id)["metadata"] == {"job_id": "abc", "run_time_sec": 1.5}
    snapshot_uri = W.snapshot_uri
    with pytest.raises(sv.WorkspaceError, match="its metadata must be a JSON object"):
        W.add_sorting(lab.binary_id, "bad facts", sorting, metadata={"when": object()})
    assert W.snapshot_uri == snapshot_uri


def test_a_deleted_nwb_file_is_named_when_its_recording_is_opened(lab):
    os.remove(lab.nwb_path)
    with pytest.raises(FileNotFoundError, match=f"{lab.nwb_path}.*no longer exists"):
        lab.workspace.get_recording_extractor(lab.nwb_id)


def test_bad_uris_and_labels_are_refused():
    with pytest.raises(sv.WorkspaceError, match="not a workspace URI"):
        sv.load_workspace("sha1://0123")
    with pytest.raises(sv.WorkspaceError, match="No workspace sv-workspace://0{20} in the local store"):
        sv.load_workspace("sv-workspace://" + "0" * 20)
    with pytest.raises(sv.WorkspaceError, match="needs a label"):
        sv.create_workspace(label="")


@pytest.mark.slow
def test_spikesortingview_makes_a_summary_of_the_shared_recording_and_sorting(lab):
    W = lab.workspace
    sorting_id = W.sorting_ids[0]
    url = W.spikesortingview(recording_id=lab.binary_id, sorting_id=sorting_id, label="rec1 summary")

    query = parse_qs(urlsplit(url).query)
    assert query["label"] == ["rec1 summary"]
    store = sv.default_store()
    figure = store.load_json(query["d"][0])
    curation = next(view for view in figure["views"] if view["type"] == "SortingCuration2")
    # the summary's live views read the sorting the workspace shared, not a copy of it
    assert store.load_json(curation["dataUri"])["sortingUri"] == W.get_sorting_record(sorting_id)["uri"]
    with pytest.raises(sv.WorkspaceError, match="is a sorting of"):
        W.spikesortingview(recording_id=lab.nwb_id, sorting_id=sorting_id)
