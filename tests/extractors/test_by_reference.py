"""Shared by reference: preprocessing chains over files registered in place, NWB and MDA files read where they are."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest
import spikeinterface.core as sc
from extractor_helpers import store_files
from spikeinterface.core.core_tools import SIJsonEncoder
from spikeinterface.extractors import read_mda_sorting
from spikeinterface.extractors.mdaextractors import MdaSortingExtractor
from spikeinterface.preprocessing import bandpass_filter, common_reference
from spikeinterface.preprocessing.common_reference import CommonReferenceRecording

import spikeinterface_sortingview as sv
from extractors import EXTRACTOR_FORMAT, DisallowedClassError, StoreRecordingExtractor
from spikeinterface_sortingview.store import FileNotInStoreError
from tests.nwb_support import read_nwb, write_nwb_file


def stored_bytes(store) -> int:
    return sum(p.stat().st_size for p in store.directory.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def int16_binary(tmp_path_factory):
    """16 channels × 20 s at 30 kHz of int16, saved as a binary folder (19.2 MB), as acquisition systems write."""
    recording, _ = sc.generate_ground_truth_recording(
        durations=[20.0], sampling_frequency=30_000.0, num_channels=16, num_units=5, seed=7
    )
    folder = tmp_path_factory.mktemp("int16") / "binary"
    return recording.save(folder=folder, format="binary", dtype="int16", verbose=False, progress_bar=False)


def test_a_preprocessing_chain_is_shared_as_its_steps_not_as_a_copy(store, int16_binary):
    chain = common_reference(bandpass_filter(int16_binary, freq_min=300.0, freq_max=6000.0, dtype="float32"))
    uri = sv.share_recording(chain)

    file_bytes = os.path.getsize(int16_binary.get_binary_description()["file_paths"][0])
    # the chain, the base's manifest (chunk hashes) and references; a float32 copy would be twice the file
    assert stored_bytes(store) < file_bytes / 100
    manifest = store.load_json(uri)
    assert manifest["format"] == EXTRACTOR_FORMAT and manifest["kind"] == "recording"
    assert manifest["extractor"]["class"].endswith("CommonReferenceRecording")

    loaded = sv.load_recording(uri)
    assert loaded.get_dtype() == chain.get_dtype() == np.float32
    for start, end in [(0, 30_000), (123_456, 200_000), (599_000, 600_000)]:
        np.testing.assert_array_equal(
            loaded.get_traces(start_frame=start, end_frame=end), chain.get_traces(start_frame=start, end_frame=end)
        )
    np.testing.assert_array_equal(loaded.get_channel_locations(), chain.get_channel_locations())
    assert loaded.get_annotation("is_filtered")


def test_a_loaded_chain_is_lazy_and_serializes_as_its_uri(store, int16_binary):
    chain = common_reference(bandpass_filter(int16_binary, freq_min=300.0, freq_max=6000.0, dtype="float32"))
    uri = sv.share_recording(chain)
    before = store_files(store)

    loaded = sv.load_recording(uri)
    # the chain is rebuilt over the binary file registered in place; nothing is computed or copied
    assert isinstance(loaded._referenced, CommonReferenceRecording)
    base = loaded._referenced._kwargs["recording"]._kwargs["recording"]
    assert isinstance(base, StoreRecordingExtractor) and store.load_json(base.manifest_uri)["segments"][0]["file"]
    window = loaded.get_traces(start_frame=1000, end_frame=2000)
    assert window.shape == (1000, 16)
    assert store_files(store) == before

    assert loaded.to_dict()["kwargs"] == {"manifest_uri": uri, "source_url": None}
    for copy in (pickle.loads(pickle.dumps(loaded)), sc.load(loaded.to_dict())):
        np.testing.assert_array_equal(copy.get_traces(start_frame=1000, end_frame=2000), window)
    # sharing what was loaded gives its URI back, without reading anything
    assert sv.share_recording(loaded) == uri


def test_a_chain_over_data_in_memory_is_still_copied(store, float_recording):
    uri = sv.share_recording(bandpass_filter(float_recording, freq_min=300.0, freq_max=3000.0))
    assert store.load_json(uri)["format"] == "spikeinterface-sortingview/recording"


def test_nwb_recording_and_sorting_are_registered_in_place(store, tmp_path):
    path = write_nwb_file(tmp_path / "session.nwb")
    recording, sorting = read_nwb(path)

    recording_uri = sv.share_recording(recording)
    sorting_uri = sv.share_sorting(sorting)

    assert stored_bytes(store) < os.path.getsize(path) / 10
    manifest = store.load_json(recording_uri)
    assert manifest["format"] == EXTRACTOR_FORMAT
    file_uri = manifest["extractor"]["kwargs"]["file_path"]["__store_file__"]
    assert store.reference(file_uri).path == str(path.resolve())

    loaded = sv.load_recording(recording_uri)
    np.testing.assert_array_equal(loaded.get_traces(), recording.get_traces())
    np.testing.assert_array_equal(loaded.get_channel_locations(), recording.get_channel_locations())
    loaded_sorting = sv.load_sorting(sorting_uri)
    assert list(loaded_sorting.unit_ids) == list(sorting.unit_ids)
    for unit_id in sorting.unit_ids:
        np.testing.assert_array_equal(
            loaded_sorting.get_unit_spike_train(unit_id), sorting.get_unit_spike_train(unit_id)
        )
    np.testing.assert_array_equal(loaded_sorting.to_spike_vector(), sorting.to_spike_vector())


def test_an_mda_sorting_is_registered_in_place(store, tmp_path, ground_truth):
    _, sorting = ground_truth
    path = tmp_path / "firings.mda"
    one_segment = sc.select_segment_sorting(sorting, 0)
    MdaSortingExtractor.write_sorting(one_segment, path)
    mda = read_mda_sorting(path, sampling_frequency=sorting.sampling_frequency)

    uri = sv.share_sorting(mda)

    manifest = store.load_json(uri)
    assert manifest["format"] == EXTRACTOR_FORMAT and manifest["kind"] == "sorting"
    assert store.reference(manifest["extractor"]["kwargs"]["file_path"]["__store_file__"]) is not None
    loaded = sv.load_sorting(uri)
    for unit_id in mda.unit_ids:
        np.testing.assert_array_equal(loaded.get_unit_spike_train(unit_id), mda.get_unit_spike_train(unit_id))


def test_a_deleted_nwb_file_is_named_when_opened(store, tmp_path):
    path = write_nwb_file(tmp_path / "gone.nwb")
    recording, _ = read_nwb(path)
    uri = sv.share_recording(recording)
    del recording
    os.remove(path)

    with pytest.raises(FileNotInStoreError, match=f"registered in place from {path}.*no longer exists"):
        sv.load_recording(uri)


def test_a_deleted_binary_file_is_named_when_shared(store, tmp_path, float_recording):
    saved = float_recording.save(folder=tmp_path / "binary", format="binary", verbose=False, progress_bar=False)
    removed = saved.get_binary_description()["file_paths"][1]
    os.remove(removed)

    with pytest.raises(FileNotFoundError, match=f"{removed}, the binary file of its segment 1, does not exist"):
        sv.share_recording(saved)
    assert not store.directory.exists() or stored_bytes(store) == 0


@pytest.mark.parametrize(
    "name",
    [
        "tests.extractors.conftest.NotAnExtractor",  # outside SpikeInterface
        "spikeinterface.sorters.run_sorter",  # SpikeInterface's, but a function that would run
        "spikeinterface.core.NoSuchClass",
    ],
)
def test_a_description_naming_anything_but_an_extractor_class_of_spikeinterface_is_refused(store, int16_binary, name):
    uri = sv.share_recording(common_reference(int16_binary))
    manifest = store.load_json(uri)
    manifest["extractor"]["class"] = name
    forged = store.store_json(manifest)

    with pytest.raises(DisallowedClassError, match=f"names '{name}'; only extractor classes"):
        sv.load_recording(forged)


def test_plot_traces_of_a_preprocessed_binary_recording_stores_no_copy(store, int16_binary):
    import spikeinterface.widgets as sw

    chain = common_reference(bandpass_filter(int16_binary, freq_min=300.0, freq_max=6000.0, dtype="float32"))
    widget = sw.plot_traces(chain, backend="sortingview", generate_url=False, display=False)

    file_bytes = os.path.getsize(int16_binary.get_binary_description()["file_paths"][0])
    assert stored_bytes(store) < file_bytes / 100
    shown = sv.load_recording(widget.view.uri)
    np.testing.assert_array_equal(shown.get_traces(end_frame=30_000), chain.get_traces(end_frame=30_000))


def test_a_description_whose_base_reads_a_path_of_its_own_is_refused(store, int16_binary, tmp_path):
    secret = tmp_path / "secret.raw"
    secret.write_bytes(b"not for the runner's clients" * 100)
    uri = sv.share_recording(common_reference(int16_binary))
    manifest = store.load_json(uri)
    manifest["extractor"]["kwargs"]["recording"] = sc.BinaryRecordingExtractor(
        secret, 30_000.0, "int16", num_channels=1
    ).to_dict()
    forged = store.store_json(json.loads(json.dumps(manifest, cls=SIJsonEncoder)))

    with pytest.raises(DisallowedClassError, match="BinaryRecordingExtractor' that does not read a file of the store"):
        sv.load_recording(forged)
