"""Recordings shared by copy: bit-exact round trips, serialize_dtype within one quantisation step, job kwargs."""

from __future__ import annotations

import numpy as np
import pytest
import spikeinterface.core as sc
from extractor_helpers import store_files

import spikeinterface_sortingview as sv
from extractors import StoreRecordingExtractor


def test_round_trip_is_bit_exact_on_every_segment(store, float_recording):
    uri = sv.share_recording(float_recording)
    loaded = sv.load_recording(uri)

    assert isinstance(loaded, StoreRecordingExtractor)
    assert loaded.get_num_segments() == 2
    assert loaded.get_dtype() == float_recording.get_dtype()
    assert loaded.get_sampling_frequency() == float_recording.get_sampling_frequency()
    assert list(loaded.channel_ids) == list(float_recording.channel_ids)
    for segment_index in range(2):
        assert loaded.get_num_samples(segment_index) == float_recording.get_num_samples(segment_index)
        np.testing.assert_array_equal(
            loaded.get_traces(segment_index=segment_index), float_recording.get_traces(segment_index=segment_index)
        )


def test_windows_and_channel_selections_match_the_original(store, float_recording):
    loaded = sv.load_recording(sv.share_recording(float_recording, chunk_duration="0.25s"))
    channels = list(float_recording.channel_ids[[4, 1]])
    for start, end in [(0, 1), (2490, 2510), (100, 7000), (19_000, 20_000), (5, 5)]:
        for channel_ids in (None, channels):
            expected = float_recording.get_traces(
                segment_index=0, start_frame=start, end_frame=end, channel_ids=channel_ids
            )
            got = loaded.get_traces(segment_index=0, start_frame=start, end_frame=end, channel_ids=channel_ids)
            np.testing.assert_array_equal(got, expected)


def test_metadata_survives_probe_gains_properties_annotations_times(store, ground_truth):
    recording, _ = ground_truth
    recording = recording.clone()
    recording.set_property("quality", np.array(["good", "bad"] * 4))
    recording.set_property("noise", np.linspace(0, 1, 8).astype("float32"))
    recording.annotate(experimenter="Ada", session={"day": 3, "weights": [0.5, float("nan")]})
    recording.set_times(np.arange(recording.get_num_samples(1)) / 10_000.0 + 100.0, segment_index=1)

    loaded = sv.load_recording(sv.share_recording(recording))

    np.testing.assert_array_equal(loaded.get_channel_locations(), recording.get_channel_locations())
    assert loaded.get_probe().to_dict(array_as_list=True) == recording.get_probe().to_dict(array_as_list=True)
    for name in ("gain_to_uV", "offset_to_uV", "group", "quality", "noise"):
        np.testing.assert_array_equal(loaded.get_property(name), recording.get_property(name))
        assert loaded.get_property(name).dtype == recording.get_property(name).dtype
    assert loaded.get_annotation("experimenter") == "Ada"
    assert loaded.get_annotation("session")["day"] == 3
    assert np.isnan(loaded.get_annotation("session")["weights"][1])
    assert loaded.get_annotation("is_filtered") == recording.get_annotation("is_filtered")
    assert loaded.get_times(segment_index=0)[0] == recording.get_times(segment_index=0)[0]
    np.testing.assert_array_equal(loaded.get_times(segment_index=1), recording.get_times(segment_index=1))


def test_serialize_dtype_int16_is_within_one_quantisation_step(store, ground_truth):
    recording, _ = ground_truth
    assert recording.get_dtype() == np.float32

    loaded = sv.load_recording(sv.share_recording(recording, serialize_dtype="int16"))

    assert loaded.get_dtype() == np.int16
    step = loaded.get_property("gain_to_uV")
    for segment_index in range(2):
        original = recording.get_traces(segment_index=segment_index, return_in_uV=True)
        restored = loaded.get_traces(segment_index=segment_index, return_in_uV=True)
        assert np.all(np.abs(restored - original) <= step)
        # and the full int16 range is used, so the step is as small as it can be
        raw = loaded.get_traces(segment_index=segment_index)
        assert raw.min() >= -32768 and raw.max() <= 32767
    assert loaded.get_traces(segment_index=0).max() == 32767 or loaded.get_traces(segment_index=1).max() == 32767


