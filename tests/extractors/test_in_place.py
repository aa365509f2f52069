"""File-backed extractors are registered where they are: hashed once, never copied, refused once changed."""

from __future__ import annotations

import os

import numpy as np
import pytest
import spikeinterface.core as sc
from extractor_helpers import store_files

import spikeinterface_sortingview as sv
from extractors import NotInPlaceError
from spikeinterface_sortingview.store import FileNotInStoreError


@pytest.fixture
def binary_recording(tmp_path, float_recording):
    return float_recording.save(folder=tmp_path / "binary", format="binary", verbose=False, progress_bar=False)


def stored_bytes(store) -> int:
    return sum(p.stat().st_size for p in store.directory.rglob("*") if p.is_file())


def test_binary_recording_is_registered_not_copied(store, binary_recording):
    uri = sv.share_recording(binary_recording, chunk_duration="0.5s")

    data_bytes = sum(os.path.getsize(p) for p in binary_recording.get_binary_description()["file_paths"])
    assert stored_bytes(store) < data_bytes / 20  # a manifest and references only
    loaded = sv.load_recording(uri)
    for segment_index in range(2):
        np.testing.assert_array_equal(
            loaded.get_traces(segment_index=segment_index), binary_recording.get_traces(segment_index=segment_index)
        )
    manifest = store.load_json(uri)
    assert all(segment["file"] is not None for segment in manifest["segments"])


def test_registered_chunks_have_the_hashes_of_copied_chunks(store, binary_recording):
    in_place = store.load_json(sv.share_recording(binary_recording, chunk_duration="0.5s"))
    copied = store.load_json(sv.share_recording(binary_recording, chunk_duration="0.5s", in_place=False))
    assert [s["chunks"] for s in in_place["segments"]] == [s["chunks"] for s in copied["segments"]]
    assert all(segment.get("file") is None for segment in copied["segments"])


def test_registering_again_stores_nothing_new(store, binary_recording):
    first = sv.share_recording(binary_recording)
    before = store_files(store)
    assert sv.share_recording(binary_recording) == first
    assert store_files(store) == before


def test_modified_binary_file_is_refused_when_read(store, binary_recording):
    uri = sv.share_recording(binary_recording)
    path = binary_recording.get_binary_description()["file_paths"][0]
    with open(path, "r+b") as f:
        f.write(b"\x00" * 8)
    os.utime(path, ns=(10**9, 10**9))

    loaded = sv.load_recording(uri)
    with pytest.raises(FileNotInStoreError) as error:
        loaded.get_traces(segment_index=0, start_frame=0, end_frame=10)
    message = str(error.value)
    assert "modified after it was registered" in message and str(path) in message
    # the untouched segment still reads
    loaded.get_traces(segment_index=1, start_frame=0, end_frame=10)


def test_binary_file_with_a_header_is_registered_by_ranges(store, tmp_path):
    traces = np.random.default_rng(1).integers(-1000, 1000, size=(7000, 4), dtype="int16")
    path = tmp_path / "with_header.dat"
    path.write_bytes(b"HEADER--" * 8 + traces.tobytes() + b"trailer")
    recording = sc.BinaryRecordingExtractor(
        path, sampling_frequency=1000.0, dtype="int16", num_channels=4, file_offset=64, gain_to_uV=0.195, offset_to_uV=0
    )

    loaded = sv.load_recording(sv.share_recording(recording, in_place=True, chunk_duration="1s"))

    np.testing.assert_array_equal(loaded.get_traces(), traces)
    np.testing.assert_array_equal(loaded.get_traces(start_frame=2999, end_frame=4001), traces[2999:4001])
    assert np.allclose(loaded.get_property("gain_to_uV"), 0.195)


def test_in_place_refused_for_data_not_in_files(store, float_recording, ground_truth):
    with pytest.raises(NotInPlaceError, match=r"recording.save\(folder=\.\.\., format='binary'\)"):
        sv.share_recording(float_recording, in_place=True)
    with pytest.raises(NotInPlaceError, match=r"sorting.save\(folder=\.\.\.\)"):
        sv.share_sorting(ground_truth[1], in_place=True)


def test_conversion_of_a_binary_recording_copies(store, binary_recording):
    uri = sv.share_recording(binary_recording, serialize_dtype="int16")
    manifest = store.load_json(uri)
    assert all(segment.get("file") is None for segment in manifest["segments"])
    with pytest.raises(NotInPlaceError, match="serialize_dtype"):
        sv.share_recording(binary_recording, serialize_dtype="int16", in_place=True)


@pytest.mark.parametrize("sorting_format", ["numpy_folder", "npz_folder"])
def test_saved_sortings_are_registered_in_place(store, tmp_path, ground_truth, sorting_format):
    _, sorting = ground_truth
    saved = sorting.save(folder=tmp_path / sorting_format, format=sorting_format)
    if sorting_format == "npz_folder":
        saved = sc.NpzFolderSorting(tmp_path / sorting_format)

    uri = sv.share_sorting(saved, in_place=True)

    manifest = store.load_json(uri)
    registered = manifest["spikes_uri"] or manifest["npz_uri"]
    assert store.reference(registered) is not None and not store.path(registered).exists()
    loaded = sv.load_sorting(uri)
    for segment_index in range(2):
        for unit_id in sorting.unit_ids:
            np.testing.assert_array_equal(
                loaded.get_unit_spike_train(unit_id, segment_index=segment_index),
                sorting.get_unit_spike_train(unit_id, segment_index=segment_index),
            )
    np.testing.assert_array_equal(loaded.get_property("gt_unit_locations"), sorting.get_property("gt_unit_locations"))


def test_npz_sorting_file_is_registered(store, tmp_path, ground_truth):
    _, sorting = ground_truth
    path = tmp_path / "sorting.npz"
    sc.NpzSortingExtractor.write_sorting(sorting, path)
    loaded = sv.load_sorting(sv.share_sorting(sc.NpzSortingExtractor(path)))
    np.testing.assert_array_equal(loaded.to_spike_vector(), sorting.to_spike_vector())
