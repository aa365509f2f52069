"""Shared extractors are real SpikeInterface extractors: to_dict holds URIs, load/pickle/Ray reopen them."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import spikeinterface as si
from spikeinterface.preprocessing import bandpass_filter, common_reference

import spikeinterface_sortingview as sv
from extractors import StoreRecordingExtractor, StoreSortingExtractor


@pytest.fixture
def shared(store, ground_truth):
    recording, sorting = ground_truth
    return sv.load_recording(sv.share_recording(recording)), sv.load_sorting(sv.share_sorting(sorting))


def test_to_dict_holds_uris_only(shared):
    recording, sorting = shared
    for extractor in (recording, sorting):
        d = extractor.to_dict()
        assert d["class"] in (
            "extractors.recording.StoreRecordingExtractor",
            "extractors.sorting.StoreSortingExtractor",
        )
        assert d["module"] == "extractors"
        assert d["version"] == "0.1.0"
        assert set(d["kwargs"]) == {"manifest_uri", "source_url"}
        assert d["kwargs"]["manifest_uri"].startswith("sha1://")
        assert extractor.check_serializability("json") and extractor.check_serializability("pickle")


def test_spikeinterface_load_reopens_dicts_and_json_files(shared, tmp_path):
    recording, sorting = shared
    reopened = si.load(recording.to_dict())
    assert isinstance(reopened, StoreRecordingExtractor)
    np.testing.assert_array_equal(reopened.get_traces(segment_index=1), recording.get_traces(segment_index=1))
    assert reopened.get_probe().get_contact_count() == 8

    recording.dump_to_json(tmp_path / "recording.json")
    sorting.dump_to_json(tmp_path / "sorting.json")
    assert json.loads((tmp_path / "recording.json").read_text())["kwargs"]["manifest_uri"] == recording.manifest_uri
    from_file = si.load(tmp_path / "sorting.json")
    assert isinstance(from_file, StoreSortingExtractor)
    np.testing.assert_array_equal(from_file.to_spike_vector(), sorting.to_spike_vector())


def test_pickle_round_trips(shared):
    recording, sorting = shared
    recording2 = pickle.loads(pickle.dumps(recording))
    sorting2 = pickle.loads(pickle.dumps(sorting))
    np.testing.assert_array_equal(recording2.get_traces(segment_index=0), recording.get_traces(segment_index=0))
    np.testing.assert_array_equal(sorting2.to_spike_vector(), sorting.to_spike_vector())


def test_preprocessing_chains_serialize(shared):
    recording, _ = shared
    chain = common_reference(bandpass_filter(recording, freq_min=300.0, freq_max=3000.0))
    assert chain.check_serializability("json")
    expected = chain.get_traces(segment_index=0, start_frame=1000, end_frame=4000)

    for reopened in (si.load(chain.to_dict(recursive=True)), pickle.loads(pickle.dumps(chain))):
        np.testing.assert_array_equal(reopened.get_traces(segment_index=0, start_frame=1000, end_frame=4000), expected)
    kwargs = chain.to_dict(recursive=True)["kwargs"]["recording"]["kwargs"]["recording"]["kwargs"]
    assert kwargs == {"manifest_uri": recording.manifest_uri, "source_url": None}


@pytest.mark.ray
def test_ray_task_reads_a_shared_recording_and_sorting(store, ground_truth, ray_instance):
    ray = ray_instance
    recording, sorting = ground_truth
    shared_recording = sv.load_recording(sv.share_recording(recording))
    shared_sorting = sv.load_sorting(sv.share_sorting(sorting))
    chain = bandpass_filter(shared_recording, freq_min=300.0, freq_max=3000.0)

    @ray.remote
    def read(recording, chain, sorting):
        return (
            recording.get_traces(segment_index=1, start_frame=500, end_frame=2500),
            chain.get_traces(segment_index=0, start_frame=500, end_frame=2500),
            sorting.to_spike_vector(),
            type(recording).__name__,
        )

    # The worker finds the store through its configuration, as any worker of a cluster would.
    task = read.options(runtime_env={"env_vars": {"SORTINGVIEW_STORE_DIR": str(store.directory)}})
    traces, filtered, spikes, name = ray.get(task.remote(shared_recording, chain, shared_sorting), timeout=120)

    assert name == "StoreRecordingExtractor"
    np.testing.assert_array_equal(traces, recording.get_traces(segment_index=1, start_frame=500, end_frame=2500))
    np.testing.assert_array_equal(filtered, chain.get_traces(segment_index=0, start_frame=500, end_frame=2500))
    np.testing.assert_array_equal(spikes, sorting.to_spike_vector())