def test_serialize_dtype_without_source_gains_restores_the_values(store, float_recording):
    loaded = sv.load_recording(sv.share_recording(float_recording, serialize_dtype="int16"))
    step = loaded.get_property("gain_to_uV")
    original = float_recording.get_traces(segment_index=1)
    restored = loaded.get_traces(segment_index=1, return_in_uV=True)
    assert np.all(np.abs(restored - original) <= step)


def test_serialize_dtype_float_to_float_is_a_cast(store):
    recording = sc.NumpyRecording(
        [np.random.default_rng(0).normal(size=(3000, 3))], sampling_frequency=1000.0
    )  # float64
    loaded = sv.load_recording(sv.share_recording(recording, serialize_dtype="float32"))
    assert loaded.get_dtype() == np.float32
    np.testing.assert_array_equal(loaded.get_traces(), recording.get_traces().astype("float32"))


def test_sharing_the_same_data_twice_stores_nothing_new(store, float_recording):
    first = sv.share_recording(float_recording, chunk_duration="0.5s")
    before = store_files(store)
    second = sv.share_recording(float_recording, chunk_duration="0.5s", n_jobs=2)
    assert second == first
    assert store_files(store) == before


def test_chunk_duration_sets_the_stored_chunks(store, float_recording):
    loaded = sv.load_recording(sv.share_recording(float_recording, chunk_duration="0.5s"))
    manifest = store.load_json(loaded.manifest_uri)
    assert manifest["chunk_size"] == 5000
    assert [len(s["chunks"]) for s in manifest["segments"]] == [4, 3]


def test_parallel_sharing_gives_the_same_uri(store, float_recording):
    serial = sv.share_recording(float_recording, n_jobs=1, chunk_duration="0.3s")
    parallel = sv.share_recording(float_recording, n_jobs=2, chunk_duration="0.3s")
    assert parallel == serial


def test_progress_bar_when_asked(store, float_recording, capsys):
    sv.share_recording(float_recording, progress_bar=True, chunk_duration="0.5s")
    assert "share_recording" in capsys.readouterr().err
    sv.share_recording(float_recording, chunk_duration="0.5s")  # small: no bar unless asked
    assert "share_recording" not in capsys.readouterr().err


def test_copy_recording_extractor_returns_the_store_backed_copy(store, float_recording):
    copy = sv.copy_recording_extractor(float_recording, serialize_dtype="float32")
    assert isinstance(copy, StoreRecordingExtractor)
    assert copy.check_serializability("json")
    np.testing.assert_array_equal(copy.get_traces(segment_index=1), float_recording.get_traces(segment_index=1))


def test_in_memory_recordings_can_be_shared(store):
    traces = np.arange(4000 * 3, dtype="int16").reshape(4000, 3)
    recording = sc.NumpyRecording([traces], sampling_frequency=2000.0)
    assert not recording.check_serializability("json")
    loaded = sv.load_recording(sv.share_recording(recording))
    np.testing.assert_array_equal(loaded.get_traces(), traces)
    assert loaded.check_serializability("json") and loaded.check_serializability("pickle")


@pytest.mark.parametrize("dtype", ["uint16", "int8"])
def test_other_integer_dtypes_are_quantised_too(store, float_recording, dtype):
    loaded = sv.load_recording(sv.share_recording(float_recording, serialize_dtype=dtype))
    step = loaded.get_property("gain_to_uV")
    restored = loaded.get_traces(segment_index=0, return_in_uV=True)
    assert np.all(np.abs(restored - float_recording.get_traces(segment_index=0)) <= step)
